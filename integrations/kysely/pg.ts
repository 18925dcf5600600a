import { PostgresDialect } from 'kysely'
import type { PostgresDialectConfig } from 'kysely'
import { BlueGreenConfigError } from '../../core/errors.js'
import type { BlueGreenPgPoolConfig } from '../pg/index.js'
import { BlueGreenPgPool } from '../pg/index.js'
import { guardCheckouts } from '../pg/guard-checkouts.js'

/**
 * {@link blueGreenPostgresDialect}'s config: Kysely's own `PostgresDialect` options (`cursor`,
 * `onCreateConnection`, `onReserveConnection`, ...) plus either the routed pool's config (`connection`: a pg
 * `PoolConfig` or a connection string, with `blueGreen` beside it) or an existing {@link BlueGreenPgPool} (`pool`).
 *
 * @example
 * ```ts
 * const config: BlueGreenPostgresDialectConfig = { connection: { host, user }, blueGreen: { bgdId: 'orders' } }
 * ```
 */
export type BlueGreenPostgresDialectConfig = Omit<PostgresDialectConfig, 'pool'> &
  (
    | {
        readonly connection: string | BlueGreenPgPoolConfig
        readonly blueGreen?: BlueGreenPgPoolConfig['blueGreen']
        readonly pool?: never
      }
    | { readonly pool: BlueGreenPgPool; readonly connection?: never; readonly blueGreen?: never }
  )

/**
 * Kysely's `PostgresDialect` over the Blue/Green routed pg pool: `new Kysely<DB>({ dialect:
 * blueGreenPostgresDialect(...) })`. Queries, transactions (one checked-out connection), migrations
 * (`Migrator`), streams (with `cursor`) and query cancellation are Kysely's own; errors are the driver's or the
 * library's typed ones, unwrapped. `await db.destroy()` ends the pool and releases the deployment's monitors.
 * The same works by hand: `new PostgresDialect({ pool: new BlueGreenPgPool(config) })`.
 *
 * @throws {BlueGreenConfigError} when `pool` is not a {@link BlueGreenPgPool}.
 * @example
 * ```ts
 * const db = new Kysely<Database>({
 *   dialect: blueGreenPostgresDialect({
 *     connection: { host: 'mydb.c9akciq32.us-east-1.rds.amazonaws.com', user, password, database, max: 10 },
 *     blueGreen: { bgdId: 'orders' },
 *   }),
 * })
 * ```
 */
export function blueGreenPostgresDialect(config: BlueGreenPostgresDialectConfig): PostgresDialect {
  const { connection, blueGreen, pool, ...dialectConfig } = config
  if (pool !== undefined && !(pool instanceof BlueGreenPgPool)) {
    throw new BlueGreenConfigError('pool', 'expected a BlueGreenPgPool (from rds-bluegreen/pg)')
  }
  const routed = pool ?? new BlueGreenPgPool(poolConfig(connection, blueGreen))
  // pg-pool already drops an idle connection that fails; without a listener Node would crash on its 'error'.
  if (pool === undefined) routed.on('error', () => undefined)
  guardCheckouts(routed)
  return new PostgresDialect({ ...dialectConfig, pool: routed })
}

function poolConfig(
  connection: string | BlueGreenPgPoolConfig | undefined,
  blueGreen: BlueGreenPgPoolConfig['blueGreen'],
): BlueGreenPgPoolConfig {
  const base: object = typeof connection === 'string' ? { connectionString: connection } : (connection ?? {})
  // Copy descriptors: a spread would drop a non-enumerable password.
  const copy = Object.defineProperties({}, Object.getOwnPropertyDescriptors(base)) as BlueGreenPgPoolConfig
  if (blueGreen !== undefined) copy.blueGreen = { ...blueGreen, ...copy.blueGreen }
  return copy
}
