import pg from 'pg'
import {
  BlueGreenHoldAbortedError,
  BlueGreenReadOnlyError,
  BlueGreenTransactionInterruptedError,
} from '../../core/errors.js'
import { withoutBlueGreenKeys } from '../../core/options.js'
import type { DeploymentHandle } from '../../core/registry.js'
import type { ConnectTarget } from '../../core/types.js'
import type { ConnectionFacts } from '../shared/blue-connections.js'
import { serverMemory } from '../shared/read-only.js'
import { waitForWritable } from '../shared/wait-writable.js'
import type { DeploymentBinding } from '../shared/deployment-binding.js'
import { bindDeployment, STANDALONE_LINGER_MS } from '../shared/deployment-binding.js'
import { copyConfig, splitDriverConfig } from '../shared/driver-config.js'
import type { PoolMembership } from '../shared/pool-member.js'
import { CONNECTION_FACTS, attachMembership, membershipOf } from '../shared/pool-member.js'
import { RoutedSocket } from '../shared/routed-socket.js'
import type { BlueGreenPgClientConfig } from './config.js'
import { pgConfigObject, rejectOwnSocket } from './config.js'
import { pgMetadataSource } from './metadata-source.js'
import type { ActiveQuery, ReadOnlyHost } from './read-only.js'
import { onReadOnlyError, resendStatement } from './read-only.js'
import { isRetryConnection, retryConnectionConfig } from '../shared/retry-read-only.js'
import { PgSession } from './session.js'
import type { HeldQueryHost } from './held-query.js'
import { heldQuery } from './held-query.js'
import { orphanPlan } from './query-forms.js'

type RawQuery = (this: unknown, config: unknown, values?: unknown, callback?: unknown) => unknown
// The prototype method itself, always called with `.call(client, ...)`.
// eslint-disable-next-line @typescript-eslint/unbound-method
const baseQuery = pg.Client.prototype.query as unknown as RawQuery

/**
 * A `pg.Client` that follows a Blue/Green switchover: new connections are routed (held while the switchover is in
 * progress, sent to the right IP while keeping the host name for TLS, refused to green hosts once they are
 * retired) and refused when they reach a server that no longer accepts writes; queries are held while the
 * switchover is in progress; a read-only error from such a server takes the connection out of use (an autocommit
 * statement is sent again elsewhere first, see `read-only.ts`). Every `pg.Client` call form works unchanged.
 *
 * @example
 * ```ts
 * const client = new BlueGreenPgClient({ host: 'mydb.c9akciq32.us-east-1.rds.amazonaws.com', user, password })
 * await client.connect()
 * await client.query('SELECT 1')
 * await client.end()
 * ```
 */
