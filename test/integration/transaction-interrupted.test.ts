import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { BlueGreenTransactionInterruptedError, isBlueGreenError } from '../../core/errors.js'
import { getStatus } from '../../core/registry.js'
import { silentLogger } from '../../core/runtime.js'
import type { Phase } from '../../core/types.js'
import { createPool } from '../../integrations/mysql2/index.js'
import { BlueGreenPgPool } from '../../integrations/pg/index.js'
import { BLUE, BLUE_IP, GREEN, GREEN_IP, tableLookup, waitFor } from './helpers/names.js'
import { RowsSource } from './helpers/rows-source.js'
import type { TcpProxy } from './helpers/tcp-proxy.js'
import { startTcpProxy } from './helpers/tcp-proxy.js'

/**
 * Issue 12 item 4: a statement of a transaction opened on a blue connection before IN_PROGRESS fails at once
 * (TRANSACTION_INTERRUPTED, retryable) instead of being held until it certainly fails, in IN_PROGRESS and after
 * it (the connection was cut or reached the fenced old blue), and the connection is taken out of use. Statements
 * outside transactions and transactions begun later are held as before.
 */
const lookup = tableLookup({ [BLUE]: BLUE_IP, [GREEN]: GREEN_IP })
const proxies: Record<'pg' | 'pgGreen' | 'my' | 'myGreen', TcpProxy | undefined> = {
  pg: undefined,
  pgGreen: undefined,
  my: undefined,
  myGreen: undefined,
}
const cleanups: (() => Promise<unknown>)[] = []
let counter = 0

beforeAll(async () => {
  proxies.pg = await startTcpProxy(BLUE_IP, 0, { host: '127.0.0.1', port: 5432 })
  proxies.pgGreen = await startTcpProxy(GREEN_IP, proxies.pg.port, { host: '127.0.0.1', port: 5432 })
  proxies.my = await startTcpProxy(BLUE_IP, 0, { host: '127.0.0.1', port: 3306 })
  proxies.myGreen = await startTcpProxy(GREEN_IP, proxies.my.port, { host: '127.0.0.1', port: 3306 })
})
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup().catch(() => undefined)
})
afterAll(async () => {
  await Promise.all(Object.values(proxies).map((p) => p?.close() ?? Promise.resolve()))
})

function deployment(port: number): { id: string; source: RowsSource; phase(next: Phase): Promise<void> } {
  const source = new RowsSource(BLUE, GREEN, port)
  source.setPhase('CREATED')
  const id = `tx-cut-${process.pid}-${++counter}`
  return {
    id,
    source,
    phase: async (next) => {
      source.setPhase(next)
      await waitFor(() => getStatus(id)?.phase === next, 5000, `phase ${next}`)
    },
  }
}

const fast = { logger: silentLogger, lookup, bgBaselineMs: 50, bgIncreasedMs: 50, bgHighMs: 20 }

/** A routed pg pool (3 connections) on the blue name, through the blue proxy, closed after the test. */
function pgPool(bgdId: string, metadataSource: RowsSource): BlueGreenPgPool {
  const pool = new BlueGreenPgPool({
    host: BLUE,
    port: proxies.pg?.port ?? 0,
    user: 'postgres',
    database: 'postgres',
    max: 3,
    blueGreen: { ...fast, bgdId, metadataSource },
  })
  pool.on('error', () => undefined)
  cleanups.push(() => pool.end())
  return pool
}

/** A routed mysql2 promise pool (3 connections) on the blue name, through the blue proxy, closed after the test. */
function mysqlPool(
  bgdId: string,
  metadataSource: RowsSource,
): ReturnType<ReturnType<typeof createPool>['promise']> {
  const pool = createPool({
    host: BLUE,
    port: proxies.my?.port ?? 0,
    user: 'root',
    database: 'test',
    connectionLimit: 3,
    blueGreen: { ...fast, bgdId, metadataSource },
  }).promise()
  cleanups.push(() => pool.end())
  return pool
}

describe('pg', () => {
  it('IN_PROGRESS: the next statement of a transaction opened before fails at once; autocommit statements are held', async () => {
    const { id, source, phase } = deployment(proxies.pg?.port ?? 0)
    const pool = pgPool(id, source)
    await pool.query('SELECT 1')
    await waitFor(() => getStatus(id)?.roleByHost.has(GREEN) === true, 5000, 'CREATED')
    const tx = await pool.connect()
    tx.on('error', () => undefined)
    await tx.query('BEGIN')
    await tx.query('SELECT 1')
    await phase('IN_PROGRESS')
    const total = pool.totalCount
    const started = performance.now()
    const err: unknown = await tx.query('SELECT 2').catch((e: unknown) => e)
    expect(performance.now() - started).toBeLessThan(100)
    expect(err).toBeInstanceOf(BlueGreenTransactionInterruptedError)
    expect(isBlueGreenError(err) && err.retryable).toBe(true)
    tx.release()
    await waitFor(() => pool.totalCount < total, 2000, 'the interrupted connection discarded')
    const held = pool.query('SELECT 3 AS n')
    await new Promise((resolve) => setTimeout(resolve, 200))
    await phase('POST')
    expect((await held).rows).toEqual([{ n: 3 }])
  })

  it('POST: a transaction opened before IN_PROGRESS is interrupted; one opened in POST runs', async () => {
    const { id, source, phase } = deployment(proxies.pg?.port ?? 0)
    const pool = pgPool(id, source)
    const old = await pool.connect()
    old.on('error', () => undefined)
    await waitFor(() => getStatus(id)?.roleByHost.has(GREEN) === true, 5000, 'CREATED')
    await old.query('BEGIN')
    await phase('IN_PROGRESS')
    await phase('POST')
    expect(await old.query('SELECT 1').catch((e: unknown) => e)).toBeInstanceOf(
      BlueGreenTransactionInterruptedError,
    )
    old.release()
    const fresh = await pool.connect()
    await fresh.query('BEGIN')
    expect((await fresh.query('SELECT 4 AS n')).rows).toEqual([{ n: 4 }])
    await fresh.query('COMMIT')
    fresh.release()
  })
})

