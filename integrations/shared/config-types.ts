import type { BlueGreenOptions } from '../../core/options.js'
import type { LookupFunction } from '../../core/runtime.js'
import type { BlueGreenDriverExtras } from './driver-config.js'

/**
 * The Blue/Green keys a routed driver accepts on its ordinary connection config: a `blueGreen` object (options
 * plus `lookup`, `logger`, `metadataSource`), the same options as top-level `bg*` keys, and a top-level `lookup`.
 * All of them are removed before the driver sees the config.
 *
 * @example
 * ```ts
 * const config: BlueGreenConfigKeys = { blueGreen: { bgdId: 'orders', bgConnectTimeoutMs: 10_000 } }
 * ```
 */
export interface BlueGreenConfigKeys extends Omit<BlueGreenOptions, 'monitoring'> {
  blueGreen?: BlueGreenOptions & BlueGreenDriverExtras
  /** Resolver for the connections' sockets and the monitors (same shape as `dns.lookup`). */
  lookup?: LookupFunction
}
