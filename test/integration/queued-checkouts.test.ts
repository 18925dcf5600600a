import { afterAll, beforeAll, expect, it } from 'vitest'
import { getStatus } from '../../core/registry.js'
import { silentLogger } from '../../core/runtime.js'
import type { Phase } from '../../core/types.js'
import knex from 'knex'
import type { PoolConnection } from 'mysql2'
import type pg from 'pg'
import type { BlueGreenKnexConfig } from '../../integrations/knex/index.js'
import { AwsBgPg } from '../../integrations/knex/index.js'
import { createPool } from '../../integrations/mysql2/index.js'
import { BlueGreenPgPool } from '../../integrations/pg/index.js'
import { factsOf } from '../../integrations/shared/pool-member.js'
import { BLUE, BLUE_IP, GREEN, GREEN_IP, tableLookup, waitFor } from './helpers/names.js'
import { RowsSource } from './helpers/rows-source.js'
import type { TcpProxy } from './helpers/tcp-proxy.js'
import { startTcpProxy } from './helpers/tcp-proxy.js'

/**
 * Issue 12 item 5: a checkout already queued inside pg-pool (the pool was full) when IN_PROGRESS is published
 * (pg), mysql2's or knex's (tarn) moves into the library's pre-slot hold instead of timing out behind, or
 * inheriting the connection of, a transaction the switchover will kill.
 */
let blue: TcpProxy
let green: TcpProxy
let myBlue: TcpProxy
let myGreen: TcpProxy
beforeAll(async () => {
  blue = await startTcpProxy(BLUE_IP, 0, { host: '127.0.0.1', port: 5432 })
  green = await startTcpProxy(GREEN_IP, blue.port, { host: '127.0.0.1', port: 5432 })
  myBlue = await startTcpProxy(BLUE_IP, 0, { host: '127.0.0.1', port: 3306 })
  myGreen = await startTcpProxy(GREEN_IP, myBlue.port, { host: '127.0.0.1', port: 3306 })
})
afterAll(async () => {
  await Promise.all([blue.close(), green.close(), myBlue.close(), myGreen.close()])
})
const fast = { logger: silentLogger, bgBaselineMs: 100, bgIncreasedMs: 100, bgHighMs: 50 }

it('a queued checkout is held through IN_PROGRESS, not timed out, and served once at POST', async () => {
  const source = new RowsSource(BLUE, GREEN, blue.port)
  source.setPhase('CREATED')
  const id = `queued-${process.pid}`
  const phase = async (p: Phase): Promise<void> => {
    source.setPhase(p)
    await waitFor(() => getStatus(id)?.phase === p, 10_000, `phase ${p}`)
  }
  const pool = new BlueGreenPgPool({
    host: BLUE,
    port: blue.port,
    user: 'postgres',
    database: 'postgres',
    max: 1,
    connectionTimeoutMillis: 400,
    blueGreen: {
      bgdId: id,
      metadataSource: source,
      lookup: tableLookup({ [BLUE]: BLUE_IP, [GREEN]: GREEN_IP }),
      logger: silentLogger,
      bgBaselineMs: 100,
      bgIncreasedMs: 100,
      bgHighMs: 50,
    },
  })
  pool.on('error', () => undefined)
  try {
    await pool.query('SELECT 1')
    await waitFor(() => getStatus(id)?.roleByHost.has(GREEN) === true, 10_000, 'CREATED')
    const doomed = await pool.connect() // a transaction holding the only slot
    await doomed.query('BEGIN')
    const answers: unknown[] = []
    const queued = pool.connect().then(
      (client) => {
        answers.push('client')
        return client
      },
      (err: unknown) => {
        answers.push(err)
        throw err
      },
    )
    await phase('IN_PROGRESS')
    await new Promise((resolve) => setTimeout(resolve, 800)) // twice connectionTimeoutMillis
    expect(answers).toEqual([])
    doomed.release(new Error('cut by the switchover'))
    await phase('POST')
    const client = await queued
    expect((await client.query<{ n: number }>('SELECT 1 AS n')).rows).toEqual([{ n: 1 }])
    client.release()
    expect(answers).toEqual(['client'])
  } finally {
    await pool.end()
  }
})

