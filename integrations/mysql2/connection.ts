import mysql from 'mysql2'
import type { Connection } from 'mysql2'
import { DeploymentBinding, STANDALONE_LINGER_MS } from '../shared/deployment-binding.js'
import { copyConfig, splitDriverConfig } from '../shared/driver-config.js'
import type { BlueGreenMysqlConnectionOptions } from './config.js'
import { mysqlConfigObject, mysqlTarget } from './config.js'
import { mysqlMetadataSource } from './metadata-source.js'
import type { MysqlConnectionLike } from './routed-commands.js'
import { routeCommands } from './routed-commands.js'
import { routedStream } from './routed-stream.js'

/**
 * A routed mysql2 callback connection (`connection.promise()` gives the promise one). The connect is routed (hold,
 * substitute keeping the host name for TLS, reject green) and every command is held while the switchover is in
 * progress. The deployment reference is released when the connection's socket closes.
 *
 * @example
 * ```ts
 * const connection = createConnection({ host: 'mydb.c9akciq32.us-east-1.rds.amazonaws.com', user, password })
 * connection.query('SELECT 1', (err, rows) => connection.end())
 * ```
 */
export function createConnection(config: string | BlueGreenMysqlConnectionOptions): Connection {
  const split = splitDriverConfig(mysqlConfigObject<BlueGreenMysqlConnectionOptions>(config))
  const driverConfig = split.driverConfig as Readonly<Record<string, unknown>>
  const { options, lookup, logger, metadataSource } = split
  const binding = new DeploymentBinding({
    lingerMs: STANDALONE_LINGER_MS,
    options,
    lookup,
    logger,
    initialHost: mysqlTarget(driverConfig),
    source: () => metadataSource ?? mysqlMetadataSource(driverConfig, options.monitoring, lookup),
  })
  const connection = mysql.createConnection(
    copyConfig(driverConfig, { stream: routedStream(binding, lookup, true) }) as mysql.ConnectionOptions,
  )
  routeCommands(connection as unknown as MysqlConnectionLike, binding)
  return connection
}
