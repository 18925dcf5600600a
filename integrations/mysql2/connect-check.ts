import { BlueGreenReadOnlyError } from '../../core/errors.js'
import type { DeploymentHandle } from '../../core/registry.js'
import { serverMemory } from '../shared/read-only.js'
import type { HeldBatch, RouteState, Routed } from './command-state.js'
import { detach, discard, runBypassing, settle } from './command-state.js'

/** Read once per new connection to a target that is new or suspect: is this server accepting writes? */
const CHECK_SQL = 'SELECT (@@global.read_only OR @@global.innodb_read_only) AS bg_read_only'

/**
 * The connect check: a new connection to a target that is new to this process or suspect reads whether its
 * server accepts writes before any application command runs (they wait in `checking`). It is sent once the
 * handshake is done: queued earlier, it would swallow a handshake error that mysql2 must emit on the connection.
 */
export function startCheck(connection: Routed, state: RouteState): void {
  const handle = state.binding.handle()
  if (handle === undefined || !serverMemory().shouldCheck(state.target)) return
  const batch: HeldBatch = { commands: [], settled: false }
  state.checking = batch
  state.ready = new Promise<void>((resolve, reject) => {
    state.failReady = reject
    const check = (): void =>
      runBypassing(connection, state, CHECK_SQL, (err, rows) => {
        if (state.checking === batch) state.checking = undefined
        if (batch.settled) return
        const value = (rows as { bg_read_only?: unknown }[] | undefined)?.[0]?.bg_read_only
        state.connectMode = err != null ? 'unknown' : Number(value) === 1 ? 'read-only' : 'writable'
        if (judge(handle, state) === 'accept') {
          batch.settled = true
          // Passed: later checkouts of this connection need not wait for a settled promise (one hop each).
          state.ready = undefined
          resolve()
          for (const cmd of batch.commands) connection.addCommand(cmd)
          return
        }
        const { bgdId, phase } = handle.snapshot()
        const fenced = new BlueGreenReadOnlyError({ bgdId, phase, atConnect: true })
        settle(batch, fenced)
        detach(connection, state)
        discard(connection, state, fenced)
        reject(fenced)
      })
    if ((connection as { _handshakePacket?: unknown })._handshakePacket != null) check()
    else
      (connection as unknown as { once(event: 'connect', listener: () => void): void }).once('connect', check)
  })
  // Nobody may be waiting (a standalone connection whose application queries straight away).
  state.ready.catch(() => undefined)
}

function judge(handle: DeploymentHandle, state: RouteState): 'accept' | 'fenced' {
  const { retryReadOnly, connectTimeoutMs } = handle.options
  const memory = serverMemory()
  if (retryReadOnly) return memory.judgeConnect(state.target, state.connectMode, connectTimeoutMs)
  memory.note(state.target, state.connectMode)
  return 'accept'
}