it('mysql2: a queued checkout is not handed the connection released on the old blue during IN_PROGRESS', async () => {
  const source = new RowsSource(BLUE, GREEN, myBlue.port)
  source.setPhase('CREATED')
  const id = `queued-my-${process.pid}`
  const phase = async (p: Phase): Promise<void> => {
    source.setPhase(p)
    await waitFor(() => getStatus(id)?.phase === p, 10_000, `phase ${p}`)
  }
  const pool = createPool({
    host: BLUE,
    port: myBlue.port,
    user: 'root',
    database: 'test',
    connectionLimit: 1,
    blueGreen: {
      bgdId: id,
      metadataSource: source,
      lookup: tableLookup({ [BLUE]: BLUE_IP, [GREEN]: GREEN_IP }),
      ...fast,
    },
  })
  try {
    await pool.promise().query('SELECT 1')
    await waitFor(() => getStatus(id)?.roleByHost.has(GREEN) === true, 10_000, 'CREATED')
    const doomed = await pool.promise().getConnection()
    const served: PoolConnection[] = []
    const queued = new Promise<PoolConnection>((resolve, reject) =>
      pool.getConnection((err, connection) => {
        if (err !== null) return reject(err)
        served.push(connection)
        resolve(connection)
      }),
    )
    await phase('IN_PROGRESS')
    doomed.release() // a slot frees while the switchover is in progress
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(served).toHaveLength(0)
    await phase('POST')
    const connection = await queued
    // The blue connection was stale by POST: the checkout got a fresh one, dialed to the green IP.
    expect(factsOf(connection)?.remoteAddress).toBe(GREEN_IP)
    connection.release()
  } finally {
    await pool.promise().end()
  }
})

it('knex: checkouts queued in tarn are held through IN_PROGRESS, not timed out, and each served once after POST', async () => {
  const source = new RowsSource(BLUE, GREEN, blue.port)
  source.setPhase('CREATED')
  const id = `queued-knex-${process.pid}`
  const phase = async (p: Phase): Promise<void> => {
    source.setPhase(p)
    await waitFor(() => getStatus(id)?.phase === p, 10_000, `phase ${p}`)
  }
  const quiet = () => undefined
  const config: BlueGreenKnexConfig = {
    client: AwsBgPg,
    connection: { host: BLUE, port: blue.port, user: 'postgres', database: 'postgres' },
    pool: { min: 0, max: 2 },
    acquireConnectionTimeout: 400,
    // The detached tarn acquires may time out there; knex warns about each.
    log: { warn: quiet, error: quiet, debug: quiet, deprecate: quiet },
    blueGreen: {
      bgdId: id,
      metadataSource: source,
      lookup: tableLookup({ [BLUE]: BLUE_IP, [GREEN]: GREEN_IP }),
      ...fast,
    },
  }
  const db = knex(config)
  const client = db.client as {
    acquireConnection(): Promise<pg.Client>
    releaseConnection(c: unknown): Promise<void>
  }
  let doomed: pg.Client[] = []
  try {
    await db.raw('SELECT 1')
    await waitFor(() => getStatus(id)?.roleByHost.has(GREEN) === true, 10_000, 'CREATED')
    // Two transactions hold both slots; six more checkouts queue inside tarn (eight in all).
    doomed = [await client.acquireConnection(), await client.acquireConnection()]
    const served: pg.Client[] = []
    const failed: unknown[] = []
    const queued = Array.from({ length: 6 }, () =>
      client.acquireConnection().then(
        async (connection) => {
          served.push(connection)
          const { rows } = await connection.query<{ n: number }>('SELECT 1 AS n')
          await client.releaseConnection(connection)
          return rows[0]?.n
        },
        (err: unknown) => {
          failed.push(err)
        },
      ),
    )
    await phase('IN_PROGRESS')
    await new Promise((resolve) => setTimeout(resolve, 900)) // twice acquireConnectionTimeout
    expect(failed).toEqual([])
    expect(served).toEqual([])
    // The slots free up during IN_PROGRESS.
    for (const connection of doomed.splice(0)) await client.releaseConnection(connection)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(served).toEqual([])
    await phase('POST')
    expect(await Promise.all(queued)).toEqual([1, 1, 1, 1, 1, 1])
    expect(failed).toEqual([])
    expect(served).toHaveLength(6)
    // Served after POST on fresh connections to green, never the stale blue ones the transactions held.
    for (const connection of served) expect(factsOf(connection)?.remoteAddress).toBe(GREEN_IP)
    // Nothing was handed out twice: every connection is back, no acquire is left pending.
    const pool = (db.client as { pool: { numUsed(): number; numPendingAcquires(): number } }).pool
    await waitFor(() => pool.numPendingAcquires() === 0, 5_000, 'detached acquires served')
    expect(pool.numUsed()).toBe(0)
  } finally {
    for (const connection of doomed) await client.releaseConnection(connection)
    await db.destroy()
  }
})
