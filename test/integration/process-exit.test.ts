import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PgWorld } from './helpers/pg-deployment.js'
import { startPgWorld } from './helpers/pg-deployment.js'
import { createScratch, dropScratch } from './helpers/pg-scratch.js'

/**
 * Issue 11 item 5: monitoring never keeps a process alive. Each case runs in a child process (tsx) that prints
 * the time of its last action; the figure is the time from then to the child's exit. Startup time (tsx on a
 * loaded machine takes seconds) is not part of it.
 */

const CHILD = fileURLToPath(new URL('./helpers/exit-child.ts', import.meta.url))
let world: PgWorld

beforeAll(async () => {
  await createScratch()
  world = await startPgWorld()
})
afterAll(async () => {
  await world.close()
  await dropScratch()
})

async function runChild(mode: string): Promise<{ exitDelayMs: number; stdout: string; code: number | null }> {
  await world.setPhase('CREATED')
  const child = spawn('npx', ['tsx', CHILD, mode, String(world.port)], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const code = await new Promise<number | null>((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 40_000)
    child.on('exit', (c) => {
      clearTimeout(kill)
      resolve(c)
    })
  })
  const exitedAt = Date.now()
  const last = /LAST (\d+)/.exec(stdout)?.[1]
  if (last === undefined) throw new Error(`child printed no LAST line: ${stdout} ${stderr}`)
  return { exitDelayMs: exitedAt - Number(last), stdout, code }
}

describe('process lifetime (issue 11 item 5)', () => {
  it('a pool that queried once and never called end() exits within 1 s (idleTimeoutMillis 200)', async () => {
    const { exitDelayMs, code } = await runChild('pool')
    console.info(`[item 5] pool without end(): exit ${exitDelayMs} ms after the last query`)
    expect(code).toBe(0)
    expect(exitDelayMs).toBeLessThan(1_000)
  })

  it('await pool.end() with both monitors connected settles, and the process exits right after', async () => {
    const { exitDelayMs, code } = await runChild('end')
    console.info(`[item 5] pool.end(): exit ${exitDelayMs} ms after it resolved`)
    expect(code).toBe(0)
    expect(exitDelayMs).toBeLessThan(1_000)
  })

  it('a standalone client ended during a switchover exits within 1 s (the linger does not hold it)', async () => {
    const { exitDelayMs, code } = await runChild('switchover')
    console.info(`[item 5] client ended during IN_PROGRESS: exit ${exitDelayMs} ms after end()`)
    expect(code).toBe(0)
    expect(exitDelayMs).toBeLessThan(1_000)
  })

  it('the leader of a fleet (Redis status channel) exits within 1 s once the application closed its Redis client', async () => {
    const { exitDelayMs, code } = await runChild('fleet')
    console.info(`[item 5] fleet leader without end(): exit ${exitDelayMs} ms after its Redis client closed`)
    expect(code).toBe(0)
    expect(exitDelayMs).toBeLessThan(1_000)
  })

  it('release() against a server that accepts but never answers returns at once, and the process exits', async () => {
    const { exitDelayMs, code, stdout } = await runChild('hung')
    const releasedMs = Number(/RELEASED (\d+)/.exec(stdout)?.[1])
    console.info(`[item 5] hung server: release() took ${releasedMs} ms, exit ${exitDelayMs} ms after it`)
    expect(code).toBe(0)
    expect(releasedMs).toBeLessThan(100)
    expect(exitDelayMs).toBeLessThan(1_000)
  })
})
