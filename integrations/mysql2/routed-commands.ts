import { BlueGreenTransactionInterruptedError } from '../../core/errors.js'
import type { DeploymentHandle } from '../../core/registry.js'
import type { ExecuteKind } from '../../core/types.js'
import type { ConnectionFacts } from '../shared/blue-connections.js'
import type { DeploymentBinding } from '../shared/deployment-binding.js'
import { CONNECTION_FACTS } from '../shared/pool-member.js'
import { serverMemory } from '../shared/read-only.js'
import type {
  HeldBatch,
  MysqlCommand,
  MysqlConnectionLike,
  ReadOnlyWatch,
  RouteOptions,
  RouteState,
  Routed,
} from './command-state.js'
import { STATE, detach, discard, fail, runBypassing, settle } from './command-state.js'
import { startCheck } from './connect-check.js'
import type { MysqlReadOnlyHost, OnResult } from './read-only.js'
import { handleReadOnly, isEvictingReadOnly, resendOrphaned } from './read-only.js'
import { socketOf } from './routed-stream.js'
import { transactionEffect } from '../shared/transaction-keywords.js'

export type { MysqlConnectionLike, RouteOptions } from './command-state.js'

const QUERY: ExecuteKind = 'query'

/**
 * Routes every command of a mysql2 connection (query, execute, prepare, ... through its `addCommand`): held while
 * the switchover is in progress, in order; statements of a transaction the switchover cut fail at once
 * (`BlueGreenTransactionInterruptedError`); read-only errors from a server that no longer accepts writes take
 * the connection out of use and become `BlueGreenReadOnlyError`, after an autocommit statement was sent again on
 * fresh connections (`read-only.ts`). A new connection to a target that is new or suspect (cut, or met a
 * read-only server) first checks that its server accepts writes; one that reached a fenced server fails with a
 * retryable error instead of serving (`connectionReady`). The command object is returned at once, so the event
 * and stream APIs keep working while held. Closing (`end()`) is never held. Every command is answered once.
 *
 * @example
 * ```ts
 * pool.on('connection', (connection) => routeCommands(connection, binding))
 * ```
 */
export function routeCommands(
  connection: MysqlConnectionLike,
  binding: DeploymentBinding,
  options: RouteOptions = {},
): void {
  const routed = connection as Routed
  if (routed[STATE] !== undefined) return
  const { config } = connection
  const state: RouteState = {
    binding,
    target: { host: config.host ?? 'localhost', port: config.port ?? 3306 },
    config,
    options,
    batch: undefined,
    checking: undefined,
    ready: undefined,
    connectMode: 'unknown',
    openedIn: undefined,
    bypass: false,
    ending: false,
    discarded: false,
  }
  routed[STATE] = state
  Object.defineProperty(connection, CONNECTION_FACTS, { get: () => factsOf(state) })
  wrapClosing(routed, state, 'end')
  wrapClosing(routed, state, '_realEnd')
  watchFatal(routed, state)
  const base = connection.addCommand.bind(connection)
  connection.addCommand = function addCommand(this: Routed, cmd: unknown): unknown {
    if (state.bypass) return base(cmd)
    if (state.checking !== undefined) {
      state.checking.commands.push(cmd as MysqlCommand)
      return cmd
    }
    const handle = state.binding.current()
    if (handle === undefined) return base(cmd)
    return route(this, state, handle, cmd as MysqlCommand, base)
  }
  startCheck(routed, state)
}

/**
 * Resolves when a new connection's server check passed (at once for a connection that needs none); rejects with
 * a retryable `BlueGreenReadOnlyError` when it reached a server that no longer accepts writes (it is closed).
 *
 * @example
 * ```ts
 * await connectionReady(connection) // before handing a new pooled connection out
 * ```
 */
