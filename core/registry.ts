import type { DbSystem } from './channels.js'
import { Coordinator } from './coordinator.js'
import type { MetadataSource } from './metadata/source.js'
import type { ResolvedOptions } from './options.js'
import { isSwitchoverRunning } from './phases.js'
import type { SnapshotSource } from './routing/enforce.js'
import type { ExecuteContext } from './routing/router.js'
import { holdExecute, routeConnect } from './routing/enforce.js'
import type { Clock, Logger, Resolver } from './runtime.js'
import { consoleLogger, lookupResolver, systemClock } from './runtime.js'
import type { BlueGreenSnapshot, ConnectTarget, DialDecision, ExecuteKind } from './types.js'

/** The coordinator surface shared through the registry; kept stable so ESM and CommonJS copies can share one. */
interface SharedCoordinator extends SnapshotSource {
  start(): void
  subscribe(listener: (snapshot: BlueGreenSnapshot) => void): () => void
  close(): Promise<void>
}

interface Entry {
  readonly coordinator: SharedCoordinator
  refs: number
  /** Cancels a pending lingering close. */
  cancelLinger?: (() => void) | undefined
}

const REGISTRY_KEY = Symbol.for('rds-bluegreen.registry.v1')

/** Outside a switchover, how long a deployment released by standalone clients keeps its monitors for the next. */
export const IDLE_LINGER_MS = 3_000

function registry(): Map<string, Entry> {
  const scope = globalThis as typeof globalThis & { [REGISTRY_KEY]?: Map<string, Entry> }
  scope[REGISTRY_KEY] ??= new Map()
  return scope[REGISTRY_KEY]
}

/** What a driver supplies when its first connection to a deployment is configured. */
export interface DeploymentInit {
  readonly options: ResolvedOptions
  /** Opens monitoring connections (bypassing routing). */
  readonly source: MetadataSource
  /** The host the application connects to; both monitors start there. */
  readonly initialHost: ConnectTarget
  readonly resolver?: Resolver
  readonly clock?: Clock
  readonly logger?: Logger
  /**
   * How long the deployment's monitors outlive the last reference while a switchover is active (default 0);
   * outside a switchover at most {@link IDLE_LINGER_MS}. Standalone clients, which come and go with every
   * request and reconnect, set it so that short-lived clients share one pair of monitors, and a burst of closed
   * connections (the switchover cuts them all) does not throw away what the monitors know mid-switchover.
   */
  readonly lingerMs?: number
}

/** A reference to a deployment's coordinator, held by one pool or client. */
export interface DeploymentHandle {
  readonly bgdId: string
  /** The options of this holder (its hold timeouts); monitoring uses the first holder's. */
  readonly options: ResolvedOptions
  /** The latest published snapshot. */
  snapshot(): BlueGreenSnapshot
  /** Where a new connection to `target` should dial; waits while held, throws typed errors. */
  routeConnect(target: ConnectTarget, signal?: AbortSignal): Promise<DialDecision>
  /**
   * `undefined` when a call may run now, else a promise that resolves when it may (or rejects on timeout, or at
   * once with `BlueGreenTransactionInterruptedError` for a statement of a transaction the switchover cut).
   */
  beforeExecute(target: ConnectTarget, kind: ExecuteKind, context?: ExecuteContext): Promise<void> | undefined
  /** The clock this deployment's holds run on (drivers pace their retries with it). */
  readonly clock: Clock
  /** Calls `listener` with every new snapshot; returns the unsubscribe function. */
  subscribe(listener: (snapshot: BlueGreenSnapshot) => void): () => void
  /** Drops this reference; the last one stops the monitors. Idempotent. */
  release(): Promise<void>
}

/**
 * Returns a handle on the deployment `init.options.bgdId`, creating its coordinator (and starting its two
 * monitors) on first use. One coordinator per `bgdId` per process, however many pools, clients and module copies
 * use it.
 *
 * @example
 * ```ts
 * const deployment = acquireDeployment({ options: resolveOptions({ bgdId: 'orders' }), source, initialHost })
 * const plan = await deployment.routeConnect({ host, port })
 * await deployment.release()
 * ```
 */
