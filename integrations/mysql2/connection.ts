import mysql from 'mysql2'
import type { Connection } from 'mysql2'
import { bindDeployment, STANDALONE_LINGER_MS } from '../shared/deployment-binding.js'
import { copyConfig, splitDriverConfig } from '../shared/driver-config.js'
import { attachMembership, membershipOf } from '../shared/pool-member.js'
import { isRetryConnection, retryConnectionConfig } from '../shared/retry-read-only.js'
import { waitForWritable } from '../shared/wait-writable.js'
import type { DeploymentHandle } from '../../core/registry.js'
import type { ConnectTarget } from '../../core/types.js'
import type { BlueGreenMysqlConnectionConfig } from './config.js'
import { mysqlConfigObject, mysqlTarget, rejectOwnStream } from './config.js'
import { mysqlMetadataSource } from './metadata-source.js'
import type { MysqlConnectionLike } from './routed-commands.js'
import { connectionReady, routeCommands } from './routed-commands.js'
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
  const retries = !isRetryConnection(input)
  const fresh = (): Connection =>
    createConnection(
      retryConnectionConfig(
        attachMembership(copyConfig(driverConfig), { binding, discard: () => undefined }),
      ),
    )
  // A standalone connection cannot reconnect: it waits for a writable server before it dials.
  const beforeDial =
    member === undefined && retries
      ? (handle: DeploymentHandle, target: ConnectTarget) =>
          waitForWritable(handle, target, () => probe(fresh()))
      : undefined
  const stream = routedStream(binding, lookup, member === undefined, beforeDial)
  const connection = mysql.createConnection(copyConfig(driverConfig, { stream }) as mysql.ConnectionOptions)
  routeCommands(connection as unknown as MysqlConnectionLike, binding, {
    ...(member === undefined ? {} : { detach: () => member.discard(connection) }),
    retries,
    fresh,
  })
  awaitCheckOnConnect(connection)
  return connection
}

/**
 * `connect(callback)` (knex's way to wait for a new connection) answers once the connection's server check passed:
 * a connection that reached a server that no longer accepts writes fails its connect with a retryable error.
 */
function awaitCheckOnConnect(connection: Connection): void {
  const base = connection.connect.bind(connection)
  connection.connect = function connect(callback?: (err: unknown, ...rest: unknown[]) => void): void {
    base((err: unknown, ...rest: unknown[]) => {
      const ready = connectionReady(connection as unknown as MysqlConnectionLike)
      if (callback === undefined) return
      if (err != null || ready === undefined) return callback(err, ...rest)
      ready.then(
        () => callback(null, ...rest),
        (fenced: unknown) => callback(fenced),
      )
    })
  } as Connection['connect']
}

/** Connects a throwaway connection (judged by its connect check, refused when fenced), then closes it. */
function probe(connection: Connection): Promise<void> {
  connection.on('error', () => undefined)
  return new Promise<void>((resolve, reject) =>
    connection.connect((err) => (err == null ? resolve() : reject(err))),
  ).finally(() => connection.destroy())
}
