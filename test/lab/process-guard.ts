import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { labRoot } from './lab-root.js'

/** What a pidfile records: the server, the process that owns it, and the folder to remove with it. */
interface PidRecord {
  readonly pid: number
  readonly owner: number
  readonly dir: string
  readonly signal: NodeJS.Signals
}

const live = new Map<string, PidRecord>()
let hooked = false

function pidDir(): string {
  return join(labRoot(), 'run')
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')
  } catch {
    return ''
  }
}

/** Kills one recorded server if it is still ours (its command line names the lab root), then removes its folder. */
function killRecord(rec: PidRecord, signal: NodeJS.Signals): void {
  if (isAlive(rec.pid) && cmdline(rec.pid).includes(labRoot())) {
    try {
      process.kill(rec.pid, signal)
    } catch {
      // already gone
    }
  }
}

function installHooks(): void {
  if (hooked) return
  hooked = true
  // A crashed or interrupted test must not leave servers behind: postgres outlives its parent (spec E11).
  process.on('exit', () => {
    for (const [file, rec] of live) {
      killRecord(rec, 'SIGKILL')
      rmSync(rec.dir, { recursive: true, force: true, maxRetries: 3 })
      rmSync(file, { force: true })
    }
  })
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => process.exit(130))
  }
}

/**
 * Records a started server so the exit hook and the next `startLab` (the reaper) can kill it by pid.
 *
 * @example
 * const release = guardProcess('pg-blue-1', child.pid, dataDir, 'SIGINT')
 */
export function guardProcess(name: string, pid: number, dir: string, signal: NodeJS.Signals): () => void {
  installHooks()
  mkdirSync(pidDir(), { recursive: true })
  const file = join(pidDir(), `${name}.pid`)
  const rec: PidRecord = { pid, owner: process.pid, dir, signal }
  writeFileSync(file, JSON.stringify(rec))
  live.set(file, rec)
  return () => {
    live.delete(file)
    rmSync(file, { force: true })
  }
}

/** Registers a folder (a lab's data) to delete on exit even if no server was started in it. */
export function guardDir(name: string, dir: string): () => void {
  return guardProcess(name, -1, dir, 'SIGKILL')
}

/**
 * Kills servers and removes folders left by lab owners that no longer run. Live labs of other processes are
 * left alone, so two labs can run side by side.
 */
export function reapStale(): number {
  if (!existsSync(pidDir())) return 0
  let reaped = 0
  for (const entry of readdirSync(pidDir())) {
    const file = join(pidDir(), entry)
    let rec: PidRecord
    try {
      rec = JSON.parse(readFileSync(file, 'utf8')) as PidRecord
    } catch {
      rmSync(file, { force: true })
      continue
    }
    if (rec.owner !== process.pid && isAlive(rec.owner)) continue
    if (rec.owner === process.pid && live.has(file)) continue
    if (rec.pid > 0) killRecord(rec, 'SIGKILL')
    rmSync(rec.dir, { recursive: true, force: true, maxRetries: 3 })
    try {
      unlinkSync(file)
    } catch {
      // another reaper got it
    }
    reaped++
  }
  return reaped
}
