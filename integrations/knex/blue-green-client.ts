import type { Knex } from 'knex'
import type { ConnectTarget } from '../../core/types.js'
import type { BlueGreenSettings } from '../shared/config-types.js'
import type { DeploymentBinding, MetadataSourceFactory } from '../shared/deployment-binding.js'
import { bindDeployment } from '../shared/deployment-binding.js'
import { copyConfig, splitDriverConfig } from '../shared/driver-config.js'
import { MovablePromises } from '../shared/movable-checkouts.js'
import type { PoolMembership } from '../shared/pool-member.js'
import { factsOf } from '../shared/pool-member.js'
import { PoolPolicy, retryCap } from '../shared/pool-policy.js'

/** What a dialect brings: its routed driver, made to use the knex client's binding, and its metadata source. */
export interface DialectWiring {
  /** The routed driver module whose connections join `member(settings)` (the knex client's binding). */
  readonly driver: (member: (settings: unknown) => PoolMembership | undefined) => object
  readonly defaultPort: number
  readonly metadataSource: MetadataSourceFactory
}

/** Per-knex-instance state, kept off the client object: knex builds transaction clients with Object.create(). */
interface KnexState {
  readonly binding: DeploymentBinding
  readonly policy: PoolPolicy<RawConnection>
  readonly membership: PoolMembership
  readonly connections: Set<RawConnection>
  /** A checkout: held before it takes a slot during the switchover, else tarn's own, movable while it waits. */
  readonly checkout: () => Promise<RawConnection>
  /** `policy.retryFenced`, bound once. */
  readonly retryFenced: (err: unknown) => Promise<RawConnection>
}

interface RawConnection {
  __knex__disposed?: unknown
}

const states = new WeakMap<object, KnexState>()

/**
 * A knex config for {@link AwsBgPg} / {@link AwsBgMysql}: knex's own, plus the Blue/Green settings as one
 * top-level `blueGreen` (the same settings as the routed drivers' `blueGreen` key), merged into every connection's
 * config, the async `connection` provider's included.
 *
 * @example
 * ```ts
 * const config: BlueGreenKnexConfig = { client: AwsBgPg, connection: { host, user }, blueGreen: { bgdId: 'orders' } }
 * ```
 */
export interface BlueGreenKnexConfig extends Knex.Config {
  blueGreen?: BlueGreenSettings
}

/**
 * The knex config with `blueGreen` merged into the connection config (a connection's own `blueGreen` keys win).
 * Copies keep every property, hidden ones included: knex hides the password of `client.config.connection` as
 * non-enumerable, and a config rebuilt from it would otherwise connect without one.
 *
 * @example
 * ```ts
 * mergeBlueGreen({ client: AwsBgPg, connection: { host }, blueGreen: { bgdId: 'a' } }).connection // { host, blueGreen: { bgdId: 'a' } }
 * ```
 */
export function mergeBlueGreen(config: BlueGreenKnexConfig): Knex.Config {
  const extra = config.blueGreen
  const connection = config.connection
  if (extra === undefined || connection === undefined) return config
  const merge = (settings: unknown): unknown =>
    typeof settings === 'object' && settings !== null
      ? copyConfig(settings, { blueGreen: { ...extra, ...(settings as { blueGreen?: object }).blueGreen } })
      : settings
  const merged =
    typeof connection === 'function'
      ? async (): Promise<unknown> => merge(await (connection as () => unknown)())
      : merge(connection)
  return copyConfig(config, { connection: merged }) as Knex.Config
}

/**
 * The knex client's reference to its deployment, for the client's lifetime, created at the first checkout once
 * knex knows the connection settings (an async provider gives them only then). Its raw connections join it
 * (one binding per knex instance, no standalone monitors or linger per connection).
 */
