import type { DataSourceOptions } from 'typeorm'
import { BlueGreenConfigError } from '../../core/errors.js'
import { mysqlModule } from '../mysql2/module.js'
import { pgModule } from '../pg/module.js'
import type { BlueGreenSettings } from '../shared/config-types.js'

/** TypeORM's PostgreSQL options. */
type PostgresOptions = Extract<DataSourceOptions, { type: 'postgres' }>
/** TypeORM's MySQL / MariaDB options (mysql2 is TypeORM 1.x's only MySQL driver). */
type MysqlOptions = Extract<DataSourceOptions, { type: 'mysql' | 'mariadb' }>

/**
 * What {@link blueGreenDataSourceOptions} takes: TypeORM's own options for `postgres`, `mysql` or `mariadb`
 * (without `driver`, which it sets) plus `blueGreen`.
 *
 * @example
 * ```ts
 * const input: BlueGreenDataSourceInput = { type: 'postgres', host, username, entities, blueGreen: { bgdId: 'orders' } }
 * ```
 */
export type BlueGreenDataSourceInput =
  | (Omit<PostgresOptions, 'driver' | 'nativeDriver'> & { readonly blueGreen?: BlueGreenSettings })
  | (Omit<MysqlOptions, 'driver'> & { readonly blueGreen?: BlueGreenSettings })

/**
 * DataSource options whose connections go through the Blue/Green routed drivers: TypeORM's documented `driver`
 * option is set to the routed `pg` / `mysql2` module and `blueGreen` reaches every pool through `extra`.
 * Repositories, the query builder, the entity manager, transactions, query runners, migrations and
 * `synchronize` are TypeORM's own. `dataSource.destroy()` ends the pools and releases the deployment's monitors.
 * MySQL `replication` is refused: TypeORM builds a mysql2 pool cluster for it, which is not routed.
 *
 * @throws {BlueGreenConfigError} for `replication` with `mysql` / `mariadb`.
 * @example
 * ```ts
 * const dataSource = new DataSource(
 *   blueGreenDataSourceOptions({
 *     type: 'postgres',
 *     host: 'mydb.c9akciq32.us-east-1.rds.amazonaws.com',
 *     username, password, database,
 *     entities: [OrderSchema],
 *     blueGreen: { bgdId: 'orders' },
 *   }),
 * )
 * await dataSource.initialize()
 * ```
 */
export function blueGreenDataSourceOptions(
  input: Omit<PostgresOptions, 'driver' | 'nativeDriver'> & {
    readonly blueGreen?: BlueGreenSettings
  },
): PostgresOptions
export function blueGreenDataSourceOptions(
  input: Omit<MysqlOptions, 'driver'> & { readonly blueGreen?: BlueGreenSettings },
): MysqlOptions
export function blueGreenDataSourceOptions(input: BlueGreenDataSourceInput): PostgresOptions | MysqlOptions
export function blueGreenDataSourceOptions(input: BlueGreenDataSourceInput): PostgresOptions | MysqlOptions {
  const { blueGreen, ...options } = input
  const extra = (options.extra ?? {}) as Readonly<Record<string, unknown>>
  const merged = {
    ...extra,
    blueGreen: { ...(extra['blueGreen'] as object | undefined), ...blueGreen },
  }
  if (options.type === 'postgres') return { ...options, driver: pgModule, extra: merged }
  if (options.replication !== undefined) {
    throw new BlueGreenConfigError(
      'replication',
      'TypeORM builds a mysql2 pool cluster for replication, which rds-bluegreen does not route',
    )
  }
  return { ...options, driver: mysqlModule, extra: merged }
}
