import type { BlueGreenPgClientConfig } from '../pg/index.js'
import { BlueGreenPgClient, pgModule } from '../pg/index.js'
import type { BlueGreenSequelizeSettings } from './types.js'

/**
 * A `pg`-shaped module for Sequelize's `dialectModule` whose `Client` is the routed {@link BlueGreenPgClient}
 * carrying `blueGreen`: Sequelize hands its pg clients only a fixed list of connection keys, so the options
 * travel with the class instead. Sequelize's own pool (sequelize-pool) still creates, validates and evicts every
 * connection.
 *
 * @example
 * ```ts
 * new Sequelize({ dialect: 'postgres', host, dialectModule: sequelizePgModule({ bgdId: 'orders' }) })
 * ```
 */
export function sequelizePgModule(blueGreen: BlueGreenSequelizeSettings = {}): typeof pgModule {
  class SequelizeBlueGreenPgClient extends BlueGreenPgClient {
    constructor(config?: string | BlueGreenPgClientConfig) {
      super(
        withBlueGreen(typeof config === 'string' ? { connectionString: config } : (config ?? {}), blueGreen),
      )
    }
  }
  return Object.freeze({ ...pgModule, Client: SequelizeBlueGreenPgClient })
}

/**
 * `config` with `blueGreen` merged under its own `blueGreen` key; descriptors are copied so a hidden
 * (non-enumerable) password survives.
 *
 * @example
 * ```ts
 * withBlueGreen({ host, password }, { bgdId: 'orders' }) // { host, password, blueGreen: { bgdId: 'orders' } }
 * ```
 */
export function withBlueGreen<T extends { blueGreen?: BlueGreenSequelizeSettings }>(
  config: T,
  blueGreen: BlueGreenSequelizeSettings,
): T {
  const copy = Object.defineProperties({}, Object.getOwnPropertyDescriptors(config)) as T
  copy.blueGreen = { ...blueGreen, ...copy.blueGreen }
  return copy
}
