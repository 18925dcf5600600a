import type { BlueGreenMysql2Module, BlueGreenMysqlConnectionOptions } from '../mysql2/index.js'
import { createConnection, mysql2Module } from '../mysql2/index.js'
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
export function sequelizeMysqlModule(blueGreen: BlueGreenSequelizeSettings = {}): BlueGreenMysql2Module {
  const routed = (config: string | BlueGreenMysqlConnectionOptions): ReturnType<typeof createConnection> =>
    createConnection(withBlueGreen(typeof config === 'string' ? { uri: config } : config, blueGreen))
  return Object.freeze({ ...mysql2Module, createConnection: routed, connect: routed })
}
