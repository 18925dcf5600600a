import mysql from 'mysql2'
import type { Connection, Pool, PoolConnection } from 'mysql2'
import { bindDeployment } from '../shared/deployment-binding.js'
import { copyConfig, splitDriverConfig } from '../shared/driver-config.js'
import { attachMembership, factsOf } from '../shared/pool-member.js'
import { retryConnectionConfig } from '../shared/retry-read-only.js'
import type { PoolAccess } from '../shared/pool-policy.js'
import { PoolPolicy, isFencedConnect, retryCap } from '../shared/pool-policy.js'
import type { BlueGreenMysqlPoolConfig } from './config.js'
import { createConnection } from './connection.js'
import { mysqlConfigObject, mysqlTarget, rejectOwnStream } from './config.js'
import { mysqlMetadataSource } from './metadata-source.js'
import type { MysqlConnectionLike } from './routed-commands.js'
import { connectionReady, routeCommands } from './routed-commands.js'
import { routedStream } from './routed-stream.js'

type GetConnectionCallback = (err: NodeJS.ErrnoException | null, connection: PoolConnection) => void

/** The mysql2 pool internals the adapter maps the policy onto (stable across mysql2 3.x). */
interface PoolInternals {
  readonly _freeConnections?: { toArray(): PoolConnection[] }
  readonly _allConnections?: { toArray(): PoolConnection[] }
  readonly _connectionQueue?: { readonly length: number; shift(): GetConnectionCallback | undefined }
}

/**
 * A routed mysql2 callback pool (`pool.promise()` gives the promise pool, as usual), following the shared pool
 * policy (`integrations/shared/pool-policy.ts`): a checkout (`getConnection`, and so `query`/`execute`) is held
 * while the switchover is in progress before it takes a slot, and connections left on the old blue server are
 * closed or skipped. New connections are routed (hold, substitute to the right IP keeping the host name for TLS,
 * reject green) and every command is held while in progress.
 *
 * @throws {BlueGreenConfigError} for an invalid Blue/Green option or a `stream` option.
 * @example
 * ```ts
 * const pool = createPool({ host: 'mydb.c9akciq32.us-east-1.rds.amazonaws.com', user, password, blueGreen: { bgdId: 'orders' } })
 * const [rows] = await pool.promise().query('SELECT 1')
 * await pool.promise().end()
 * ```
 */
export function createPool(config: string | BlueGreenMysqlPoolConfig): Pool {
  const split = splitDriverConfig(mysqlConfigObject<BlueGreenMysqlPoolConfig>(config))
  const driverConfig = split.driverConfig as Readonly<Record<string, unknown>>
  rejectOwnStream(driverConfig)
  const target = mysqlTarget(driverConfig)
  const ref: { policy?: PoolPolicy<PoolConnection>; pool?: Pool } = {}
  const binding = bindDeployment(split, target, mysqlMetadataSource, {
    onSnapshot: (snapshot) => {
      if (snapshot.phase === 'IN_PROGRESS' && ref.pool !== undefined) moveQueued(ref.pool)
      ref.policy?.evict(snapshot)
    },
  })
  const created = mysql.createPool(
    copyConfig(driverConfig, { stream: routedStream(binding, split.lookup, false) }) as mysql.PoolOptions,
  )
  const fresh = (): Connection =>
    createConnection(
      retryConnectionConfig(
        attachMembership(copyConfig(driverConfig), { binding, discard: () => undefined }),
      ),
    )
  created.on('connection', (connection) =>
    routeCommands(connection as unknown as MysqlConnectionLike, binding, { fresh }),
  )
  const rawGetConnection = created.getConnection.bind(created)
  // A new connection is handed out once its server check passed (see routed-commands.ts `connectionReady`).
  const baseGetConnection = (callback: GetConnectionCallback): void =>
    rawGetConnection((err, connection) => checked(err, connection, callback))
  const internals = created as unknown as PoolInternals
  const access: PoolAccess<PoolConnection> = {
    acquire: () =>
      new Promise((resolve, reject) =>
        baseGetConnection((err, connection) => (err === null ? resolve(connection) : reject(err))),
      ),
    facts: (connection) => factsOf(connection),
    discard: (connection) => connection.destroy(),
    connections: () => {
      const idle = new Set(internals._freeConnections?.toArray() ?? [])
      return (internals._allConnections?.toArray() ?? []).map((connection) => ({
        connection,
        idle: idle.has(connection),
      }))
    },
    close: (connection) => connection.destroy(),
    // A busy connection is checked again at its next checkout (the policy skips it then).
    retire: () => undefined,
  }
  const limit = driverConfig['connectionLimit']
  const policy = new PoolPolicy(binding, target, retryCap(typeof limit === 'number' ? limit : 10), access)
  ref.policy = policy
  ref.pool = created
  const deliver = (checkedOut: Promise<PoolConnection>, callback: GetConnectionCallback): void => {
    checkedOut.then(
      (connection) => callback(null, connection),
      (err: NodeJS.ErrnoException) => callback(err, undefined as unknown as PoolConnection),
    )
  }
  const retryFenced: FencedRetry = (err, callback) => {
    if (!isFencedConnect(err)) return false
    deliver(policy.retryFenced(err), callback)
    return true
  }
  created.getConnection = function getConnection(this: Pool, callback: GetConnectionCallback): void {
    const checkedOut = policy.checkout()
    if (checkedOut !== undefined)
      return deliver(
        checkedOut.catch((err: unknown) => policy.retryFenced(err)),
        callback,
      )
    // The fast path: one callback per checkout. A new connection that reached a fenced server is taken again
    // (see PoolPolicy.retryFenced).
    rawGetConnection((err, connection) => checked(err, connection, callback, retryFenced))
  }
  const baseEnd = created.end.bind(created)
  created.end = function end(this: Pool, callback?: (err: NodeJS.ErrnoException | null) => void): void {
    void binding.release()
    baseEnd(callback)
  } as Pool['end']
  return created
}

/** Takes a checkout refused as fenced again and answers `callback` with the outcome; false for any other error. */
type FencedRetry = (err: NodeJS.ErrnoException, callback: GetConnectionCallback) => boolean

/**
 * Hands a checked-out connection to `callback` once its server check passed (at once when it needs none); with
 * `retry`, a connect refused as fenced is taken again instead (`PoolPolicy.retryFenced`).
 */
function checked(
  err: NodeJS.ErrnoException | null,
  connection: PoolConnection,
  callback: GetConnectionCallback,
  retry?: FencedRetry,
): void {
  const answer = (error: NodeJS.ErrnoException | null, answered: PoolConnection): void => {
    if (error === null || retry?.(error, callback) !== true) callback(error, answered)
  }
  const ready = err === null ? connectionReady(connection as unknown as MysqlConnectionLike) : undefined
  if (ready === undefined) return answer(err, connection)
  ready.then(
    () => callback(null, connection),
    (fenced: NodeJS.ErrnoException) => answer(fenced, undefined as unknown as PoolConnection),
  )
}

/**
 * Checkouts waiting in mysql2's own queue (the pool was full) when the switchover starts would be handed, unchecked,
 * the connections that transactions on the old blue release: they move into the pre-slot hold instead (issue 12
 * item 5), and are checked for staleness when it opens. mysql2's queue has no timers: a plain move.
 */
function moveQueued(pool: Pool): void {
  const queue = (pool as unknown as PoolInternals)._connectionQueue
  if (queue === undefined) return
  const waiting: GetConnectionCallback[] = []
  for (let cb = queue.shift(); cb !== undefined; cb = queue.shift()) waiting.push(cb)
  for (const cb of waiting) pool.getConnection(cb)
}
