import type { DrizzleConfig } from 'drizzle-orm'
import type { NodePgDatabase } from 'drizzle-orm/node-postgres'
import { drizzle } from 'drizzle-orm/node-postgres'
import type pg from 'pg'
import { BlueGreenConfigError } from '../../core/errors.js'
import type { BlueGreenPgPoolConfig } from '../pg/config.js'
import { BlueGreenPgPool } from '../pg/pool.js'

/**
 * {@link drizzlePg}'s config: Drizzle's own options plus either the routed pool's config (`connection`: a pg
 * `PoolConfig` with `blueGreen` options, or a connection string) or an existing {@link BlueGreenPgPool} (`client`).
 *
 * @example
 * ```ts
 * const config: BlueGreenDrizzlePgConfig<typeof schema> = { connection: { host, user, blueGreen: { bgdId: 'orders' } }, schema }
 * ```
 */
export type BlueGreenDrizzlePgConfig<TSchema extends Record<string, unknown> = Record<string, never>> =
  DrizzleConfig<TSchema> &
    (
      | { readonly connection: string | BlueGreenPgPoolConfig; readonly client?: never }
      | { readonly client: BlueGreenPgPool; readonly connection?: never }
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
 * checked-out connection, because the pool is a real `pg.Pool`. A connection reset while a transaction holds it
 * (a switchover cuts every connection) fails that transaction instead of crashing the process, and the
 * connection leaves the pool. `await db.$client.end()` closes the pool and releases the deployment's monitors.
 * Drizzle wraps driver errors in `DrizzleQueryError`: the library's typed errors are its `cause`.
 *
 * @throws {BlueGreenConfigError} when `client` is not a {@link BlueGreenPgPool}.
 * @example
 * ```ts
 * const db = drizzlePg({ connection: { host: 'mydb.c9akciq32.us-east-1.rds.amazonaws.com', user, password, database, blueGreen: { bgdId: 'orders' } }, schema })
 * await db.transaction(async (tx) => tx.insert(orders).values({ id: 1 }))
 * await db.$client.end()
 * ```
 */
export function drizzlePg<TSchema extends Record<string, unknown> = Record<string, never>>(
  config: BlueGreenDrizzlePgConfig<TSchema>,
): BlueGreenNodePgDatabase<TSchema> {
  const { connection, client, ...drizzleConfig } = config
  if (client !== undefined && !(client instanceof BlueGreenPgPool)) {
    throw new BlueGreenConfigError('client', 'expected a BlueGreenPgPool (from rds-bluegreen/pg)')
  }
  const pool =
    client ??
    new BlueGreenPgPool(typeof connection === 'string' ? { connectionString: connection } : connection)
  // pg-pool already drops an idle connection that fails; without a listener Node would crash on its 'error'.
  if (client === undefined) pool.on('error', () => undefined)
  guardCheckouts(pool)
  return drizzle<TSchema, BlueGreenPgPool>(pool, drizzleConfig)
}

const guarded = new WeakSet<pg.Pool>()

/**
 * A checked-out pg client has no 'error' listener (pg-pool removes its own), so a reset inside a Drizzle
 * transaction would crash the process, and a transaction whose `begin` fails never releases its client. Listen
 * while checked out, as TypeORM does, and hand a broken client back at once (pg-pool removes it); the
 * transaction's own `release()` then does nothing.
 */
function guardCheckouts(pool: pg.Pool): void {
  if (guarded.has(pool)) return
  guarded.add(pool)
  const onError = new WeakMap<pg.PoolClient, (err: Error) => void>()
  pool.on('acquire', (client) => {
    const listener = (err: Error): void => {
      client.removeListener('error', listener)
      const release = client.release.bind(client)
      client.release = () => undefined
      release(err)
    }
    onError.set(client, listener)
    client.on('error', listener)
  })
  pool.on('release', (_err: Error | undefined, client: pg.PoolClient) => {
    const listener = onError.get(client)
    if (listener !== undefined) client.removeListener('error', listener)
    onError.delete(client)
  })
}
