import mysql from 'mysql2'
import type { Connection } from 'mysql2'
import { bindDeployment, STANDALONE_LINGER_MS } from '../shared/deployment-binding.js'
import { copyConfig, splitDriverConfig } from '../shared/driver-config.js'
import { membershipOf } from '../shared/pool-member.js'
import type { BlueGreenMysqlConnectionConfig } from './config.js'
import { mysqlConfigObject, mysqlTarget, rejectOwnStream } from './config.js'
import { mysqlMetadataSource } from './metadata-source.js'
import type { MysqlConnectionLike } from './routed-commands.js'
import { routeCommands } from './routed-commands.js'
import { routedStream } from './routed-stream.js'

/**
 * A routed mysql2 callback connection (`connection.promise()` gives the promise one). The connect is routed (hold,
 * substitute keeping the host name for TLS, reject green) and every command is held while the switchover is in
 * progress. A standalone connection releases its deployment reference when its socket closes; one created by a
 * pool of the library (knex) uses the pool's.
 *
 * @throws {BlueGreenConfigError} for an invalid Blue/Green option or a `stream` option.
 * @example
 * ```ts
 * const connection = createConnection({ host: 'mydb.c9akciq32.us-east-1.rds.amazonaws.com', user, password })
 * connection.query('SELECT 1', (err, rows) => connection.end())
 * ```
 */
export function createConnection(config: string | BlueGreenMysqlConnectionConfig): Connection {
  const input = mysqlConfigObject<BlueGreenMysqlConnectionConfig>(config)
  const member = membershipOf(input)
  const split = splitDriverConfig(input)
  const driverConfig = split.driverConfig as Readonly<Record<string, unknown>>
  rejectOwnStream(driverConfig)
  const binding =
    member?.binding ??
    bindDeployment(split, mysqlTarget(driverConfig), mysqlMetadataSource, { lingerMs: STANDALONE_LINGER_MS })
  const lookup = split.lookup ?? binding.init.lookup
  const stream = routedStream(binding, lookup, member === undefined)
  const connection = mysql.createConnection(copyConfig(driverConfig, { stream }) as mysql.ConnectionOptions)
  const discard =
    member === undefined
      ? undefined
      : () => {
          member.discard(connection)
          connection.destroy()
        }
  routeCommands(connection as unknown as MysqlConnectionLike, binding, discard)
  return connection
}
