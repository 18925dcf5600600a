import mysql from 'mysql2'
import type { Connection, Pool } from 'mysql2'
import type { Connection as PromiseConnection, Pool as PromisePool } from 'mysql2/promise'
import mysqlPromise from 'mysql2/promise'
import type { BlueGreenMysqlConnectionConfig, BlueGreenMysqlPoolConfig } from './config.js'
import { createConnection } from './connection.js'
import { createPool } from './pool.js'

export { createConnection } from './connection.js'
export { createPool } from './pool.js'
export { mysqlMetadataSource } from './metadata-source.js'
export type { BlueGreenMysqlConnectionConfig, BlueGreenMysqlPoolConfig } from './config.js'

/**
 * A routed promise connection, like `mysql2/promise`'s `createConnection`: resolves once connected.
 *
 * @example
 * ```ts
 * const connection = await createPromiseConnection({ host, user, password })
 * const [rows] = await connection.query('SELECT 1')
 * ```
 */
export function createPromiseConnection(
  config: string | BlueGreenMysqlConnectionConfig,
): Promise<PromiseConnection> {
  const connection: Connection = createConnection(config)
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err)
    connection.once('error', onError)
    connection.once('connect', () => {
      connection.removeListener('error', onError)
      resolve(connection.promise())
    })
  })
}

/**
 * A routed promise pool, like `mysql2/promise`'s `createPool`.
 *
 * @example
 * ```ts
 * const pool = createPromisePool({ host, user, password, connectionLimit: 10 })
 * await pool.execute('SELECT ?', [1])
 * ```
 */
export function createPromisePool(config: string | BlueGreenMysqlPoolConfig): PromisePool {
  return createPool(config).promise()
}

/**
 * A namespace shaped like `mysql2/promise` with routed `createConnection` and `createPool`.
 *
 * @example
 * ```ts
 * import { promise as mysql } from 'rds-bluegreen/mysql2'
 * const pool = mysql.createPool({ host, user })
 * ```
 */
export const promise: BlueGreenMysqlPromise = Object.freeze({
  ...pickPlain(mysqlPromise as unknown as Readonly<Record<string, unknown>>),
  createConnection: createPromiseConnection,
  connect: createPromiseConnection,
  createPool: createPromisePool,
}) as unknown as BlueGreenMysqlPromise

/**
 * A module shaped like `mysql2` whose `createPool`, `createConnection` and `connect` are routed, for code that
 * takes a driver module (TypeORM's `driver`, a knex dialect's `_driver()`).
 *
 * @example
 * ```ts
 * new DataSource({ type: 'mysql', driver: mysqlModule, host, username, password })
 * ```
 */
export const mysqlModule: BlueGreenMysqlModule = Object.freeze({
  ...pickPlain(mysql as unknown as Readonly<Record<string, unknown>>),
  createConnection,
  connect: createConnection,
  createPool,
  promise,
}) as unknown as BlueGreenMysqlModule

/** The shape of {@link promise}: `mysql2/promise` with routed `createConnection`, `connect` and `createPool`. */
export type BlueGreenMysqlPromise = Omit<
  typeof mysqlPromise,
  'createConnection' | 'connect' | 'createPool'
> & {
  readonly createConnection: typeof createPromiseConnection
  readonly connect: typeof createPromiseConnection
  readonly createPool: typeof createPromisePool
}

/** The shape of {@link mysqlModule}: `mysql2` with routed `createConnection`, `connect` and `createPool`. */
export type BlueGreenMysqlModule = Omit<typeof mysql, 'createConnection' | 'connect' | 'createPool'> & {
  readonly createConnection: typeof createConnection
  readonly connect: typeof createConnection
  readonly createPool: typeof createPool
  readonly promise: BlueGreenMysqlPromise
}

/** Own enumerable data properties only: mysql2's lazy getters (`Types`, `Charsets`, ...) are copied as getters. */
function pickPlain(module: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const copy: Record<string, unknown> = {}
  for (const key of Object.keys(module)) {
    if (key === 'default') continue
    const descriptor = Object.getOwnPropertyDescriptor(module, key)
    if (descriptor?.get !== undefined) Object.defineProperty(copy, key, { ...descriptor, enumerable: true })
    else copy[key] = module[key]
  }
  return copy
}

export type { Pool, Connection }
export type { BlueGreenSettings } from '../shared/config-types.js'
