import type { ConnectionOptions, PoolOptions } from 'mysql2'
import type { BlueGreenConfigKeys } from '../shared/config-types.js'
import { BlueGreenConfigError } from '../../core/errors.js'
import type { ConnectTarget } from '../../core/types.js'

/**
 * A mysql2 connection config with Blue/Green options.
 *
 * @example
 * ```ts
 * const config: BlueGreenMysqlConnectionConfig = { host: 'mydb.c9akciq32.us-east-1.rds.amazonaws.com', bgdId: 'orders' }
 * ```
 */
export type BlueGreenMysqlConnectionConfig = ConnectionOptions & BlueGreenConfigKeys

/**
 * A mysql2 pool config with Blue/Green options.
 *
 * @example
 * ```ts
 * const config: BlueGreenMysqlPoolConfig = { host, user, connectionLimit: 10, blueGreen: { bgdId: 'orders' } }
 * ```
 */
export type BlueGreenMysqlPoolConfig = PoolOptions & BlueGreenConfigKeys

/** mysql2 accepts a URI instead of an object (Blue/Green query parameters are read by `splitDriverConfig`). */
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

/**
 * Refuses a user `stream`: the routed connection dials through its own socket to hold, substitute or refuse a
 * connect. Custom name resolution goes in `blueGreen.lookup`.
 *
 * @throws {BlueGreenConfigError} naming the key.
 * @example
 * ```ts
 * rejectOwnStream({ stream: () => socket }) // throws: key 'stream'
 * ```
 */
export function rejectOwnStream(config: Readonly<Record<string, unknown>>): void {
  if (config['stream'] === undefined) return
  throw new BlueGreenConfigError(
    'stream',
    'the routed driver dials its own socket to follow the switchover; resolve names with blueGreen.lookup instead',
  )
}