export class BlueGreenPgClient extends pg.Client {
  readonly #binding: DeploymentBinding
  readonly #pool: PoolMembership | undefined
  readonly #socket: RoutedSocket
  readonly #target: ConnectTarget
  readonly #session: PgSession
  /** The driver config without the socket, to open a fresh connection for a retried statement. */
  readonly #freshConfig: Record<string, unknown>
  readonly #retries: boolean
  /** A held BEGIN met a dead connection: the statements queued behind it belong to its transaction. */
  #heldTransaction = false
  #discarded = false
  #ending = false
  readonly #held: HeldQueryHost = {
    send: (config, values, callback) => baseQuery.call(this, config, values, callback),
    rescue: (config, values) => this.#rescue(config, values),
    failHeld: (err, report) => this.#failHeld(err, report),
  }

  static {
    Object.defineProperty(this.prototype, 'query', {
      configurable: true,
      writable: true,
      value: function query(this: BlueGreenPgClient, config: unknown, values?: unknown, callback?: unknown) {
        return this.#query(config, values, callback)
      },
    })
  }

  /**
   * @throws {BlueGreenConfigError} for a `stream` or `connection` option (the client dials its own routed
   * socket; use `blueGreen.lookup` to resolve names your way) or an invalid Blue/Green option.
   */
  constructor(config?: string | BlueGreenPgClientConfig) {
    const input = pgConfigObject<BlueGreenPgClientConfig>(config)
    const pool = membershipOf(input)
    rejectOwnSocket(input)
    const split = pool === undefined ? splitDriverConfig(input) : undefined
    // pg-pool hands its clients options whose `password` is non-enumerable: copy every property. A pool member
    // (knex) may still carry its `blueGreen` keys: the pool already read them.
    const driverConfig = copyConfig(split?.driverConfig ?? withoutBlueGreenKeys(input))
    delete driverConfig['lookup']
    const freshConfig = copyConfig(driverConfig)
    const lookup = split?.lookup ?? pool?.binding.init.lookup
    const socket = new RoutedSocket({ lookup })
    driverConfig['stream'] = () => socket
    super(driverConfig)
    this.#socket = socket
    this.#pool = pool
    this.#target = { host: this.host, port: this.port }
    this.#freshConfig = freshConfig
    this.#retries = !isRetryConnection(input)
    if (pool !== undefined) {
      this.#binding = pool.binding
    } else {
      this.#binding = bindDeployment(split ?? splitDriverConfig({}), this.#target, pgMetadataSource, {
        lingerMs: STANDALONE_LINGER_MS,
      })
      this.once('end', () => void this.#binding.release())
    }
    this.#session = new PgSession(this.connection, () => this.#binding.current()?.snapshot().phase)
    // A connection that ends unasked (the switchover cuts them) makes its target suspect (wait-writable.ts).
    this.connection.once('end', () => this.#ending || serverMemory().markSuspect(this.#target))
  }

  /** The deployment this client follows (acquired at the first connect), for diagnostics. */
  get blueGreen(): DeploymentHandle | undefined {
    return this.#binding.current()
  }

  /** The configured target and the IP really dialed. */
  get [CONNECTION_FACTS](): ConnectionFacts {
    return { target: this.#target, remoteAddress: this.#socket.dialedAddress }
  }

  override connect(): Promise<pg.Client>
  override connect(callback: ((err: Error) => void) | ((err: null, client: pg.Client) => void)): void
  override connect(
    callback?: ((err: Error) => void) | ((err: null, client: pg.Client) => void),
  ): Promise<pg.Client> | void {
    const connected = this.#connect()
    if (callback === undefined) return connected
    const done = callback as (err: Error | null, client?: pg.Client) => void
    connected.then(
      (client) => done(null, client),
      (err: Error) => done(err),
    )
  }

  override end(): Promise<void>
  override end(callback: (err: Error) => void): void
  override end(callback?: (err: Error) => void): Promise<void> | void {
    this.#ending = true
    const released = this.#pool === undefined ? this.#binding.release() : Promise.resolve()
    if (callback !== undefined) {
      super.end((err) => void released.then(() => callback(err)))
      return
    }
    return Promise.all([super.end(), released]).then(() => undefined)
  }

  async #connect(): Promise<pg.Client> {
    const handle = this.#binding.handle()
    try {
      if (handle !== undefined) {
        // A standalone client cannot reconnect: it waits for a writable server before it dials (wait-writable.ts).
        if (this.#pool === undefined && this.#retries)
          await waitForWritable(handle, this.#target, () => this.#probe(handle))
        const plan = await this.#route(handle)
        // pg-pool gave up (destroyed the socket) in the moment the hold ended: never dial it, Node would reopen it.
        if (this.#socket.destroyed) throw heldAbort(handle)
        this.#socket.override =
          plan.kind === 'substitute' ? { address: plan.address, port: plan.port } : undefined
      }
      await super.connect()
      if (handle !== undefined) await this.#judgeServer(handle)
      return this
    } catch (err) {
      // No pg connect timer may outlive a failed connect (it would destroy the socket long after).
      clearTimeout((this as unknown as { connectionTimeoutHandle?: NodeJS.Timeout }).connectionTimeoutHandle)
      if (this.#pool === undefined) void this.#binding.release()
      throw err
    }
  }

  /** Connects a throwaway client of the same settings, which is judged (and refused when fenced) as any. */
  async #probe(handle: DeploymentHandle): Promise<void> {
    const probe = this.#readOnlyHost(handle).fresh()
    probe.on('error', () => undefined)
    try {
      await probe.connect()
    } finally {
      void probe.end().catch(() => undefined)
    }
  }

  /**
   * The connect decision, abandoned when the socket is destroyed meanwhile: pg-pool gives up on a slow connect
   * (`connectionTimeoutMillis`) by destroying the stream, and its slot must be free then, not when the hold ends.
   */
  async #route(handle: DeploymentHandle): ReturnType<DeploymentHandle['routeConnect']> {
    const socket = this.#socket
    const abort = new AbortController()
    const onClose = (): void => abort.abort(new Error('rds-bluegreen: connection closed while held'))
    if (socket.destroyed) onClose()
    else socket.once('close', onClose)
    try {
      return await handle.routeConnect(this.#target, abort.signal)
    } finally {
      socket.removeListener('close', onClose)
    }
  }

  /**
   * A server that accepted writes and now reports itself read-only (the old blue after the cut, with or
   * without metadata): close this connection and fail the connect with a retryable error, so the pool opens
   * another one (the name is resolved again) instead of handing out a connection every write fails on.
   */
  async #judgeServer(handle: DeploymentHandle): Promise<void> {
    const mode = this.#session.connected()
    const { retryReadOnly, connectTimeoutMs } = handle.options
    if (!retryReadOnly) return serverMemory().note(this.#target, mode)
    if (serverMemory().judgeConnect(this.#target, mode, connectTimeoutMs) === 'accept') return
    await super.end().catch(() => undefined)
    const { bgdId, phase } = handle.snapshot()
    throw new BlueGreenReadOnlyError({ bgdId, phase, atConnect: true })
  }

  #query(config: unknown, values: unknown, callback: unknown): unknown {
    const handle = this.#binding.current()
    if (handle === undefined) return baseQuery.call(this, config, values, callback)
    const openedIn = this.#session.transactionOpenedIn
    const hold =
      openedIn === undefined
        ? handle.beforeExecute(this.#target, 'query')
        : handle.beforeExecute(this.#target, 'query', { transactionOpenedIn: openedIn })
    if (hold === undefined) return baseQuery.call(this, config, values, callback)
    return heldQuery(this.#held, hold, config, values, callback)
  }

  /**
   * pg's own handler of a server error message: a read-only error is looked at before pg delivers it, so the
   * success path costs nothing (no wrapped callback per query). See `read-only.ts`.
   */
  _handleErrorMessage(msg: unknown): void {
    const handle = this.#binding.current()
    const active = (this as unknown as { _activeQuery?: ActiveQuery | null })._activeQuery
    if (handle !== undefined && active != null) onReadOnlyError(this.#readOnlyHost(handle), active, msg)
    ;(pg.Client.prototype as unknown as { _handleErrorMessage(m: unknown): void })._handleErrorMessage.call(
      this,
      msg,
    )
  }

  #readOnlyHost(handle: DeploymentHandle): ReadOnlyHost {
    return {
      handle,
      target: this.#target,
      session: this.#session,
      retries: this.#retries,
      discard: () => this.#discard(),
      fresh: () =>
        new BlueGreenPgClient(
          retryConnectionConfig(
            attachMembership(copyConfig(this.#freshConfig), {
              binding: this.#binding,
              discard: () => undefined,
            }),
          ),
        ),
    }
  }

  /** A held statement whose connection the cut killed: moved or interrupted (`orphanPlan`); else sent here. */
  #rescue(config: unknown, values: unknown): Promise<unknown> | undefined {
    const client = this as unknown as { _queryable?: boolean; _ending?: boolean }
    const handle = this.#binding.current()
    if ((client._queryable !== false && client._ending !== true) || handle === undefined) return undefined
    const plan = orphanPlan(config, values, this.#session.inTransaction(), this.#heldTransaction)
    this.#heldTransaction = plan.heldTransaction
    const cut = new Error('Client has encountered a connection error and is not queryable')
    if (plan.kind === 'interrupt') {
      const { bgdId, phase } = handle.snapshot()
      return Promise.reject(new BlueGreenTransactionInterruptedError({ bgdId, phase, cut: true, cause: cut }))
    }
    if (plan.kind === 'send-here' || !this.#retries || !handle.options.retryReadOnly) return undefined
    return resendStatement(this.#readOnlyHost(handle), plan.statement, cut)
  }

  /** A hold that ended in an interrupted transaction also discards this connection (it is cut or fenced). */
  #failHeld<T>(err: unknown, report: () => T): T {
    if ((err as { code?: unknown } | null)?.code === 'TRANSACTION_INTERRUPTED') this.#discard()
    return report()
  }

  #discard(): void {
    if (this.#discarded) return
    this.#discarded = true
    if (this.#pool !== undefined) this.#pool.discard(this)
    else void this.end().catch(() => undefined)
  }
}

/** The connect was given up on (its socket destroyed) while it was held. */
function heldAbort(handle: DeploymentHandle): BlueGreenHoldAbortedError {
  const { bgdId, phase } = handle.snapshot()
  return new BlueGreenHoldAbortedError({ bgdId, phase, cause: new Error('socket closed while held') })
}
