import pg from 'pg'
import { BlueGreenReadOnlyError } from '../../core/errors.js'
import { withoutBlueGreenKeys } from '../../core/options.js'
import type { DeploymentHandle } from '../../core/registry.js'
import type { ConnectTarget } from '../../core/types.js'
import type { ConnectionFacts } from '../shared/blue-connections.js'
import { isPgReadOnlyError, isSwitchoverReadOnly, switchoverActive } from '../shared/blue-connections.js'
import type { DeploymentBinding } from '../shared/deployment-binding.js'
import { bindDeployment, STANDALONE_LINGER_MS } from '../shared/deployment-binding.js'
import { copyConfig, splitDriverConfig } from '../shared/driver-config.js'
import type { PoolMembership } from '../shared/pool-member.js'
import { CONNECTION_FACTS, membershipOf } from '../shared/pool-member.js'
import { RoutedSocket } from '../shared/routed-socket.js'
import type { BlueGreenPgClientConfig } from './config.js'
import { pgConfigObject, rejectOwnSocket } from './config.js'
import { pgMetadataSource } from './metadata-source.js'

type RawQuery = (this: unknown, config: unknown, values?: unknown, callback?: unknown) => unknown
type Callback = (err: unknown, result?: unknown) => void
// The prototype method itself, always called with `.call(client, ...)`.
// eslint-disable-next-line @typescript-eslint/unbound-method
const baseQuery = pg.Client.prototype.query as unknown as RawQuery

/**
 * A `pg.Client` that follows a Blue/Green switchover: new connections are routed (held while the switchover is in
 * progress, sent to the right IP while keeping the host name for TLS, refused to green hosts once they are
 * retired), queries are held while the switchover is in progress, and read-only errors from the old blue server
 * surface as `BlueGreenReadOnlyError` and close the connection. Every `pg.Client` call form works unchanged.
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
  #discarded = false

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
    const lookup = split?.lookup ?? pool?.binding.init.lookup
    const socket = new RoutedSocket({ lookup })
    driverConfig['stream'] = () => socket
    super(driverConfig)
    this.#socket = socket
    this.#pool = pool
    this.#target = { host: this.host, port: this.port }
    if (pool !== undefined) {
      this.#binding = pool.binding
    } else {
      this.#binding = bindDeployment(split ?? splitDriverConfig({}), this.#target, pgMetadataSource, {
        lingerMs: STANDALONE_LINGER_MS,
      })
      this.once('end', () => void this.#binding.release())
    }
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
        const plan = await this.#route(handle)
        this.#socket.override =
          plan.kind === 'substitute' ? { address: plan.address, port: plan.port } : undefined
      }
      await super.connect()
      return this
    } catch (err) {
      if (this.#pool === undefined) void this.#binding.release()
      throw err
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

  #query(config: unknown, values: unknown, callback: unknown): unknown {
    const handle = this.#binding.current()
    if (handle === undefined) return baseQuery.call(this, config, values, callback)
    const hold = handle.beforeExecute(this.#target, 'query')
    if (hold === undefined && !switchoverActive(handle.snapshot())) {
      return baseQuery.call(this, config, values, callback)
    }
    return this.#checkedQuery(handle, hold, config, values, callback)
  }

  /** The slow path: a hold to wait for, and/or read-only errors to map while a switchover is active. */
  #checkedQuery(
    handle: DeploymentHandle,
    hold: Promise<void> | undefined,
    config: unknown,
    values: unknown,
    callback: unknown,
  ): unknown {
    const record = typeof config === 'object' && config !== null ? (config as Record<string, unknown>) : {}
    if (typeof record['submit'] === 'function') {
      if (hold === undefined) return baseQuery.call(this, config, values, callback)
      hold.then(
        () => baseQuery.call(this, config, values, callback),
        (err: unknown) => failSubmittable(record, values, err),
      )
      return config
    }
    const done = (
      typeof callback === 'function' ? callback : typeof values === 'function' ? values : undefined
    ) as Callback | undefined
    if (done !== undefined) {
      const mapped: Callback = (err, result) => done(err == null ? err : this.#mapError(handle, err), result)
      const run = (): unknown =>
        done === callback
          ? baseQuery.call(this, config, values, mapped)
          : baseQuery.call(this, config, mapped)
      if (hold === undefined) return run()
      hold.then(run, (err: unknown) => done(err))
      return undefined
    }
    if (typeof record['callback'] === 'function') {
      if (hold === undefined) return baseQuery.call(this, config, values, callback)
      const own = record['callback'] as Callback
      hold.then(
        () => baseQuery.call(this, config, values, callback),
        (err: unknown) => own(err),
      )
      return undefined
    }
    const run = (): Promise<unknown> =>
      (baseQuery.call(this, config, values) as Promise<unknown>).catch((err: unknown) => {
        throw this.#mapError(handle, err)
      })
    return hold === undefined ? run() : hold.then(run)
  }

  /** A read-only error from the old blue server: discard this connection and say so with a typed error. */
  #mapError(handle: DeploymentHandle, err: unknown): unknown {
    if (!isPgReadOnlyError(err)) return err
    const snapshot = handle.snapshot()
    if (!isSwitchoverReadOnly(snapshot, this[CONNECTION_FACTS])) return err
    this.#discard()
    return new BlueGreenReadOnlyError({ bgdId: snapshot.bgdId, phase: snapshot.phase, cause: err })
  }

  #discard(): void {
    if (this.#discarded) return
    this.#discarded = true
    if (this.#pool !== undefined) this.#pool.discard(this)
    else void this.end().catch(() => undefined)
  }
}

/** A held Submittable (cursor, stream) whose hold failed: report through its own error path. */
function failSubmittable(record: Record<string, unknown>, values: unknown, err: unknown): void {
  const callback = typeof values === 'function' ? values : record['callback']
  if (typeof callback === 'function') (callback as Callback)(err)
  else if (typeof record['handleError'] === 'function') (record['handleError'] as (e: unknown) => void)(err)
  else if (typeof record['emit'] === 'function')
    (record['emit'] as (e: string, x: unknown) => void)('error', err)
}
