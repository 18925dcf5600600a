import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const HERE = dirname(fileURLToPath(import.meta.url))
const ROOT = resolve(HERE, '../../..')
const PRISMA_CLI = join(ROOT, 'node_modules/prisma/build/index.js')

/**
 * Generates the Prisma client of `test/integration/prisma/<name>.prisma` into `generated/<name>/` offline, once
 * per schema content (a `.schema-hash` file next to the output): `prisma generate` only needs *some* existing
 * file as `PRISMA_SCHEMA_ENGINE_BINARY` to skip its engine download, and the node binary always exists.
 * Returns the path of the generated `client.js` entry for a dynamic `import()`.
 *
 * @example
 * const { PrismaClient } = await import(generatePrismaClient('diff-pg'))
 */
export function generatePrismaClient(name: string): string {
  const schema = join(HERE, `${name}.prisma`)
  const out = join(HERE, 'generated', name)
  const hashFile = join(out, '.schema-hash')
  const cliVersion = (
    JSON.parse(readFileSync(join(ROOT, 'node_modules/prisma/package.json'), 'utf8')) as { version: string }
  ).version
  const hash = createHash('sha256').update(cliVersion).update(readFileSync(schema)).digest('hex')
  if (readOrEmpty(hashFile) === hash) return join(out, 'client.ts')
  withLock(`${out}.lock`, () => {
    if (readOrEmpty(hashFile) === hash) return
    rmSync(out, { recursive: true, force: true })
    const result = spawnSync(process.execPath, [PRISMA_CLI, 'generate', '--schema', schema], {
      cwd: ROOT,
      encoding: 'utf8',
      env: {
        ...process.env,
        PRISMA_SCHEMA_ENGINE_BINARY: process.execPath,
        CHECKPOINT_DISABLE: '1',
        PRISMA_HIDE_UPDATE_MESSAGE: '1',
      },
    })
    if (result.status !== 0) {
      throw new Error(
        `prisma generate ${name} failed (${result.status}):\n${result.stdout}\n${result.stderr}`,
      )
    }
    writeFileSync(hashFile, hash)
  })
  return join(out, 'client.ts')
}

function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return ''
  }
}

/** A directory lock shared by test files and lab processes; a lock older than a minute is a dead owner's. */
function withLock(dir: string, fn: () => void): void {
  const deadline = Date.now() + 60_000
  mkdirSync(dirname(dir), { recursive: true })
  for (;;) {
    try {
      mkdirSync(dir)
      break
    } catch {
      if (Date.now() - mtimeOr(dir) > 60_000) rmSync(dir, { recursive: true, force: true })
      else if (Date.now() > deadline) throw new Error(`timed out waiting for ${dir}`)
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100)
    }
  }
  try {
    fn()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function mtimeOr(dir: string): number {
  try {
    return statSync(dir).mtimeMs
  } catch {
    return Date.now()
  }
}
