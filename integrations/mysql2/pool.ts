import mysql from 'mysql2'
import type { Pool, PoolConnection } from 'mysql2'
import type { BlueGreenSnapshot } from '../../core/types.js'
import { PHASE_ORDER } from '../../core/types.js'
import { shouldEvictIdle } from '../shared/blue-connections.js'
import { DeploymentBinding } from '../shared/deployment-binding.js'
import { copyConfig, splitDriverConfig } from '../shared/driver-config.js'
import type { BlueGreenMysqlPoolOptions } from './config.js'
import { mysqlConfigObject, mysqlTarget } from './config.js'
import { mysqlMetadataSource } from './metadata-source.js'
import type { MysqlConnectionLike } from './routed-commands.js'
import { connectionFacts, routeCommands } from './routed-commands.js'
import { routedStream } from './routed-stream.js'

type GetConnectionCallback = (err: NodeJS.ErrnoException | null, connection: PoolConnection) => void

/** The mysql2 pool internals used for eviction (stable across mysql2 3.x). */
interface PoolInternals {
  readonly _freeConnections?: { toArray(): PoolConnection[] }
}

/**
 * A routed mysql2 callback pool (`pool.promise()` gives the promise pool, as usual). A checkout (`getConnection`,
 * and so `query`/`execute`) is held while the switchover is in progress before it takes a slot; new connections
 * are routed (hold, substitute to the right IP keeping the host name for TLS, reject green); every command is held
 * while in progress; idle connections to blue are closed at the start and those still on the old blue after it.
 *
 * @example
 * ```ts
 * const pool = createPool({ host: 'mydb.c9akciq32.us-east-1.rds.amazonaws.com', user, password, bgdId: 'orders' })
 * const [rows] = await pool.promise().query('SELECT 1')
 * await pool.promise().end()
 * ```
 */
export function createPool(config: string | BlueGreenMysqlPoolOptions): Pool {
  const split = splitDriverConfig(mysqlConfigObject<BlueGreenMysqlPoolOptions>(config))
  const driverConfig = split.driverConfig as Readonly<Record<string, unknown>>
  const target = mysqlTarget(driverConfig)
  const { options, lookup, logger, metadataSource } = split
  const ref: { pool?: Pool } = {}
  const binding = new DeploymentBinding(
    {
      options,
      lookup,
      logger,
      initialHost: target,
      source: () => metadataSource ?? mysqlMetadataSource(driverConfig, options.monitoring, lookup),
    },
    (snapshot) => {
      if (ref.pool !== undefined) evictStale(ref.pool, snapshot, options.dropBlueConnections)
    },
  )
  const created = mysql.createPool(
    copyConfig(driverConfig, { stream: routedStream(binding, lookup, false) }) as mysql.PoolOptions,
  )
  ref.pool = created
  created.on('connection', (connection) =>
    routeCommands(connection as unknown as MysqlConnectionLike, binding),
  )
  const baseGetConnection = created.getConnection.bind(created)
  const dropBlue = options.dropBlueConnections
  created.getConnection = function getConnection(this: Pool, callback: GetConnectionCallback): void {
    const handle = binding.handle()
    const hold = handle?.beforeExecute(target, 'connect')
    if (
      hold === undefined &&
      (handle === undefined || PHASE_ORDER[handle.snapshot().phase] < PHASE_ORDER.IN_PROGRESS)
    ) {
      baseGetConnection(callback)
      return
    }
    const checkout = (attempt: number): void =>
      baseGetConnection((err, connection) => {
        if (err !== null || handle === undefined || attempt > 20) return callback(err, connection)
        if (!isStale(handle.snapshot(), connection, dropBlue)) return callback(null, connection)
        connection.destroy()
        checkout(attempt + 1)
      })
    if (hold === undefined) checkout(0)
    else
      hold.then(
        () => checkout(0),
        (err: NodeJS.ErrnoException) => callback(err, undefined as unknown as PoolConnection),
      )
  }
  const baseEnd = created.end.bind(created)
  created.end = function end(this: Pool, callback?: (err: NodeJS.ErrnoException | null) => void): void {
    void binding.release()
    baseEnd(callback)
  } as Pool['end']
  return created
}

function isStale(snapshot: BlueGreenSnapshot, connection: PoolConnection, dropBlue: boolean): boolean {
  const facts = connectionFacts(connection as unknown as MysqlConnectionLike)
  return facts !== undefined && shouldEvictIdle(snapshot, facts, dropBlue)
}

function evictStale(pool: Pool, snapshot: BlueGreenSnapshot, dropBlue: boolean): void {
  if (PHASE_ORDER[snapshot.phase] < PHASE_ORDER.IN_PROGRESS) return
  const idle = (pool as unknown as PoolInternals)._freeConnections?.toArray() ?? []
  for (const connection of idle) if (isStale(snapshot, connection, dropBlue)) connection.destroy()
}
