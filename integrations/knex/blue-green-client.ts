import type { Knex } from 'knex'
import type { MetadataSource } from '../../core/metadata/source.js'
import type { ResolvedOptions } from '../../core/options.js'
import type { LookupFunction } from '../../core/runtime.js'
import type { BlueGreenSnapshot, ConnectTarget } from '../../core/types.js'
import { shouldEvictIdle } from '../shared/blue-connections.js'
import { DeploymentBinding } from '../shared/deployment-binding.js'
import { splitDriverConfig } from '../shared/driver-config.js'

/** What a dialect brings: its routed driver module and how to build its metadata source. */
export interface DialectWiring {
  readonly driver: object
  readonly defaultPort: number
  readonly metadataSource: (
    driverConfig: Readonly<Record<string, unknown>>,
    monitoring: ResolvedOptions['monitoring'],
    lookup: LookupFunction | undefined,
  ) => MetadataSource
  /** The address a raw connection's socket reached. */
  readonly remoteAddress: (connection: unknown) => string | undefined
}

/** Per-knex-instance state, kept off the client object: knex builds transaction clients with Object.create(). */
interface KnexState {
  readonly binding: DeploymentBinding
  readonly target: ConnectTarget
  readonly options: ResolvedOptions
  readonly connections: Set<RawConnection>
}

interface RawConnection {
  __knex__disposed?: unknown
}

const states = new WeakMap<object, KnexState>()

/** Knex config with the Blue/Green options on top level (`blueGreen`) as well as on the connection. */
export interface BlueGreenKnexConfig extends Knex.Config {
  /** Blue/Green options (see the README's configuration table); merged into every connection's config. */
  blueGreen?: Readonly<Record<string, unknown>>
}

/**
 * Copies the knex config with the top-level `blueGreen` options merged into the connection config, so the
 * routed driver sees them on every connection (including ones from an async `connection` provider).
 */
export function mergeBlueGreen(config: BlueGreenKnexConfig): Knex.Config {
  const extra = config.blueGreen
  if (extra === undefined) return config
  const merge = (connection: unknown): unknown =>
    typeof connection === 'object' && connection !== null
      ? { ...connection, blueGreen: { ...extra, ...(connection as { blueGreen?: object }).blueGreen } }
      : connection
  const connection = config.connection
  if (connection === undefined) return config
  if (typeof connection === 'function') {
    const provider = connection as () => unknown
    return { ...config, connection: (async () => merge(await provider())) as Knex.StaticConnectionConfig }
  }
  return { ...config, connection: merge(connection) as Knex.StaticConnectionConfig }
}

/**
 * The knex client's own reference to its deployment, for the client's lifetime: checkouts are held while the
 * switchover is in progress, and connections to the old blue server are marked disposed so the pool replaces
 * them. Created at the first checkout, once knex knows the connection settings.
 */
export function knexState(config: object, settings: unknown, wiring: DialectWiring): KnexState | undefined {
  const existing = states.get(config)
  if (existing !== undefined) return existing
  if (typeof settings !== 'object' || settings === null) return undefined
  const split = splitDriverConfig(settings as Record<string, unknown>)
  const driverConfig = split.driverConfig as Readonly<Record<string, unknown>>
  const host = driverConfig['host']
  if (typeof host !== 'string' || host === '' || host.startsWith('/')) return undefined
  const port = Number(driverConfig['port'] ?? wiring.defaultPort)
  const target = { host, port: Number.isFinite(port) && port > 0 ? port : wiring.defaultPort }
  const connections = new Set<RawConnection>()
  const { options, lookup, logger, metadataSource } = split
  const binding = new DeploymentBinding(
    {
      options,
      lookup,
      logger,
      initialHost: target,
      source: () => metadataSource ?? wiring.metadataSource(driverConfig, options.monitoring, lookup),
    },
    (snapshot) => markStale(snapshot, state, wiring),
  )
  const state: KnexState = { binding, target, options, connections }
  states.set(config, state)
  binding.handle()
  return state
}

function markStale(snapshot: BlueGreenSnapshot, state: KnexState, wiring: DialectWiring): void {
  for (const connection of state.connections) {
    if (connection.__knex__disposed !== undefined) continue
    const facts = { target: state.target, remoteAddress: wiring.remoteAddress(connection) }
    if (shouldEvictIdle(snapshot, facts, state.options.dropBlueConnections)) {
      // Knex validates a connection at every checkout and replaces a disposed one.
      connection.__knex__disposed = 'Blue/Green switchover: connection to the old blue server retired'
    }
  }
}

/** Holds a checkout while the switchover is in progress, before it takes a pool slot. */
export async function holdCheckout(state: KnexState | undefined): Promise<void> {
  const hold = state?.binding.current()?.beforeExecute(state.target, 'acquireConnection')
  if (hold !== undefined) await hold
}

/** Tracks a new raw connection for the pool hygiene, until knex destroys it. */
export function trackConnection(state: KnexState | undefined, connection: unknown): void {
  if (state === undefined || typeof connection !== 'object' || connection === null) return
  state.connections.add(connection)
}

export function untrackConnection(config: object, connection: unknown): void {
  states.get(config)?.connections.delete(connection as RawConnection)
}

/** Drops the knex client's deployment reference (on `destroy()`). */
export async function releaseState(config: object): Promise<void> {
  const state = states.get(config)
  states.delete(config)
  await state?.binding.release()
}

/**
 * Adds the Blue/Green hooks to one of knex's dialect clients: checkouts held before they take a pool slot,
 * raw connections tracked for the pool hygiene, the deployment released on `destroy()`. The routed driver
 * module does the rest (connect routing, statement holds, read-only errors).
 *
 * @example
 * ```ts
 * export class AwsBgPg extends withBlueGreen(ClientPG, pgWiring) {}
 * ```
 */
export function withBlueGreen(Base: typeof Knex.Client, wiring: DialectWiring): typeof Knex.Client {
  return class BlueGreenKnexClient extends Base {
    constructor(config: BlueGreenKnexConfig) {
      super(mergeBlueGreen(config))
    }

    _driver(): object {
      return wiring.driver
    }

    override async acquireConnection(): Promise<unknown> {
      await holdCheckout(knexState(this.config, this.connectionSettings, wiring))
      return (await super.acquireConnection()) as unknown
    }

    override async acquireRawConnection(): Promise<unknown> {
      const connection: unknown = await super.acquireRawConnection()
      trackConnection(knexState(this.config, this.connectionSettings, wiring), connection)
      return connection
    }

    override async destroyRawConnection(connection: unknown): Promise<void> {
      untrackConnection(this.config, connection)
      await super.destroyRawConnection(connection)
    }

    override async destroy(callback?: unknown): Promise<unknown> {
      try {
        return (await super.destroy(callback)) as unknown
      } finally {
        await releaseState(this.config)
      }
    }
  }
}
