import { BlueGreenReadOnlyError } from '../../core/errors.js'
import type { DeploymentHandle } from '../../core/registry.js'
import type { ConnectTarget } from '../../core/types.js'
import type { ConnectionFacts } from '../shared/blue-connections.js'
import { isMysqlReadOnlyError, isSwitchoverReadOnly, switchoverActive } from '../shared/blue-connections.js'
import type { DeploymentBinding } from '../shared/deployment-binding.js'
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
  /** mysql2's fatal-error fan-out to its queued commands (3.x internals). */
  _notifyError?(err: unknown): void
  readonly _fatalError?: unknown
}

interface RouteState {
  readonly binding: DeploymentBinding
  readonly target: ConnectTarget
  readonly config: object
  queue: MysqlCommand[] | undefined
  discarded: boolean
}

const STATE = Symbol('rds-bluegreen.mysql2.route-state')
type Routed = MysqlConnectionLike & { [STATE]?: RouteState }

/** Commands never held: closing a connection must not wait for the switchover. */
const NEVER_HELD = new Set(['Quit', 'ClientHandshake', 'ServerHandshake'])

/**
 * Routes every command of a mysql2 connection (query, execute, prepare, ... through its `addCommand`): held while
 * the switchover is in progress, in order, and read-only errors from the old blue server become
 * `BlueGreenReadOnlyError` and destroy the connection. The command object is returned at once, so the event and
 * stream APIs (`connection.query(sql).on('result', ...)`) keep working while held.
 *
 * @example
 * ```ts
 * pool.on('connection', (connection) => routeCommands(connection, binding))
 * ```
 */
export function routeCommands(connection: MysqlConnectionLike, binding: DeploymentBinding): void {
  const routed = connection as Routed
  if (routed[STATE] !== undefined) return
  const { config } = connection
  routed[STATE] = {
    binding,
    target: { host: config.host ?? 'localhost', port: config.port ?? 3306 },
    config,
    queue: undefined,
    discarded: false,
  }
  const base = connection.addCommand.bind(connection)
  const state = routed[STATE]
  // Commands held here are not in mysql2's own queue: when the connection dies meanwhile (the switchover cuts it),
  // they must fail with it, or they would wait forever.
  const notify = connection._notifyError?.bind(connection)
  if (notify !== undefined) {
    connection._notifyError = (err: unknown): void => {
      failQueued(state, err)
      notify(err)
    }
  }
  connection.addCommand = function addCommand(this: Routed, cmd: unknown): unknown {
    const state = this[STATE]
    const handle = state?.binding.current()
    if (state === undefined || handle === undefined) return base(cmd)
    if (state.queue !== undefined) {
      state.queue.push(cmd as MysqlCommand)
      return cmd
    }
    const hold = handle.beforeExecute(state.target, 'query')
    if (hold === undefined || NEVER_HELD.has(commandName(cmd))) {
      hold?.catch(() => undefined)
      if (switchoverActive(handle.snapshot())) watchReadOnly(this, state, handle, cmd as MysqlCommand)
      return base(cmd)
    }
    const queue = [cmd as MysqlCommand]
    state.queue = queue
    hold.then(
      () => {
        state.queue = undefined
        if (this._fatalError !== undefined && this._fatalError !== null) {
          for (const held of queue) fail(held, this._fatalError)
          return
        }
        for (const held of queue) {
          if (switchoverActive(handle.snapshot())) watchReadOnly(this, state, handle, held)
          base(held)
        }
      },
      (err: unknown) => {
        state.queue = undefined
        for (const held of queue) fail(held, err)
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
  if (state === undefined) return undefined
  return { target: state.target, remoteAddress: socketOf(state.config)?.dialedAddress }
}

function failQueued(state: RouteState, err: unknown): void {
  const queue = state.queue
  if (queue === undefined) return
  state.queue = undefined
  for (const held of queue) fail(held, err)
}

function commandName(cmd: unknown): string {
  return typeof cmd === 'object' && cmd !== null ? cmd.constructor.name : ''
}

function fail(cmd: MysqlCommand, err: unknown): void {
  if (typeof cmd.onResult === 'function') cmd.onResult(err)
  else cmd.emit('error', err)
  cmd.emit('end')
}

function watchReadOnly(
  connection: Routed,
  state: RouteState,
  handle: DeploymentHandle,
  cmd: MysqlCommand,
): void {
  const original = cmd.onResult
  if (typeof original !== 'function') return
  cmd.onResult = function onResult(this: unknown, err: unknown, ...rest: unknown[]): void {
    original.call(this, mapError(connection, state, handle, err), ...rest)
  }
}

function mapError(connection: Routed, state: RouteState, handle: DeploymentHandle, err: unknown): unknown {
  if (err == null || !isMysqlReadOnlyError(err)) return err
  const snapshot = handle.snapshot()
  const facts = { target: state.target, remoteAddress: socketOf(state.config)?.dialedAddress }
  if (!isSwitchoverReadOnly(snapshot, facts)) return err
  if (!state.discarded) {
    state.discarded = true
    process.nextTick(() => connection.destroy())
  }
  return new BlueGreenReadOnlyError({ bgdId: snapshot.bgdId, phase: snapshot.phase, cause: err })
}