export function acquireDeployment(init: DeploymentInit): DeploymentHandle {
  const map = registry()
  const { bgdId } = init.options
  let entry = map.get(bgdId)
  if (entry === undefined) {
    const coordinator = new Coordinator({
      options: init.options,
      source: init.source,
      initialHost: init.initialHost,
      resolver: init.resolver ?? lookupResolver(),
      clock: init.clock ?? systemClock,
      logger: init.logger ?? consoleLogger,
    })
    entry = { coordinator, refs: 0 }
    map.set(bgdId, entry)
    coordinator.start()
  }
  entry.cancelLinger?.()
  entry.cancelLinger = undefined
  entry.refs++
  return createHandle(entry, init.options, init.clock ?? systemClock, init.lingerMs ?? 0)
}

function closeEntry(entry: Entry): Promise<void> {
  const map = registry()
  if (map.get(entry.coordinator.bgdId) === entry) map.delete(entry.coordinator.bgdId)
  return entry.coordinator.close()
}

function createHandle(
  entry: Entry,
  options: ResolvedOptions,
  clock: Clock,
  lingerMs: number,
): DeploymentHandle {
  const { coordinator } = entry
  let released = false
  return {
    bgdId: coordinator.bgdId,
    options,
    snapshot: () => coordinator.snapshot(),
    routeConnect: (target, signal) =>
      routeConnect(coordinator, clock, target, options.connectTimeoutMs, signal),
    beforeExecute: (target, kind, context) =>
      holdExecute(coordinator, clock, target, options.executeTimeoutMs, kind, context),
    clock,
    subscribe: (listener) => coordinator.subscribe(listener),
    release: async () => {
      if (released) return
      released = true
      entry.refs--
      if (entry.refs > 0) return
      // Standalone clients come and go (one per request): the monitors outlive the last one a moment, so the
      // next client reuses them instead of opening two new monitoring sessions (and warning again). Longer
      // mid-switchover, when every connection was just cut and reconnects follow. The timer is unref'd and the
      // monitor sockets too: a lingering deployment never keeps the process alive.
      const active = isSwitchoverRunning(coordinator.snapshot().phase)
      const linger = active ? lingerMs : Math.min(lingerMs, IDLE_LINGER_MS)
      if (linger <= 0) return closeEntry(entry)
      entry.cancelLinger?.()
      entry.cancelLinger = clock.timer(linger, () => {
        entry.cancelLinger = undefined
        if (entry.refs === 0) void closeEntry(entry)
      })
    },
  }
}

/**
 * The latest published snapshot of deployment `bgdId` in this process, or `undefined` when nothing uses it.
 *
 * @example
 * ```ts
 * getStatus('1')?.phase // 'CREATED'
 * ```
 */
export function getStatus(bgdId = '1'): BlueGreenSnapshot | undefined {
  return registry().get(bgdId.trim().toLowerCase())?.coordinator.snapshot()
}

/** One live deployment of this process, as {@link listDeployments} reports it. */
export interface LiveDeployment {
  readonly bgdId: string
  /** The engine, when its metadata source is the pg or mysql2 one. */
  readonly dbSystem: DbSystem | undefined
  readonly snapshot: BlueGreenSnapshot
}

/**
 * The deployments with live coordinators in this process (all module copies), e.g. for a metrics gauge.
 *
 * @example
 * ```ts
 * for (const { bgdId, snapshot } of listDeployments()) console.log(bgdId, snapshot.phase)
 * ```
 */
export function listDeployments(): LiveDeployment[] {
  return [...registry().values()].map(({ coordinator }) => ({
    bgdId: coordinator.bgdId,
    dbSystem: coordinator.dbSystem,
    snapshot: coordinator.snapshot(),
  }))
}

/** Number of deployments with live coordinators in this process (for tests and diagnostics). */
export function activeDeployments(): number {
  return registry().size
}
