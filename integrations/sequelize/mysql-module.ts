import type { BlueGreenMysqlModule, BlueGreenMysqlConnectionConfig } from '../mysql2/index.js'
import { createConnection, mysqlModule } from '../mysql2/index.js'
import { withBlueGreen } from './with-blue-green.js'
import type { BlueGreenSequelizeSettings } from './types.js'

/**
 * A `mysql2`-shaped module for Sequelize's `dialectModule` whose `createConnection` is the routed one carrying
 * `blueGreen`. The options travel with the module, not in `dialectOptions`: Sequelize deep-clones its config,
 * which would copy a logger or a metadata source instead of sharing it.
 *
 * @example
 * ```ts
 * new Sequelize({ dialect: 'mysql', host, dialectModule: sequelizeMysqlModule({ bgdId: 'orders' }) })
 * ```
 */
export function sequelizeMysqlModule(blueGreen: BlueGreenSequelizeSettings = {}): BlueGreenMysqlModule {
  const routed = (config: string | BlueGreenMysqlConnectionConfig): ReturnType<typeof createConnection> =>
    createConnection(withBlueGreen(typeof config === 'string' ? { uri: config } : config, blueGreen))
  return Object.freeze({ ...mysqlModule, createConnection: routed, connect: routed })
}
