import { MysqlDialect } from 'kysely'
import type { MysqlDialectConfig } from 'kysely'
import type { Pool } from 'mysql2'
import { BlueGreenConfigError } from '../../core/errors.js'
import type { BlueGreenMysqlPoolConfig } from '../mysql2/index.js'
import { createPool } from '../mysql2/index.js'

/**
 * {@link blueGreenMysqlDialect}'s config: Kysely's own `MysqlDialect` options (`onCreateConnection`,
 * `onReserveConnection`, ...) plus either the routed pool's config (`connection`: mysql2 `PoolOptions` or a URI,
 * with `blueGreen` beside it) or a callback pool from `createPool` of `rds-bluegreen/mysql2` (`pool`).
 *
 * @example
 * ```ts
 * const config: BlueGreenMysqlDialectConfig = { connection: { host, user }, blueGreen: { bgdId: 'orders' } }
 * ```
 */
export type BlueGreenMysqlDialectConfig = Omit<MysqlDialectConfig, 'pool'> &
  (
    | {
        readonly connection: string | BlueGreenMysqlPoolConfig
        readonly blueGreen?: BlueGreenMysqlPoolConfig['blueGreen']
        readonly pool?: never
      }
    | { readonly pool: Pool; readonly connection?: never; readonly blueGreen?: never }
  )

/**
 * Kysely's `MysqlDialect` over the Blue/Green routed mysql2 pool (MySQL and MariaDB): `new Kysely<DB>({ dialect:
 * blueGreenMysqlDialect(...) })`. Queries, transactions (one checked-out connection), migrations and streams are
 * Kysely's own; errors are the driver's or the library's typed ones, unwrapped. `await db.destroy()` ends the
 * pool and releases the deployment's monitors. By hand: `new MysqlDialect({ pool: createPool(config) })`.
 *
 * @throws {BlueGreenConfigError} when `pool` is not a callback mysql2 pool (a promise pool has no callback API).
 * @example
 * ```ts
 * const db = new Kysely<Database>({
 *   dialect: blueGreenMysqlDialect({
 *     connection: { host: 'mydb.c9akciq32.us-east-1.rds.amazonaws.com', user, password, database, connectionLimit: 10 },
 *     blueGreen: { bgdId: 'orders' },
 *   }),
 * })
 * ```
 */
export function blueGreenMysqlDialect(config: BlueGreenMysqlDialectConfig): MysqlDialect {
  const { connection, blueGreen, pool, ...dialectConfig } = config
  if (pool !== undefined && typeof (pool as Partial<Pick<Pool, 'promise'>>).promise !== 'function') {
    throw new BlueGreenConfigError('pool', 'expected a callback pool from createPool of rds-bluegreen/mysql2')
  }
  const routed = pool ?? createPool(poolConfig(connection, blueGreen))
  return new MysqlDialect({ ...dialectConfig, pool: routed })
}

function poolConfig(
  connection: string | BlueGreenMysqlPoolConfig | undefined,
  blueGreen: BlueGreenMysqlPoolConfig['blueGreen'],
): BlueGreenMysqlPoolConfig {
  const base: object = typeof connection === 'string' ? { uri: connection } : (connection ?? {})
  // Copy descriptors: a spread would drop a non-enumerable password.
  const copy = Object.defineProperties({}, Object.getOwnPropertyDescriptors(base)) as BlueGreenMysqlPoolConfig
  if (blueGreen !== undefined) copy.blueGreen = { ...blueGreen, ...copy.blueGreen }
  return copy
}
