/**
 * The state a routed mysql2 connection carries and the small operations on it that the router, the connect
 * check and the read-only handling share.
 */
import type { Phase } from '../../core/phases.js'
import type { DeploymentHandle } from '../../core/registry.js'
import type { ConnectTarget } from '../../core/types.js'
import type { DeploymentBinding } from '../shared/deployment-binding.js'
import type { ServerMode } from '../shared/read-only.js'
import type { Connection } from 'mysql2'
import type { OnResult, RetryableCommand } from './read-only.js'

/** The slice of a mysql2 command the router touches. */
export interface MysqlCommand extends RetryableCommand {
  onResult?: OnResult | undefined
  emit(event: string, ...args: unknown[]): boolean
}

/** The slice of a mysql2 connection the router touches. */
export interface MysqlConnectionLike {
  readonly config: { readonly host?: string; readonly port?: number }
  addCommand(cmd: unknown): unknown
  query(sql: string, callback: (err: unknown, result?: unknown) => void): unknown
  connect?(callback?: (err: unknown, ...rest: unknown[]) => void): unknown
  destroy(): void
  end?(...args: unknown[]): unknown
  /** The pool connection's real `end` (mysql2 3.x), used by `pool.end()`. */
  _realEnd?(...args: unknown[]): unknown
  /** mysql2's fatal-error fan-out to its queued commands (3.x internals). */
  _notifyError?(err: unknown): void
  readonly _fatalError?: unknown
  /** Commands waiting behind the current one (3.x internals). */
  readonly _commands?: { readonly length: number }
}

/** Commands held together behind one hold (or the connect check); `settled` makes sure each is answered once. */
export interface HeldBatch {
  readonly commands: MysqlCommand[]
  settled: boolean
}

/** How a routed connection is used beyond its binding. */
export interface RouteOptions {
  /** Takes the connection out of its pool at once (default: mysql2's own `_removeFromPool`, if any). */
  readonly detach?: () => void
  /** Closes the connection (default `destroy()`). */
  readonly discard?: () => void
  /** A fresh standalone connection with the same settings, to send a refused autocommit statement again. */
  readonly fresh?: () => Connection
  /** False for the connections the library opens to retry: they never retry in turn. */
  readonly retries?: boolean
}

/** Per-connection routing state, kept on the connection under {@link STATE}. */
export interface RouteState {
  readonly binding: DeploymentBinding
  readonly target: ConnectTarget
  readonly config: object
  readonly options: RouteOptions
  batch: HeldBatch | undefined
  /** Commands that arrived while the connect check ran. */
  checking: HeldBatch | undefined
  ready: Promise<void> | undefined
  connectMode: ServerMode
  /** The phase when the open transaction began (a hint from the statements' first keywords). */
  openedIn: Phase | undefined
  /** Inside `end()` or a probe: the command must pass untouched. */
  bypass: boolean
  /** `end()` was called: the close that follows is ours, not a cut. */
  ending: boolean
  discarded: boolean
  /** Why it was taken out of use: what every later command on it gets at once. */
  discardedBy?: unknown
  /** Rejects `ready` when the connection dies before its check answered. */
  failReady?: (err: unknown) => void
  /** What the shared read-only watch of this connection's commands needs (see routed-commands.ts). */
  watch?: ReadOnlyWatch
}

/** What a watched command needs to judge a read-only error: one per connection and handle, not per command. */
export interface ReadOnlyWatch {
  readonly connection: Routed
  readonly state: RouteState
  readonly handle: DeploymentHandle
}

export const STATE = Symbol('rds-bluegreen.mysql2.route-state')
export type Routed = MysqlConnectionLike & { [STATE]?: RouteState }

/** Runs `sql` on the connection now, past every hold and check (probes, the connect check, `end()`). */
export function runBypassing(
  connection: Routed,
  state: RouteState,
  sql: string,
  callback: (err: unknown, result?: unknown) => void,
): void {
  state.bypass = true
  try {
    connection.query(sql, callback)
  } finally {
    state.bypass = false
  }
}

export function detach(connection: Routed, state: RouteState): void {
  if (state.options.detach !== undefined) return state.options.detach()
  ;(connection as { _removeFromPool?: () => void })._removeFromPool?.()
}

export function discard(connection: Routed, state: RouteState, reason?: unknown): void {
  if (state.discarded) return
  state.discarded = true
  state.discardedBy = reason
  const close = state.options.discard ?? (() => connection.destroy())
  process.nextTick(close)
}

/** Fails every command of `batch`, once. */
export function settle(batch: HeldBatch, err: unknown): void {
  if (batch.settled) return
  batch.settled = true
  for (const held of batch.commands) fail(held, err)
}

export function fail(cmd: MysqlCommand, err: unknown): void {
  if (typeof cmd.onResult === 'function') cmd.onResult(err)
  else cmd.emit('error', err)
  cmd.emit('end')
}
