import type { DrizzleConfig } from 'drizzle-orm'
import type { NodePgDatabase } from 'drizzle-orm/node-postgres'
import { drizzle } from 'drizzle-orm/node-postgres'
import { BlueGreenConfigError } from '../../core/errors.js'
import type { BlueGreenPgPoolConfig } from '../pg/config.js'
import { BlueGreenPgPool } from '../pg/pool.js'
import type { BlueGreenSettings } from '../shared/config-types.js'
import { rejectSettingsBesideClient, withBlueGreen } from './with-blue-green.js'

/**
 * {@link drizzlePg}'s config: Drizzle's own options plus either the routed pool's config (`connection`: a pg
 * `PoolConfig` or a connection string) with the Blue/Green settings beside it (`blueGreen`), or an existing
 * {@link BlueGreenPgPool} (`client`, which carries its own settings).
 *
 * @example
 * ```ts
 * const config: BlueGreenDrizzlePgConfig<typeof schema> = { connection: { host, user }, schema, blueGreen: { bgdId: 'orders' } }
 * ```
 */
export type BlueGreenDrizzlePgConfig<TSchema extends Record<string, unknown> = Record<string, never>> =
  DrizzleConfig<TSchema> &
    (
      | {
          readonly connection: string | BlueGreenPgPoolConfig
          readonly blueGreen?: BlueGreenSettings
          readonly client?: never
        }
      | { readonly client: BlueGreenPgPool; readonly connection?: never; readonly blueGreen?: never }
    )

/**
 * The database {@link drizzlePg} returns: Drizzle's own, whose `$client` is the routed pool.
 *
 * @example
 * ```ts
 * const db: BlueGreenNodePgDatabase<typeof schema> = drizzlePg({ connection, schema })
 * db.$client.blueGreen?.snapshot().phase // 'NOT_CREATED' on a database without a Blue/Green deployment
 * ```
 */
export type BlueGreenNodePgDatabase<TSchema extends Record<string, unknown> = Record<string, never>> =
  NodePgDatabase<TSchema> & { $client: BlueGreenPgPool }

/**
 * Drizzle over the Blue/Green routed pg pool: the ordinary `NodePgDatabase` (query builder, relational queries,
 * nested transactions, prepared statements, `drizzle-orm/node-postgres/migrator`). Transactions run on one
 * checked-out connection, because the pool is a real `pg.Pool` (whose guard makes a connection reset inside a
 * transaction fail that transaction instead of crashing the process). `await db.$client.end()` closes the pool and releases the deployment's monitors.
 * Drizzle wraps driver errors in `DrizzleQueryError`: the library's typed errors are its `cause`.
 *
 * @throws {BlueGreenConfigError} when `client` is not a {@link BlueGreenPgPool}, or for `blueGreen` beside `client`.
 * @example
 * ```ts
 * const db = drizzlePg({ connection: { host: 'mydb.c9akciq32.us-east-1.rds.amazonaws.com', user, password, database }, schema, blueGreen: { bgdId: 'orders' } })
 * await db.transaction(async (tx) => tx.insert(orders).values({ id: 1 }))
 * await db.$client.end()
 * ```
 */
export function drizzlePg<TSchema extends Record<string, unknown> = Record<string, never>>(
  config: BlueGreenDrizzlePgConfig<TSchema>,
): BlueGreenNodePgDatabase<TSchema> {
  rejectSettingsBesideClient(config)
  const { connection, client, blueGreen, ...drizzleConfig } = config
  if (client !== undefined && !(client instanceof BlueGreenPgPool)) {
    throw new BlueGreenConfigError('client', 'expected a BlueGreenPgPool (from rds-bluegreen/pg)')
  }
  const settings = typeof connection === 'string' ? { connectionString: connection } : connection
  const pool = client ?? new BlueGreenPgPool(withBlueGreen(settings, blueGreen))
  // pg-pool already drops an idle connection that fails; without a listener Node would crash on its 'error'.
  if (client === undefined) pool.on('error', () => undefined)
  return drizzle<TSchema, BlueGreenPgPool>(pool, drizzleConfig)
}
