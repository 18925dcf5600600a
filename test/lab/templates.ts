import { execFile } from 'node:child_process'
import { chownSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { LabError } from './errors.js'
import { labRoot, type SystemUser } from './lab-root.js'

const execFileAsync = promisify(execFile)

/** Runs a tool (initdb, cp, ...) to completion, optionally as another user; throws with its stderr. */
export async function runTool(command: string, args: readonly string[], user?: SystemUser): Promise<string> {
  try {
    const { stdout } = await execFileAsync(command, [...args], {
      ...(user === undefined ? {} : { uid: user.uid, gid: user.gid }),
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', LANG: 'C.UTF-8' },
    })
    return stdout
  } catch (err) {
    const e = err as { stderr?: string; message: string }
    throw new LabError('TEMPLATE_FAILED', `${command} failed: ${e.stderr ?? e.message}`, { cause: err })
  }
}

/** Creates a folder owned by `user` (so postgres / mysql can write sockets, pids and logs there). */
export function ownedDir(path: string, user: SystemUser | undefined): string {
  mkdirSync(path, { recursive: true, mode: 0o755 })
  if (user !== undefined) chownSync(path, user.uid, user.gid)
  return path
}

const building = new Map<string, Promise<string>>()

/**
 * Returns the cached template data folder for `key`, building it with `build(dir)` when it is missing or was
 * made by another binary version. Built in a scratch folder and renamed into place, so a concurrent lab never
 * sees half a template.
 */
export function ensureTemplate(
  key: string,
  version: string,
  build: (dataDir: string, scratch: string) => Promise<void>,
): Promise<string> {
  const root = join(labRoot(), 'templates', key)
  const data = join(root, 'data')
  const stamp = join(root, 'VERSION')
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === version && existsSync(data))
    return Promise.resolve(data)
  const pending = building.get(key)
  if (pending !== undefined) return pending
  const job = (async () => {
    const scratch = join(labRoot(), 'templates', `${key}.tmp-${process.pid}`)
    rmSync(scratch, { recursive: true, force: true })
    mkdirSync(scratch, { recursive: true, mode: 0o755 })
    try {
      await build(join(scratch, 'data'), scratch)
      writeFileSync(join(scratch, 'VERSION'), version)
      rmSync(root, { recursive: true, force: true })
      renameSync(scratch, root)
    } catch (err) {
      rmSync(scratch, { recursive: true, force: true })
      throw err
    }
    return data
  })()
  building.set(key, job)
  return job.finally(() => building.delete(key))
}

/** Copies a template into a lab folder; `cp -a` keeps the owner and the 0700 mode postgres insists on. */
export async function copyTemplate(template: string, target: string): Promise<void> {
  await runTool('cp', ['-a', template, target])
}