describe('mysql2', () => {
  it('IN_PROGRESS and POST: statements of a transaction opened before fail at once, typed; autocommit ones are held', async () => {
    const { id, source, phase } = deployment(proxies.my?.port ?? 0)
    const pool = mysqlPool(id, source)
    await pool.query('SELECT 1')
    await waitFor(() => getStatus(id)?.roleByHost.has(GREEN) === true, 5000, 'CREATED')
    const first = await pool.getConnection()
    const second = await pool.getConnection()
    await first.beginTransaction()
    await second.query('START TRANSACTION')
    await phase('IN_PROGRESS')
    const started = performance.now()
    expect(await first.query('SELECT 1').catch((e: unknown) => e)).toBeInstanceOf(
      BlueGreenTransactionInterruptedError,
    )
    expect(performance.now() - started).toBeLessThan(100)
    first.release()
    const held = pool.query('SELECT 5 AS n')
    await new Promise((resolve) => setTimeout(resolve, 200))
    await phase('POST')
    expect((await held)[0]).toEqual([{ n: 5 }])
    expect(await second.query('SELECT 1').catch((e: unknown) => e)).toBeInstanceOf(
      BlueGreenTransactionInterruptedError,
    )
    second.release()
    const fresh = await pool.getConnection()
    await fresh.beginTransaction()
    expect((await fresh.query('SELECT 6 AS n'))[0]).toEqual([{ n: 6 }])
    await fresh.commit()
    fresh.release()
  })
})

describe('held statements whose connection the cut killed (they never reached the server)', () => {
  it('pg: an autocommit one runs on a fresh connection after the hold; a transaction gets TRANSACTION_INTERRUPTED', async () => {
    const { id, source, phase } = deployment(proxies.pg?.port ?? 0)
    const pool = pgPool(id, source)
    await pool.query('SELECT 1')
    await waitFor(() => getStatus(id)?.roleByHost.has(GREEN) === true, 5000, 'CREATED')
    const [auto, tx] = await Promise.all([pool.connect(), pool.connect()])
    auto.on('error', () => undefined)
    tx.on('error', () => undefined)
    await phase('IN_PROGRESS')
    // Held: begun in IN_PROGRESS (not interrupted), with a statement of that transaction queued behind it.
    const begun = tx.query('BEGIN').catch((e: unknown) => e)
    const txHeld = tx.query('SELECT 8 AS n').catch((e: unknown) => e)
    const autoHeld = auto.query('SELECT 7 AS n')
    await new Promise((resolve) => setTimeout(resolve, 100))
    proxies.pg?.dropAll() // the cut
    await new Promise((resolve) => setTimeout(resolve, 100))
    await phase('POST')
    expect((await autoHeld).rows).toEqual([{ n: 7 }])
    // The transaction the cut ended while it was held: typed and retryable, the cut as its cause.
    expect(await begun).toBeInstanceOf(BlueGreenTransactionInterruptedError)
    expect(await txHeld).toBeInstanceOf(BlueGreenTransactionInterruptedError)
    auto.release(true)
    tx.release(true)
  })

  it('mysql2: an autocommit one runs on a fresh connection after the hold; a transaction gets TRANSACTION_INTERRUPTED', async () => {
    const { id, source, phase } = deployment(proxies.my?.port ?? 0)
    const pool = mysqlPool(id, source)
    await pool.query('SELECT 1')
    await waitFor(() => getStatus(id)?.roleByHost.has(GREEN) === true, 5000, 'CREATED')
    const [auto, tx] = await Promise.all([pool.getConnection(), pool.getConnection()])
    await phase('IN_PROGRESS')
    const begun = tx.query('START TRANSACTION').catch((e: unknown) => e)
    const autoHeld = auto.query('SELECT 7 AS n')
    await new Promise((resolve) => setTimeout(resolve, 100))
    proxies.my?.dropAll() // the cut
    await new Promise((resolve) => setTimeout(resolve, 100))
    await phase('POST')
    expect((await autoHeld)[0]).toEqual([{ n: 7 }])
    expect(await begun).toBeInstanceOf(BlueGreenTransactionInterruptedError)
    expect(((await begun) as Error).cause).toBeInstanceOf(Error)
    auto.release()
    tx.release()
  })
})
