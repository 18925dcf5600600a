import type { BlueGreenPgClientConfig } from '../pg/index.js'

/**
 * Blue/Green options plus the routed drivers' extras (`lookup`, `logger`, `metadataSource`), as the routed pg and
 * mysql2 drivers take them under `blueGreen`.
 *
 * @example
 * ```ts
 * const blueGreen: BlueGreenSequelizeSettings = { bgdId: 'orders', bgConnectTimeoutMs: 10_000 }
 * ```
 */
export type BlueGreenSequelizeSettings = NonNullable<BlueGreenPgClientConfig['blueGreen']>
