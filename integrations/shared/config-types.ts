import type { BlueGreenOptions } from '../../core/options.js'
import type { LookupFunction } from '../../core/runtime.js'
import type { BlueGreenDriverExtras } from './driver-config.js'

/**
 * The one `blueGreen` value every integration takes: the Blue/Green options plus the effects that cannot be
 * written in a connection string (`lookup`, `logger`, `metadataSource`). Given as a top-level `blueGreen` to the
 * ORM integrations (knex, TypeORM, Drizzle, Prisma's pool config) and as a key of the routed drivers' configs.
 *
 * @example
 * ```ts
 * const blueGreen: BlueGreenSettings = { bgdId: 'orders', bgConnectTimeoutMs: 10_000, logger: console }
 * ```
 */
export type BlueGreenSettings = BlueGreenOptions & BlueGreenDriverExtras

/**
 * The Blue/Green keys a routed driver accepts on its ordinary connection config: a `blueGreen` object, the same
 * options as top-level `bg*` keys (also as query parameters of a `connectionString` / `uri`), and a top-level
 * `lookup`. All of them are removed before the driver sees the config.
 *
 * @example
 * ```ts
 * const config: BlueGreenConfigKeys = { blueGreen: { bgdId: 'orders', bgConnectTimeoutMs: 10_000 } }
 * ```
 */
export interface BlueGreenConfigKeys extends Omit<BlueGreenOptions, 'monitoring'> {
  blueGreen?: BlueGreenSettings
  /** Resolver for the connections' sockets and the monitors (same shape as `dns.lookup`). */
  lookup?: LookupFunction
}
