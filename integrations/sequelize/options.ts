import type { Options } from 'sequelize'
import { BlueGreenConfigError } from '../../core/errors.js'
import { sequelizeMysqlModule } from './mysql-module.js'
import { sequelizePgModule } from './pg-module.js'
import type { BlueGreenSequelizeSettings } from './types.js'

/**
 * What {@link blueGreenSequelizeOptions} takes: Sequelize's own options for `postgres`, `mysql` or `mariadb`
 * (without `dialectModule` / `dialectModulePath`, which it sets) plus `blueGreen`.
 *
 * @example
 * ```ts
 * const input: BlueGreenSequelizeInput = { dialect: 'postgres', host, username, blueGreen: { bgdId: 'orders' } }
 * ```
 */
export type BlueGreenSequelizeInput = Omit<Options, 'dialect' | 'dialectModule' | 'dialectModulePath'> & {
  readonly dialect: 'postgres' | 'mysql' | 'mariadb'
  readonly blueGreen?: BlueGreenSequelizeSettings
}

/**
 * Sequelize options whose connections go through the Blue/Green routed drivers, by Sequelize's documented
 * `dialectModule` option: the routed `pg` for `postgres`, the routed `mysql2` for `mysql` and `mariadb` (Sequelize's
 * `mariadb` dialect is served by its `mysql` dialect over mysql2). Models, `sync`, migrations, transactions and
 * Sequelize's own pool (`pool.max`, `validate`, `evict`, `idle`) are Sequelize's; a failing query is Sequelize's
 * `DatabaseError` / `ConnectionError` whose `parent` and `original` are the driver's or the library's error.
 * `sequelize.close()` ends the connections; the deployment's monitors stop shortly after the last one.
 *
 * @throws {BlueGreenConfigError} for `native: true` (pg-native is not routed) and for `replication` (each
 *   replica host needs its own Sequelize instance and `blueGreen` options).
 * @example
 * ```ts
 * const sequelize = new Sequelize(
 *   blueGreenSequelizeOptions({
 *     dialect: 'postgres',
 *     host: 'mydb.c9akciq32.us-east-1.rds.amazonaws.com',
 *     username, password, database,
 *     blueGreen: { bgdId: 'orders' },
 *   }),
 * )
 * ```
 */
export function blueGreenSequelizeOptions(input: BlueGreenSequelizeInput): Options {
  const { blueGreen = {}, ...options } = input
  if (options.native === true) {
    throw new BlueGreenConfigError('native', 'pg-native connections are not routed; leave native unset')
  }
  if (options.replication !== undefined && options.replication !== false) {
    throw new BlueGreenConfigError(
      'replication',
      'read replicas are separate hosts; give each its own Sequelize instance with its own blueGreen options',
    )
  }
  if (options.dialect === 'postgres') return { ...options, dialectModule: sequelizePgModule(blueGreen) }
  // Sequelize's mariadb dialect expects the mariadb driver; mysql2 speaks to MariaDB through the mysql dialect.
  return { ...options, dialect: 'mysql', dialectModule: sequelizeMysqlModule(blueGreen) }
}
