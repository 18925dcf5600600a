import { BlueGreenReadOnlyError } from '../../core/errors.js'
import type { DeploymentHandle } from '../../core/registry.js'
import type { ConnectionFacts } from '../shared/blue-connections.js'
import { isMysqlReadOnlyError, isSwitchoverReadOnly, switchoverActive } from '../shared/blue-connections.js'
import type { DeploymentBinding } from '../shared/deployment-binding.js'
import type { ConnectTarget, ExecuteKind } from '../../core/types.js'
import { CONNECTION_FACTS } from '../shared/pool-member.js'
import { socketOf } from './routed-stream.js'

/** The slice of a mysql2 command the router touches. */
interface MysqlCommand {
  onResult?: ((err: unknown, ...rest: unknown[]) => void) | undefined
  emit(event: string, ...args: unknown[]): boolean
}

/** The slice of a mysql2 connection the router touches. */
export interface MysqlConnectionLike {
  readonly config: { readonly host?: string; readonly port?: number }
  addCommand(cmd: unknown): unknown
  destroy(): void
  end?(...args: unknown[]): unknown
  /** The pool connection's real `end` (mysql2 3.x), used by `pool.end()`. */
  _realEnd?(...args: unknown[]): unknown
  /** mysql2's fatal-error fan-out to its queued commands (3.x internals). */
  _notifyError?(err: unknown): void
  readonly _fatalError?: unknown
}

/** Commands held together behind one hold; `settled` makes sure each is answered once. */
interface HeldBatch {
  readonly commands: MysqlCommand[]
  settled: boolean
}

interface RouteState {
  readonly binding: DeploymentBinding
  readonly target: ConnectTarget
  readonly config: object
  readonly discard: () => void
  batch: HeldBatch | undefined
  /** Inside `end()`: its Quit command must not wait for the switchover. */
  closing: boolean
  discarded: boolean
}

const STATE = Symbol('rds-bluegreen.mysql2.route-state')
type Routed = MysqlConnectionLike & { [STATE]?: RouteState }
const QUERY: ExecuteKind = 'query'

/**
 * Routes every command of a mysql2 connection (query, execute, prepare, ... through its `addCommand`): held while
 * the switchover is in progress, in order, and read-only errors from the old blue server become
 * `BlueGreenReadOnlyError` and discard the connection (`discard`, default `destroy()`). The command object is
 * returned at once, so the event and stream APIs (`connection.query(sql).on('result', ...)`) keep working while
 * held. Closing (`end()`) is never held. Every held command is answered exactly once, also when the connection
 * dies during the hold.
 *
 * @example
 * ```ts
 * pool.on('connection', (connection) => routeCommands(connection, binding))
 * ```
 */
export function routeCommands(
  connection: MysqlConnectionLike,
  binding: DeploymentBinding,
  discard: () => void = () => connection.destroy(),
): void {
  const routed = connection as Routed
  if (routed[STATE] !== undefined) return
  const { config } = connection
  const state: RouteState = {
    binding,
    target: { host: config.host ?? 'localhost', port: config.port ?? 3306 },
    config,
    discard,
    batch: undefined,
    closing: false,
    discarded: false,
  }
  routed[STATE] = state
  Object.defineProperty(connection, CONNECTION_FACTS, { get: () => factsOf(state) })
  wrapClosing(routed, state, 'end')
  wrapClosing(routed, state, '_realEnd')
  // Commands held here are not in mysql2's own queue: when the connection dies meanwhile (the switchover cuts it),
  // they must fail with it, or they would wait forever.
  const notify = connection._notifyError?.bind(connection)
  if (notify !== undefined) {
    connection._notifyError = (err: unknown): void => {
      const batch = state.batch
      state.batch = undefined
      if (batch !== undefined) settle(batch, err)
      notify(err)
    }
  }
  const base = connection.addCommand.bind(connection)
  connection.addCommand = function addCommand(this: Routed, cmd: unknown): unknown {
    const handle = state.binding.current()
    if (handle === undefined || state.closing) return base(cmd)
    if (state.batch !== undefined) {
      state.batch.commands.push(cmd as MysqlCommand)
      return cmd
    }
    const hold = handle.beforeExecute(state.target, QUERY)
    if (hold === undefined) {
      if (switchoverActive(handle.snapshot())) watchReadOnly(state, handle, cmd as MysqlCommand)
      return base(cmd)
    }
    const batch: HeldBatch = { commands: [cmd as MysqlCommand], settled: false }
    state.batch = batch
    hold.then(
      () => {
        if (state.batch === batch) state.batch = undefined
        if (batch.settled) return
        batch.settled = true
        const fatal = this._fatalError
        if (fatal !== undefined && fatal !== null) {
          for (const held of batch.commands) fail(held, fatal)
          return
        }
        for (const held of batch.commands) {
          if (switchoverActive(handle.snapshot())) watchReadOnly(state, handle, held)
          base(held)
        }
      },
      (err: unknown) => {
        if (state.batch === batch) state.batch = undefined
        settle(batch, err)
      },
    )
    return cmd
  }
}

/**
 * The configured target and the IP really dialed by a routed mysql2 connection.
 *
 * @example
 * ```ts
 * connectionFacts(connection)?.remoteAddress
 * ```
 */
export function connectionFacts(connection: MysqlConnectionLike): ConnectionFacts | undefined {
  const state = (connection as Routed)[STATE]
  return state === undefined ? undefined : factsOf(state)
}

function factsOf(state: RouteState): ConnectionFacts {
  return { target: state.target, remoteAddress: socketOf(state.config)?.dialedAddress }
}

function wrapClosing(connection: Routed, state: RouteState, key: 'end' | '_realEnd'): void {
  // Called with the connection as `this`, as mysql2 itself calls it.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const original = connection[key]
  if (typeof original !== 'function') return
  connection[key] = function closing(this: unknown, ...args: unknown[]): unknown {
    state.closing = true
    try {
      return original.apply(this, args)
    } finally {
      state.closing = false
    }
  }
}

/** Fails every command of `batch`, once. */
function settle(batch: HeldBatch, err: unknown): void {
  if (batch.settled) return
  batch.settled = true
  for (const held of batch.commands) fail(held, err)
}

function fail(cmd: MysqlCommand, err: unknown): void {
  if (typeof cmd.onResult === 'function') cmd.onResult(err)
  else cmd.emit('error', err)
  cmd.emit('end')
}

function watchReadOnly(state: RouteState, handle: DeploymentHandle, cmd: MysqlCommand): void {
  const original = cmd.onResult
  if (typeof original !== 'function') return
  cmd.onResult = function onResult(this: unknown, err: unknown, ...rest: unknown[]): void {
    original.call(this, mapError(state, handle, err), ...rest)
  }
}

function mapError(state: RouteState, handle: DeploymentHandle, err: unknown): unknown {
  if (err == null || !isMysqlReadOnlyError(err)) return err
  const snapshot = handle.snapshot()
  if (!isSwitchoverReadOnly(snapshot, factsOf(state))) return err
  if (!state.discarded) {
    state.discarded = true
    process.nextTick(state.discard)
  }
  return new BlueGreenReadOnlyError({ bgdId: snapshot.bgdId, phase: snapshot.phase, cause: err })
}
