import type { ConnectionOptions, PoolOptions } from 'mysql2'
import type { BlueGreenConfigKeys } from '../shared/config-types.js'
import type { ConnectTarget } from '../../core/types.js'

/**
 * A mysql2 connection config with Blue/Green options.
 *
 * @example
 * ```ts
 * const config: BlueGreenMysqlConnectionOptions = { host: 'mydb.c9akciq32.us-east-1.rds.amazonaws.com', bgdId: 'orders' }
 * ```
 */
export type BlueGreenMysqlConnectionOptions = ConnectionOptions & BlueGreenConfigKeys

/**
 * A mysql2 pool config with Blue/Green options.
 *
 * @example
 * ```ts
 * const config: BlueGreenMysqlPoolOptions = { host, user, connectionLimit: 10, blueGreen: { bgdId: 'orders' } }
 * ```
 */
export type BlueGreenMysqlPoolOptions = PoolOptions & BlueGreenConfigKeys

/** mysql2 accepts a URI instead of an object; its query-string options are left to mysql2. */
export function mysqlConfigObject<T extends object>(config: string | T | undefined): T {
  if (typeof config !== 'string') return config ?? ({} as T)
  return { uri: config } as unknown as T
}

/** Host and port the connections dial (mysql2's defaults: localhost:3306; a `uri` wins, as in mysql2). */
export function mysqlTarget(config: Readonly<Record<string, unknown>>): ConnectTarget {
  const uri = typeof config['uri'] === 'string' ? new URL(config['uri']) : undefined
  const host = uri?.hostname || (typeof config['host'] === 'string' ? config['host'] : 'localhost')
  const port = Number(uri?.port || config['port'] || 3306)
  return { host, port }
}
