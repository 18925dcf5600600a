import type { DrizzleConfig } from 'drizzle-orm'
import type { MySql2Database, MySql2DrizzleConfig } from 'drizzle-orm/mysql2'
import { drizzle } from 'drizzle-orm/mysql2'
import type { Mode } from 'drizzle-orm/mysql-core'
import type { Pool as CallbackPool } from 'mysql2'
import type { Pool as PromisePool } from 'mysql2/promise'
import { BlueGreenConfigError } from '../../core/errors.js'
import type { BlueGreenMysqlPoolConfig } from '../mysql2/config.js'
import { mysqlConfigObject } from '../mysql2/config.js'
import { createPool } from '../mysql2/pool.js'
import type { BlueGreenSettings } from '../shared/config-types.js'
import { rejectSettingsBesideClient, withBlueGreen } from './with-blue-green.js'

/**
 * {@link drizzleMysql}'s config: Drizzle's own options (`mode` defaults to `'default'`, also with a `schema`) plus
 * either the routed pool's config (`connection`: mysql2 `PoolOptions` or a URI) with the Blue/Green settings
 * beside it (`blueGreen`), or a pool made by `createPool` of `rds-bluegreen/mysql2` (`client`, callback or promise
 * form, which carries its own settings).
 *
 * @example
 * ```ts
 * const config: BlueGreenDrizzleMysqlConfig<typeof schema> = { connection: { host, user }, schema, blueGreen: { bgdId: 'orders' } }
 * ```
 */
export type BlueGreenDrizzleMysqlConfig<TSchema extends Record<string, unknown> = Record<string, never>> =
  DrizzleConfig<TSchema> & { readonly mode?: Mode } & (
      | {
          readonly connection: string | BlueGreenMysqlPoolConfig
          readonly blueGreen?: BlueGreenSettings
          readonly client?: never
        }
      | {
          readonly client: CallbackPool | PromisePool
          readonly connection?: never
          readonly blueGreen?: never
        }
    )

/**
 * The database {@link drizzleMysql} returns: Drizzle's own, whose `$client` is the routed promise pool.
 *
 * @example
 * ```ts
 * const db: BlueGreenMysqlDatabase<typeof schema> = drizzleMysql({ connection, schema })
 * await db.$client.end()
 * ```
 */
export type BlueGreenMysqlDatabase<TSchema extends Record<string, unknown> = Record<string, never>> =
  MySql2Database<TSchema> & { $client: PromisePool }

/**
 * Drizzle over the Blue/Green routed mysql2 pool: the ordinary `MySql2Database` (query builder, relational
 * queries, nested transactions on one checked-out connection, prepared statements,
 * `drizzle-orm/mysql2/migrator`). `await db.$client.end()` closes the pool and releases the deployment's monitors.
 * Drizzle wraps driver errors in `DrizzleQueryError`: the library's typed errors are its `cause`.
 *
 * @throws {BlueGreenConfigError} when `client` is not a mysql2 pool, or for `blueGreen` beside `client`.
 * @example
 * ```ts
 * const db = drizzleMysql({ connection: { host: 'mydb.c9akciq32.us-east-1.rds.amazonaws.com', user, password, database }, schema, blueGreen: { bgdId: 'orders' } })
 * await db.transaction(async (tx) => tx.insert(orders).values({ id: 1 }))
 * await db.$client.end()
 * ```
 */
export function drizzleMysql<TSchema extends Record<string, unknown> = Record<string, never>>(
  config: BlueGreenDrizzleMysqlConfig<TSchema>,
): BlueGreenMysqlDatabase<TSchema> {
  rejectSettingsBesideClient(config)
  const { connection, client, mode, blueGreen, ...drizzleConfig } = config
  // Drizzle would turn a callback pool into a promise pool anyway; giving it one makes `$client.end()` awaitable.
  const pool =
    client === undefined
      ? createPool(withBlueGreen(mysqlConfigObject(connection), blueGreen)).promise()
      : promisePool(client)
  // The (client, config) form: Drizzle 0.45's config-object detection rejects a `mode` key without a schema.
  const options = { ...drizzleConfig, mode: mode ?? 'default' } as MySql2DrizzleConfig<TSchema>
  return drizzle<TSchema, PromisePool>(pool, options)
}

function promisePool(client: CallbackPool | PromisePool): PromisePool {
  const candidate = client as Partial<Record<'getConnection' | 'promise' | 'pool', unknown>>
  if (typeof candidate.getConnection !== 'function') {
    throw new BlueGreenConfigError('client', 'expected a pool from createPool of rds-bluegreen/mysql2')
  }
  // A callback pool has promise(); a promise pool keeps its callback pool in `.pool`.
  return typeof candidate.promise === 'function'
    ? (client as CallbackPool).promise()
    : (client as PromisePool)
}
