import { spawn } from 'node:child_process'
import { closeSync, openSync, readFileSync } from 'node:fs'
import { LabError } from './errors.js'
import { guardProcess } from './process-guard.js'
import type { SystemUser } from './lab-root.js'
import { sleep } from './clock.js'

/** A database server the lab started. */
export interface ServerProcess {
  readonly name: string
  readonly pid: number
  /** Asks the server to shut down and waits (force-kills after `graceMs`). */
  stop(graceMs?: number): Promise<void>
  /** The tail of the server's log, for error messages. */
  logTail(): string
}

export interface SpawnServerOptions {
  readonly name: string
  readonly command: string
  readonly args: readonly string[]
  readonly user: SystemUser | undefined
  readonly logFile: string
  /** The folder removed with the server (its data) if the lab dies. */
  readonly dir: string
  readonly stopSignal: NodeJS.Signals
  /** Resolves when the server accepts connections; rejected or timed out means the start failed. */
  readonly ready: () => Promise<void>
  readonly readyTimeoutMs?: number
}

/**
 * Spawns a server as a plain child process (no shell, no su: the pid is the server's own), records its pidfile,
 * and waits until `ready()` succeeds.
 */
export async function spawnServer(opts: SpawnServerOptions): Promise<ServerProcess> {
  const log = openSync(opts.logFile, 'a')
  const child = spawn(opts.command, opts.args, {
    stdio: ['ignore', log, log],
    ...(opts.user === undefined ? {} : { uid: opts.user.uid, gid: opts.user.gid }),
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', LANG: 'C.UTF-8', TZ: 'UTC' },
  })
  closeSync(log)
  const pid = child.pid
  if (pid === undefined) throw new LabError('SERVER_START_FAILED', `${opts.name}: spawn failed`)
  const release = guardProcess(opts.name, pid, opts.dir, opts.stopSignal)
  let exited = false
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true
      resolve()
    })
  })
  child.once('error', () => undefined)
  const logTail = (): string => {
    try {
      return readFileSync(opts.logFile, 'utf8').split('\n').slice(-15).join('\n')
    } catch {
      return ''
    }
  }
  const stop = async (graceMs = 5000): Promise<void> => {
    if (!exited) {
      child.kill(opts.stopSignal)
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
      await exit
      clearTimeout(timer)
    }
    release()
  }
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 15_000)
  for (;;) {
    if (exited) {
      release()
      throw new LabError('SERVER_START_FAILED', `${opts.name} exited during start:\n${logTail()}`)
    }
    try {
      await opts.ready()
      break
    } catch (err) {
      if (Date.now() > deadline) {
        await stop(1000)
        throw new LabError('SERVER_START_FAILED', `${opts.name} not ready:\n${logTail()}`, { cause: err })
      }
      await sleep(20)
    }
  }
  return { name: opts.name, pid, stop, logTail }
}
