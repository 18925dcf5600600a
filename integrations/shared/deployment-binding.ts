import type { MetadataSource } from '../../core/metadata/source.js'
import type { ResolvedOptions } from '../../core/options.js'
import type { DeploymentHandle } from '../../core/registry.js'
import { acquireDeployment } from '../../core/registry.js'
import type { Logger, LookupFunction } from '../../core/runtime.js'
import { lookupResolver } from '../../core/runtime.js'
import type { BlueGreenSnapshot, ConnectTarget } from '../../core/types.js'
import type { SplitConfig } from './driver-config.js'

/** Standalone connections keep the deployment's monitors this long after the last one closed. */
export const STANDALONE_LINGER_MS = 10_000

/** What a pool or a standalone client knows when it is configured. */
export interface BindingInit {
  readonly options: ResolvedOptions
  readonly lookup: LookupFunction | undefined
  readonly logger: Logger
  /** Built only when this binding is the first user of its deployment. */
  readonly source: () => MetadataSource
  readonly initialHost: ConnectTarget
  /**
   * How long the monitors outlive this reference (see `DeploymentInit.lingerMs`): set by standalone connections,
   * which all close at once when the switchover cuts them and reconnect a moment later.
   */
  readonly lingerMs?: number
}

/**
 * One pool's (or one standalone client's) reference to its deployment: acquired lazily at the first connect, so a
 * pool that is never used starts no monitors, and released once on `end()`. After release it routes nothing.
 *
 * @example
 * ```ts
 * const binding = new DeploymentBinding({ options, lookup, logger, source: () => pgMetadataSource(config), initialHost })
 * const plan = await binding.handle()?.routeConnect(initialHost)
 * await binding.release()
 * ```
 */
export class DeploymentBinding {
  readonly init: BindingInit
  #handle: DeploymentHandle | undefined
  #released = false
  #unsubscribe: (() => void) | undefined
  readonly #listener: ((snapshot: BlueGreenSnapshot) => void) | undefined

  constructor(init: BindingInit, listener?: (snapshot: BlueGreenSnapshot) => void) {
    this.init = init
    this.#listener = listener
  }

  /** The deployment handle, acquired on first call; `undefined` once released or for Unix-socket targets. */
  handle(): DeploymentHandle | undefined {
    if (this.#handle !== undefined || this.#released) return this.#handle
    if (this.init.initialHost.host.startsWith('/')) return undefined
    const { options, lookup, logger, initialHost } = this.init
    const handle = acquireDeployment({
      options,
      source: this.init.source(),
      initialHost,
      resolver: lookupResolver(lookup),
      logger,
      lingerMs: this.init.lingerMs ?? 0,
    })
    this.#handle = handle
    if (this.#listener !== undefined) this.#unsubscribe = handle.subscribe(this.#listener)
    return handle
  }

  /** The handle if already acquired (never acquires). */
  current(): DeploymentHandle | undefined {
    return this.#released ? undefined : this.#handle
  }

  /** Unsubscribes and drops the reference; the last one stops the monitors. Idempotent. */
  async release(): Promise<void> {
    if (this.#released) return
    this.#released = true
    this.#unsubscribe?.()
    this.#unsubscribe = undefined
    const handle = this.#handle
    this.#handle = undefined
    await handle?.release()
  }
}

/** How a driver builds its own metadata source from the user's config (pg's and mysql2's). */
export type MetadataSourceFactory = (
  driverConfig: Readonly<Record<string, unknown>>,
  monitoring: ResolvedOptions['monitoring'],
  lookup: LookupFunction | undefined,
) => MetadataSource

/** What differs between the bindings of a pool and of a standalone connection. */
export interface BindOptions {
  /** Set by standalone connections (see {@link BindingInit.lingerMs}). */
  readonly lingerMs?: number
  /** Called with every new snapshot (pools evict stale connections there). */
  readonly onSnapshot?: (snapshot: BlueGreenSnapshot) => void
}

/**
 * The one way every integration binds to its deployment: the split config's options, resolver and logger, and
 * the user's `metadataSource` or else the driver's own, built from the config only when the deployment is new.
 *
 * @example
 * ```ts
 * const binding = bindDeployment(splitDriverConfig(config), pgTarget(config), pgMetadataSource)
 * ```
 */
export function bindDeployment(
  split: SplitConfig<object>,
  initialHost: ConnectTarget,
  defaultSource: MetadataSourceFactory,
  extra: BindOptions = {},
): DeploymentBinding {
  const { options, lookup, logger, metadataSource } = split
  const driverConfig = split.driverConfig as Readonly<Record<string, unknown>>
  const init: BindingInit = {
    options,
    lookup,
    logger,
    initialHost,
    source: () => metadataSource ?? defaultSource(driverConfig, options.monitoring, lookup),
    ...(extra.lingerMs === undefined ? {} : { lingerMs: extra.lingerMs }),
  }
  return new DeploymentBinding(init, extra.onSnapshot)
}
