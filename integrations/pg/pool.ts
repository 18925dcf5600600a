import pg from 'pg'
import type { DeploymentHandle } from '../../core/registry.js'
import type { BlueGreenSnapshot, ConnectTarget } from '../../core/types.js'
import { PHASE_ORDER } from '../../core/types.js'
import { shouldEvictIdle } from '../shared/blue-connections.js'
import { DeploymentBinding } from '../shared/deployment-binding.js'
import { copyConfig, splitDriverConfig } from '../shared/driver-config.js'
import type { PoolContext } from './client.js'
import { BlueGreenPgClient, CONNECTION_FACTS, POOL_CONTEXT } from './client.js'
import type { BlueGreenPgPoolConfig, PgConfigRecord } from './config.js'
import { pgTarget } from './config.js'
import { pgMetadataSource } from './metadata-source.js'

/** The pg-pool internals the pool uses for eviction (stable across pg-pool 3.x). */
interface PoolInternals {
  readonly _idle?: readonly { readonly client: pg.PoolClient }[]
  readonly _clients?: readonly pg.PoolClient[]
  readonly _expired?: WeakSet<pg.PoolClient>
  _remove?(client: pg.PoolClient, callback?: () => void): void
  _pulseQueue?(): void
}

type ConnectCallback = (
  err: Error | undefined,
  client: pg.PoolClient | undefined,
  done: (release?: Error | boolean) => void,
) => void
const NOOP = (): void => undefined

/**
 * A `pg.Pool` whose clients are {@link BlueGreenPgClient}s. A checkout (`connect()`, and so `query()`) is held
 * while the switchover is in progress **before** it takes a slot, so held work can never exhaust the pool; idle
 * connections to blue are closed when the switchover starts and those still on the old blue server after it.
 * `instanceof pg.Pool` holds and the class name contains "Pool" (Prisma, Drizzle).
 *
 * @example
 * ```ts
 * const pool = new BlueGreenPgPool({ host: 'mydb.c9akciq32.us-east-1.rds.amazonaws.com', max: 10, bgdId: 'orders' })
 * await pool.query('SELECT 1')
 * await pool.end()
 * ```
 */
export class BlueGreenPgPool extends pg.Pool {
  readonly #binding: DeploymentBinding
  readonly #target: ConnectTarget

  constructor(config?: BlueGreenPgPoolConfig) {
    const split = splitDriverConfig(config)
    const driverConfig = split.driverConfig as PgConfigRecord
    const target = pgTarget(driverConfig)
    const { options, lookup, logger, metadataSource } = split
    const ref: { pool?: BlueGreenPgPool } = {}
    const binding = new DeploymentBinding(
      {
        options,
        lookup,
        logger,
        initialHost: target,
        source: () => metadataSource ?? pgMetadataSource(driverConfig, options.monitoring, lookup),
      },
      (snapshot) => {
        if (ref.pool !== undefined) ref.pool.#onSnapshot(snapshot)
      },
    )
    const context: PoolContext = {
      binding,
      discard: (client) => {
        if (ref.pool !== undefined) ref.pool.#expire(client as unknown as pg.PoolClient)
      },
    }
    const userClient = driverConfig['Client']
    const Client =
      typeof userClient === 'function' && userClient.prototype instanceof BlueGreenPgClient
        ? userClient
        : BlueGreenPgClient
    const poolOptions = copyConfig(driverConfig, { Client }) as Record<string | symbol, unknown>
    poolOptions[POOL_CONTEXT] = context
    super(poolOptions)
    ref.pool = this
    this.#binding = binding
    this.#target = target
  }

  /** The deployment this pool follows (acquired at the first checkout), for diagnostics. */
  get blueGreen(): DeploymentHandle | undefined {
    return this.#binding.current()
  }

  override connect(): Promise<pg.PoolClient>
  override connect(callback: ConnectCallback): void
  override connect(callback?: ConnectCallback): Promise<pg.PoolClient> | void {
    const handle = this.#binding.handle()
    const hold = handle?.beforeExecute(this.#target, 'connect')
    if (
      hold === undefined &&
      (handle === undefined || PHASE_ORDER[handle.snapshot().phase] < PHASE_ORDER.IN_PROGRESS)
    ) {
      return callback === undefined ? super.connect() : super.connect(callback)
    }
    const checkedOut = this.#checkedConnect(handle, hold)
    if (callback === undefined) return checkedOut
    checkedOut.then(
      (client) => callback(undefined, client, client.release.bind(client)),
      (err: Error) => callback(err, undefined, NOOP),
    )
  }

  override end(): Promise<void>
  override end(callback: () => void): void
  override end(callback?: () => void): Promise<void> | void {
    const released = this.#binding.release()
    if (callback !== undefined) {
      super.end(() => void released.then(callback, callback))
      return
    }
    return Promise.all([super.end(), released]).then(() => undefined)
  }

  /** Waits for the hold (outside the pool: no slot taken), then skips connections still on the old blue. */
  async #checkedConnect(
    handle: DeploymentHandle | undefined,
    hold: Promise<void> | undefined,
  ): Promise<pg.PoolClient> {
    if (hold !== undefined) await hold
    for (let attempt = 0; ; attempt++) {
      const client = await super.connect()
      if (
        handle === undefined ||
        attempt > (this.options.max ?? 10) ||
        !this.#isStale(handle.snapshot(), client)
      ) {
        return client
      }
      client.release(new Error('rds-bluegreen: connection on the old blue server discarded'))
    }
  }

  #isStale(snapshot: BlueGreenSnapshot, client: pg.PoolClient): boolean {
    if (!(client instanceof BlueGreenPgClient)) return false
    return shouldEvictIdle(snapshot, client[CONNECTION_FACTS], this.#binding.init.options.dropBlueConnections)
  }

  /** Closes idle connections that the new phase makes stale; marks busy ones to be dropped on release. */
  #onSnapshot(snapshot: BlueGreenSnapshot): void {
    if (PHASE_ORDER[snapshot.phase] < PHASE_ORDER.IN_PROGRESS) return
    const internals = this as unknown as PoolInternals
    const idle = new Set((internals._idle ?? []).map((item) => item.client))
    for (const client of internals._clients ?? []) {
      if (!this.#isStale(snapshot, client)) continue
      if (idle.has(client) && internals._remove !== undefined) {
        internals._remove(client, () => internals._pulseQueue?.())
      } else {
        this.#expire(client)
      }
    }
  }

  #expire(client: pg.PoolClient): void {
    ;(this as unknown as PoolInternals)._expired?.add(client)
  }
}
