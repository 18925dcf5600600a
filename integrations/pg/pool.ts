import pg from 'pg'
import type { DeploymentHandle } from '../../core/registry.js'
import { bindDeployment } from '../shared/deployment-binding.js'
import type { DeploymentBinding } from '../shared/deployment-binding.js'
import { copyConfig, splitDriverConfig } from '../shared/driver-config.js'
import { attachMembership, factsOf } from '../shared/pool-member.js'
import { PoolPolicy, isFencedConnect, retryCap } from '../shared/pool-policy.js'
import { BlueGreenPgClient } from './client.js'
import type { BlueGreenPgPoolConfig, PgConfigRecord } from './config.js'
import { pgTarget, rejectOwnSocket } from './config.js'
import { currentRelease, guardCheckouts } from './guard-checkouts.js'
import type { ConnectCallback } from './queued-checkouts.js'
import { QueuedCheckouts } from './queued-checkouts.js'
import { pgMetadataSource } from './metadata-source.js'

/** The pg-pool internals the adapter maps the policy onto (stable across pg-pool 3.x). */
interface PoolInternals {
  readonly _idle?: readonly { readonly client: pg.PoolClient }[]
  readonly _clients?: readonly pg.PoolClient[]
  readonly _expired?: WeakSet<pg.PoolClient>
  _remove?(client: pg.PoolClient, callback?: () => void): void
  _pulseQueue?(): void
  _isFull?(): boolean
}

const NOOP = (): void => undefined

/**
 * A `pg.Pool` whose clients are {@link BlueGreenPgClient}s, following the shared pool policy
 * (`integrations/shared/pool-policy.ts`): a checkout (`connect()`, and so `query()`) is held while the switchover
 * is in progress **before** it takes a slot, connections left on the old blue server are closed or skipped. A
 * checked-out client that loses its connection (a switchover cuts them all) goes back to the pool at once
 * instead of crashing the process on an unhandled 'error'. `instanceof pg.Pool` holds and the class name
 * contains "Pool" (Prisma, Drizzle).
 *
 * @example
 * ```ts
 * const pool = new BlueGreenPgPool({ host: 'mydb.c9akciq32.us-east-1.rds.amazonaws.com', max: 10, blueGreen: { bgdId: 'orders' } })
 * await pool.query('SELECT 1')
 * await pool.end()
 * ```
 */
export class BlueGreenPgPool extends pg.Pool {
  readonly #binding: DeploymentBinding
  readonly #policy: PoolPolicy<pg.PoolClient>
  readonly #queued = new QueuedCheckouts()

  /** @throws {BlueGreenConfigError} for an invalid Blue/Green option or a `stream` option. */
  constructor(config?: BlueGreenPgPoolConfig) {
    const split = splitDriverConfig(config)
    const driverConfig = split.driverConfig as PgConfigRecord
    const target = pgTarget(driverConfig)
    const ref: { pool?: BlueGreenPgPool } = {}
    const binding = bindDeployment(split, target, pgMetadataSource, {
      onSnapshot: (snapshot) => {
        if (ref.pool === undefined) return
        const pool = ref.pool
        if (snapshot.phase === 'IN_PROGRESS') pool.#queued.moveAll((cb) => pool.connect(cb))
        pool.#policy.evict(snapshot)
      },
    })
    const userClient = driverConfig['Client']
    const Client =
      typeof userClient === 'function' && userClient.prototype instanceof BlueGreenPgClient
        ? userClient
        : BlueGreenPgClient
    rejectOwnSocket(driverConfig)
    const poolOptions = attachMembership(copyConfig(driverConfig, { Client }), {
      binding,
      discard: (client) => {
        if (ref.pool !== undefined) ref.pool.#expire(client as pg.PoolClient)
      },
    })
    super(poolOptions)
    ref.pool = this
    this.#binding = binding
    this.#policy = new PoolPolicy(binding, target, retryCap(this.options.max), this.#access())
    guardCheckouts(this)
  }

  /** The deployment this pool follows (acquired at the first checkout), for diagnostics. */
  get blueGreen(): DeploymentHandle | undefined {
    return this.#binding.current()
  }

  override connect(): Promise<pg.PoolClient>
  override connect(callback: ConnectCallback): void
  override connect(callback?: ConnectCallback): Promise<pg.PoolClient> | void {
    const policy = this.#policy
    const checkedOut = policy.checkout()
    const deliver: ConnectCallback | undefined =
      callback === undefined
        ? undefined
        : (err, client, done) => {
            // A new connection that reached a fenced server is taken again (see PoolPolicy.retryFenced).
            if (err != null && isFencedConnect(err)) {
              policy.retryFenced(err).then(
                (retried) => callback(undefined, retried, currentRelease(retried)),
                (final: Error) => callback(final, undefined, NOOP),
              )
              return
            }
            callback(err, client, client === undefined ? done : currentRelease(client))
          }
    if (checkedOut === undefined) {
      const internals = this as unknown as PoolInternals
      // A full pool queues the checkout: keep it movable into the hold should the switchover start meanwhile.
      if (internals._isFull?.() === true && (internals._idle?.length ?? 0) === 0) {
        const queued = this.#queued.enqueue((cb) => super.connect(cb), deliver)
        return queued?.catch((err: unknown) => policy.retryFenced(err))
      }
      if (deliver !== undefined) return super.connect(deliver)
      return super.connect().catch((err: unknown) => policy.retryFenced(err))
    }
    const retried = checkedOut.catch((err: unknown) => policy.retryFenced(err))
    if (callback === undefined) return retried
    retried.then(
      (client) => callback(undefined, client, currentRelease(client)),
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

  /** The policy's view of pg-pool. */
  #access(): ConstructorParameters<typeof PoolPolicy<pg.PoolClient>>[3] {
    const internals = this as unknown as PoolInternals
    return {
      acquire: () => super.connect(),
      facts: (client) => factsOf(client),
      discard: (client) =>
        client.release(new Error('rds-bluegreen: connection on the old blue server discarded')),
      connections: () => {
        const idle = new Set((internals._idle ?? []).map((item) => item.client))
        return (internals._clients ?? []).map((client) => ({ connection: client, idle: idle.has(client) }))
      },
      close: (client) => {
        if (internals._remove === undefined) this.#expire(client)
        else internals._remove(client, () => internals._pulseQueue?.())
      },
      retire: (client) => this.#expire(client),
    }
  }

  #expire(client: pg.PoolClient): void {
    ;(this as unknown as PoolInternals)._expired?.add(client)
  }
}