export function connectionReady(connection: MysqlConnectionLike): Promise<void> | undefined {
  return (connection as Routed)[STATE]?.ready
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

function route(
  connection: Routed,
  state: RouteState,
  handle: DeploymentHandle,
  cmd: MysqlCommand,
  base: (cmd: unknown) => unknown,
): unknown {
  // A connection taken out of use answers at once with the reason: a ROLLBACK after an interrupted transaction
  // must not wait for the switchover, nor for a connection that is being closed.
  if (state.discarded) {
    fail(cmd, state.discardedBy ?? new Error('rds-bluegreen: the connection was taken out of use'))
    return cmd
  }
  // COMMIT / ROLLBACK belong to the transaction they end: decided with its opening phase.
  const ending = state.openedIn
  trackTransaction(state, handle, cmd)
  watchReadOnly(connection, state, handle, cmd)
  if (state.batch !== undefined) {
    state.batch.commands.push(cmd)
    return cmd
  }
  const openedIn = state.openedIn ?? ending
  const hold =
    openedIn === undefined
      ? handle.beforeExecute(state.target, QUERY)
      : handle.beforeExecute(state.target, QUERY, { transactionOpenedIn: openedIn })
  if (hold === undefined) return base(cmd)
  const batch: HeldBatch = { commands: [cmd], settled: false }
  state.batch = batch
  hold.then(
    () => {
      if (state.batch === batch) state.batch = undefined
      if (batch.settled) return
      batch.settled = true
      const fatal = connection._fatalError
      if (fatal !== undefined && fatal !== null) {
        for (const held of batch.commands) fail(held, fatal)
        return
      }
      for (const held of batch.commands) base(held)
    },
    (err: unknown) => {
      if (state.batch === batch) state.batch = undefined
      // A transaction the switchover cut: its connection is dead or fenced, take it out of use.
      if ((err as { code?: unknown } | null)?.code === 'TRANSACTION_INTERRUPTED') {
        detach(connection, state)
        discard(connection, state, err)
      }
      settle(batch, err)
    },
  )
  return cmd
}

/** A statement that opens or ends a transaction moves the hint (the phase is the one published now). */
function trackTransaction(state: RouteState, handle: DeploymentHandle, cmd: MysqlCommand): void {
  if (typeof cmd.sql !== 'string') return
  const effect = transactionEffect(cmd.sql)
  if (effect === 'begin') state.openedIn ??= handle.snapshot().phase
  else if (effect === 'end') state.openedIn = undefined
}

const ORIGINAL = Symbol('rds-bluegreen.mysql2.on-result')
const WATCH = Symbol('rds-bluegreen.mysql2.read-only-watch')

/** A command whose result goes through {@link watchedOnResult}. */
interface WatchedCommand extends MysqlCommand {
  [ORIGINAL]?: OnResult
  [WATCH]?: ReadOnlyWatch
}

/**
 * Read-only errors are answered by `read-only.ts`; every other result passes untouched. The per-command cost is
 * three property writes: the shared {@link watchedOnResult} finds the command's own callback and the
 * connection's watch on the command it is called on (mysql2 calls `cmd.onResult(...)`), so no closure is made
 * per statement.
 */
function watchReadOnly(
  connection: Routed,
  state: RouteState,
  handle: DeploymentHandle,
  cmd: WatchedCommand,
): void {
  const original = cmd.onResult
  if (typeof original !== 'function' || original === watchedOnResult) return
  let watch = state.watch
  if (watch === undefined || watch.handle !== handle) {
    watch = { connection, state, handle }
    state.watch = watch
  }
  cmd[ORIGINAL] = original
  cmd[WATCH] = watch
  cmd.onResult = watchedOnResult
}

function watchedOnResult(this: WatchedCommand, err: unknown, ...rest: unknown[]): void {
  const original = this[ORIGINAL] as OnResult
  if (err == null) return original.call(this, err, ...rest)
  const { connection, state, handle } = this[WATCH] as ReadOnlyWatch
  const host = readOnlyHost(connection, state, handle)
  if (!isEvictingReadOnly(host, err)) return original.call(this, err, ...rest)
  const retries = state.options.retries !== false && handle.options.retryReadOnly
  handleReadOnly(host, this, err, (e, ...r) => original.call(this, e, ...r), retries)
}

function readOnlyHost(connection: Routed, state: RouteState, handle: DeploymentHandle): MysqlReadOnlyHost {
  return {
    handle,
    target: state.target,
    connectMode: state.connectMode,
    probe: (sql, callback) => runBypassing(connection, state, sql, callback),
    queuedBehind: () => connection._commands?.length ?? 0,
    detach: () => detach(connection, state),
    discard: (reason) => discard(connection, state, reason),
    fresh: state.options.fresh,
  }
}

function factsOf(state: RouteState): ConnectionFacts {
  return { target: state.target, remoteAddress: socketOf(state.config)?.dialedAddress }
}

/** A cut (a fatal error not of our own making) makes the target suspect, and fails what we hold. */
function watchFatal(connection: Routed, state: RouteState): void {
  // Commands held here are not in mysql2's own queue: when the connection dies meanwhile (the switchover cuts it),
  // they must fail with it, or they would wait forever.
  const notify = connection._notifyError?.bind(connection)
  if (notify === undefined) return
  connection._notifyError = (err: unknown): void => {
    if (!state.ending) serverMemory().markSuspect(state.target)
    const held = state.batch
    if (held !== undefined) rescueOrphans(state, held, err)
    if (state.checking !== undefined) settle(state.checking, err)
    state.failReady?.(err)
    state.batch = undefined
    state.checking = undefined
    notify(err)
  }
}

/**
 * Commands held by the library never reached the server: when the cut kills their connection, autocommit ones
 * go to fresh connections (`resendOrphaned`); the others (inside a transaction, transaction control, streams) fail
 * with the connection's error, as before.
 */
function rescueOrphans(state: RouteState, batch: HeldBatch, err: unknown): void {
  if (batch.settled) return
  batch.settled = true
  const handle = state.binding.current()
  const retries = handle !== undefined && handle.options.retryReadOnly && state.options.retries !== false
  const inTransaction = state.openedIn !== undefined
  // What cannot move belongs to a transaction the cut ended: say so, typed and retryable, with the cut as cause.
  const snapshot = handle?.snapshot()
  const interrupted =
    snapshot === undefined
      ? err
      : new BlueGreenTransactionInterruptedError({
          bgdId: snapshot.bgdId,
          phase: snapshot.phase,
          cut: true,
          cause: err,
        })
  for (const cmd of batch.commands) {
    const control = typeof cmd.sql === 'string' && transactionEffect(cmd.sql) !== undefined
    const rescued =
      retries && !inTransaction && !control
        ? resendOrphaned(handle, state.options.fresh, cmd, err)
        : undefined
    if (rescued !== undefined) void rescued.then(() => cmd.emit('end'))
    else fail(cmd, control || inTransaction ? interrupted : err)
  }
}

function wrapClosing(connection: Routed, state: RouteState, key: 'end' | '_realEnd'): void {
  // Called with the connection as `this`, as mysql2 itself calls it.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const original = connection[key]
  if (typeof original !== 'function') return
  connection[key] = function closing(this: unknown, ...args: unknown[]): unknown {
    state.bypass = true
    state.ending = true
    try {
      return original.apply(this, args)
    } finally {
      state.bypass = false
    }
  }
}
