import pg from 'pg'
import { BlueGreenPgClient } from './client.js'
import { BlueGreenPgPool } from './pool.js'

export { BlueGreenPgClient } from './client.js'
export { BlueGreenPgPool } from './pool.js'
export { pgMetadataSource } from './metadata-source.js'
export type { BlueGreenPgClientConfig, BlueGreenPgPoolConfig } from './config.js'

/**
 * A module shaped like `pg` whose `Pool` and `Client` are the Blue/Green ones, for code that takes a driver
 * module: TypeORM's `driver` option, a knex dialect's `_driver()`.
 *
 * @example
 * ```ts
 * new DataSource({ type: 'postgres', driver: pgModule, host, username, password, extra: { bgdId: 'orders' } })
 * ```
 */
export const pgModule = Object.freeze({
  Client: BlueGreenPgClient,
  Pool: BlueGreenPgPool,
  Query: pg.Query,
  Connection: pg.Connection,
  DatabaseError: pg.DatabaseError,
  TypeOverrides: pg.TypeOverrides,
  Result: pg.Result,
  defaults: pg.defaults,
  types: pg.types,
  escapeIdentifier: pg.escapeIdentifier,
  escapeLiteral: pg.escapeLiteral,
})

/** The shape of {@link pgModule}. */
export type BlueGreenPgModule = typeof pgModule
export type { BlueGreenSettings } from '../shared/config-types.js'
