import type { BlueGreenPgClientConfig } from '../pg/index.js'
import { BlueGreenPgClient, pgModule } from '../pg/index.js'
import { withBlueGreen } from './with-blue-green.js'
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