function knexState(
  client: Knex.Client,
  settings: unknown,
  wiring: DialectWiring,
  acquire: (client: Knex.Client) => Promise<unknown>,
): KnexState | undefined {
  const existing = states.get(client.config)
  if (existing !== undefined) return existing
  if (typeof settings !== 'object' || settings === null) return undefined
  const split = splitDriverConfig(settings)
  const driverConfig = split.driverConfig as Readonly<Record<string, unknown>>
  const host = driverConfig['host']
  if (typeof host !== 'string' || host === '' || host.startsWith('/')) return undefined
  const port = Number(driverConfig['port'] ?? wiring.defaultPort)
  const target: ConnectTarget = { host, port: Number.isFinite(port) && port > 0 ? port : wiring.defaultPort }
  const connections = new Set<RawConnection>()
  const ref: { state?: KnexState } = {}
  // Checkouts waiting in tarn's queue when IN_PROGRESS is published move into the pre-slot hold (issue 12
  // item 5): they must not wait behind doomed transactions and then be handed their stale connections.
  const queued = new MovablePromises<RawConnection>()
  const binding = bindDeployment(split, target, wiring.metadataSource, {
    onSnapshot: (snapshot) => {
      const state = ref.state
      if (state === undefined) return
      if (snapshot.phase === 'IN_PROGRESS') queued.moveAll(state.checkout)
      state.policy.evict(snapshot)
    },
  })
  // Knex validates a connection at every checkout and replaces a disposed one: that is how it is dropped.
  const dispose = (connection: RawConnection): void => {
    connection.__knex__disposed ??= 'Blue/Green switchover: connection to the old blue server retired'
  }
  const policy = new PoolPolicy<RawConnection>(binding, target, retryCap(client.config.pool?.max), {
    acquire: async () => (await acquire(client)) as RawConnection,
    facts: (connection) => factsOf(connection),
    discard: (connection) => {
      dispose(connection)
      void client.releaseConnection(connection)
    },
    connections: () => [...connections].map((connection) => ({ connection, idle: false })),
    close: dispose,
    retire: dispose,
  })
  const membership: PoolMembership = { binding, discard: dispose }
  const giveBack = (connection: RawConnection): void => void client.releaseConnection(connection)
  // knex's own acquireConnection is async: it never throws, and its promise is used as is (no async wrapper).
  const acquireSlot = (): Promise<RawConnection> => acquire(client) as Promise<RawConnection>
  // Only a checkout that will wait for a slot can be stranded behind the switchover: one that finds a free
  // connection and nobody ahead of it is not tracked (no promise and no closures per query on the fast path).
  const checkout = (): Promise<RawConnection> =>
    policy.checkout() ?? (hasFreeSlot(client) ? acquireSlot() : queued.track(acquireSlot, giveBack))
  const retryFenced = (err: unknown): Promise<RawConnection> => policy.retryFenced(err)
  ref.state = { binding, policy, membership, connections, checkout, retryFenced }
  states.set(client.config, ref.state)
  binding.handle()
  return ref.state
}

/**
 * Adds the Blue/Green hooks to one of knex's dialect clients, through the shared pool policy: checkouts held
 * before they take a pool slot, connections left on the old blue server retired (knex replaces them), one
 * deployment binding that the routed driver's connections join, the options validated when `knex()` is called,
 * the deployment released on `destroy()`. The routed driver does the rest (connect routing, statement holds,
 * read-only errors).
 *
 * @example
 * ```ts
 * export class AwsBgPg extends withBlueGreen(ClientPG, pgWiring) {}
 * ```
 */
export function withBlueGreen(DialectClient: typeof Knex.Client, wiring: DialectWiring): typeof Knex.Client {
  // The dialect's own checkout, which the policy calls once the gate opens.
  const acquire = (client: Knex.Client): Promise<unknown> =>
    DialectClient.prototype.acquireConnection.call(client) as Promise<unknown>
  class BlueGreenKnexClient extends DialectClient {
    /** @throws {BlueGreenConfigError} for an invalid `blueGreen` option (also one of a static connection). */
    constructor(config: BlueGreenKnexConfig) {
      const merged = mergeBlueGreen(config)
      splitDriverConfig({ blueGreen: config.blueGreen })
      if (typeof merged.connection === 'object' && merged.connection !== null)
        splitDriverConfig(merged.connection)
      super(merged)
    }

    _driver(): object {
      return wiring.driver((settings) => knexState(this, settings, wiring, acquire)?.membership)
    }

    // Not `async`: a promise returned from an async function costs the checkout three more microtask turns.
    override acquireConnection(): Promise<unknown> {
      try {
        const state = knexState(this, this.connectionSettings, wiring, acquire)
        if (state === undefined) return super.acquireConnection() as Promise<unknown>
        // A new connection that reached a fenced server is taken again (see PoolPolicy.retryFenced).
        return state.checkout().catch(state.retryFenced)
      } catch (err) {
        // What the async form rejected with: the thrown value, unchanged.
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
        return Promise.reject(err)
      }
    }

    override async acquireRawConnection(): Promise<unknown> {
      const connection: unknown = await super.acquireRawConnection()
      const state = states.get(this.config)
      if (state !== undefined && typeof connection === 'object' && connection !== null) {
        state.connections.add(connection)
      }
      return connection
    }

    override async destroyRawConnection(connection: unknown): Promise<void> {
      states.get(this.config)?.connections.delete(connection as RawConnection)
      await super.destroyRawConnection(connection)
    }

    override async destroy(callback?: unknown): Promise<unknown> {
      try {
        return (await super.destroy(callback)) as unknown
      } finally {
        const state = states.get(this.config)
        states.delete(this.config)
        await state?.binding.release()
      }
    }
  }
  return BlueGreenKnexClient
}

/** tarn's view: a free connection and no checkout waiting before this one. */
function hasFreeSlot(client: Knex.Client): boolean {
  const pool = (client as { pool?: { numFree?(): number; numPendingAcquires?(): number } }).pool
  return (pool?.numFree?.() ?? 0) > 0 && pool?.numPendingAcquires?.() === 0
}
