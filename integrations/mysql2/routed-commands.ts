import type { Connection } from 'mysql2'
import { BlueGreenReadOnlyError } from '../../core/errors.js'
import type { Phase } from '../../core/phases.js'
import type { DeploymentHandle } from '../../core/registry.js'
import type { ConnectTarget, ExecuteKind } from '../../core/types.js'
import type { ConnectionFacts } from '../shared/blue-connections.js'
import type { DeploymentBinding } from '../shared/deployment-binding.js'
import { CONNECTION_FACTS } from '../shared/pool-member.js'
import type { ServerMode } from '../shared/read-only.js'
import { serverMemory } from '../shared/read-only.js'
import type { MysqlReadOnlyHost, OnResult, RetryableCommand } from './read-only.js'
import { handleReadOnly, isEvictingReadOnly } from './read-only.js'
import { socketOf } from './routed-stream.js'
import { transactionEffect } from './transaction-state.js'

/** The slice of a mysql2 command the router touches. */
interface MysqlCommand extends RetryableCommand {
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
interface HeldBatch {
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

interface RouteState {
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
  /** Rejects `ready` when the connection dies before its check answered. */
  failReady?: (err: unknown) => void
}

const STATE = Symbol('rds-bluegreen.mysql2.route-state')
type Routed = MysqlConnectionLike & { [STATE]?: RouteState }
const QUERY: ExecuteKind = 'query'
/** Read once per new connection to a target that is new or suspect: is this server accepting writes? */
const CHECK_SQL = 'SELECT (@@global.read_only OR @@global.innodb_read_only) AS bg_read_only'

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
  trackTransaction(state, handle, cmd)
  watchReadOnly(connection, state, handle, cmd)
  if (state.batch !== undefined) {
    state.batch.commands.push(cmd)
    return cmd
  }
  const openedIn = state.openedIn
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
      if ((err as { code?: unknown } | null)?.code === 'TRANSACTION_INTERRUPTED') discard(connection, state)
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

/** Read-only errors are answered by `read-only.ts`; every other result passes untouched. */
function watchReadOnly(
  connection: Routed,
  state: RouteState,
  handle: DeploymentHandle,
  cmd: MysqlCommand,
): void {
  const original = cmd.onResult
  if (typeof original !== 'function') return
  cmd.onResult = function onResult(this: unknown, err: unknown, ...rest: unknown[]): void {
    if (err == null) return original.call(this, err, ...rest)
    const host = readOnlyHost(connection, state, handle)
    if (!isEvictingReadOnly(host, err)) return original.call(this, err, ...rest)
    const retries = state.options.retries !== false && handle.options.retryReadOnly
    handleReadOnly(host, cmd, err, (e, ...r) => original.call(this, e, ...r), retries)
  }
}

function readOnlyHost(connection: Routed, state: RouteState, handle: DeploymentHandle): MysqlReadOnlyHost {
  return {
    handle,
    target: state.target,
    connectMode: state.connectMode,
    probe: (sql, callback) => runBypassing(connection, state, sql, callback),
    queuedBehind: () => connection._commands?.length ?? 0,
    detach: () => detach(connection, state),
    discard: () => discard(connection, state),
    fresh: state.options.fresh,
  }
}

/**
 * The connect check: a new connection to a target that is new to this process or suspect reads whether its
 * server accepts writes before any application command runs (they wait in `checking`). It is sent once the
 * handshake is done: queued earlier, it would swallow a handshake error that mysql2 must emit on the connection.
 */
function startCheck(connection: Routed, state: RouteState): void {
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
          resolve()
          for (const cmd of batch.commands) connection.addCommand(cmd)
          return
        }
        const { bgdId, phase } = handle.snapshot()
        const fenced = new BlueGreenReadOnlyError({ bgdId, phase, atConnect: true })
        settle(batch, fenced)
        detach(connection, state)
        discard(connection, state)
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

function runBypassing(
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

function detach(connection: Routed, state: RouteState): void {
  if (state.options.detach !== undefined) return state.options.detach()
  ;(connection as { _removeFromPool?: () => void })._removeFromPool?.()
}

function discard(connection: Routed, state: RouteState): void {
  if (state.discarded) return
  state.discarded = true
  const close = state.options.discard ?? (() => connection.destroy())
  process.nextTick(close)
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
    for (const batch of [state.batch, state.checking]) if (batch !== undefined) settle(batch, err)
    state.failReady?.(err)
    state.batch = undefined
    state.checking = undefined
    notify(err)
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
