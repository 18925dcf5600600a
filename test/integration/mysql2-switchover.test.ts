import type { Connection, Pool, RowDataPacket } from 'mysql2'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { isBlueGreenError } from '../../core/errors.js'
import { createConnection, createPool } from '../../integrations/mysql2/index.js'
import { BLUE, BLUE_IP, GREEN, GREEN_IP, LinesLogger, tableLookup, waitFor } from './helpers/names.js'
import { RowsSource } from './helpers/rows-source.js'
import type { TcpProxy } from './helpers/tcp-proxy.js'
import { startTcpProxy } from './helpers/tcp-proxy.js'

const MARIADB = { host: '127.0.0.1', port: 3306 }
let blue: TcpProxy
let green: TcpProxy
const lookup = tableLookup({ [BLUE]: BLUE_IP, [GREEN]: GREEN_IP })
let counter = 0

beforeAll(async () => {
  blue = await startTcpProxy(BLUE_IP, 0, MARIADB)
  green = await startTcpProxy(GREEN_IP, blue.port, MARIADB)
})
afterAll(async () => {
  await Promise.all([blue.close(), green.close()])
})

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

async function routed(
  extra: Record<string, unknown> = {},
): Promise<{ pool: Pool; source: RowsSource; id: string }> {
  const source = new RowsSource(BLUE, GREEN, blue.port)
  source.setPhase('CREATED')
  const id = `my-switch-${process.pid}-${++counter}`
  const pool = createPool({
    host: BLUE,
    port: blue.port,
    user: 'root',
    database: 'test',
    connectionLimit: 4,
    ...extra,
    blueGreen: {
      bgdId: id,
      lookup,
      metadataSource: source,
      logger: new LinesLogger(),
      bgBaselineMs: 100,
      bgIncreasedMs: 100,
      bgHighMs: 50,
    },
  })
  await pool.promise().query('SELECT 1')
  const { getStatus } = await import('../../core/registry.js')
  await waitFor(
    () => getStatus(id)?.phase === 'CREATED' && getStatus(id)?.roleByHost.has(GREEN) === true,
    10_000,
    'CREATED',
  )
  return { pool, source, id }
}

async function until(id: string, phase: string): Promise<void> {
  const { getStatus } = await import('../../core/registry.js')
  await waitFor(() => getStatus(id)?.phase === phase, 10_000, `phase ${phase}`)
}

describe('mysql2 routing through a switchover (in-memory metadata, loopback proxies)', () => {
  const cleanups: (() => Promise<void>)[] = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup()
  })

  it('two monitoring connections for the deployment however many pools use it', async () => {
    const { pool, source, id } = await routed()
    cleanups.push(() => pool.promise().end())
    const more = [1, 2, 3].map(() =>
      createPool({
        host: BLUE,
        port: blue.port,
        user: 'root',
        database: 'test',
        blueGreen: { bgdId: id, lookup, metadataSource: source },
      }),
    )
    await Promise.all(more.map((p) => p.promise().query('SELECT 1')))
    await sleep(300)
    expect(source.opened - source.closed).toBe(2)
    await Promise.all(more.map((p) => p.promise().end()))
  })

  it('IN_PROGRESS: checkouts held outside the pool (limit 2, 10 held), idle blue connections closed, resumed on POST via the green IP', async () => {
    const { pool, source, id } = await routed({ connectionLimit: 2, queueLimit: 0 })
    cleanups.push(() => pool.promise().end())
    const p = pool.promise()
    const [a, b] = await Promise.all([p.getConnection(), p.getConnection()])
    a.release()
    b.release()
    const blueOpen = blue.open.size
    source.setPhase('IN_PROGRESS')
    await until(id, 'IN_PROGRESS')
    await waitFor(() => blue.open.size <= blueOpen - 2, 2000, 'idle blue connections closed')
    let settled = 0
    const held = Array.from({ length: 10 }, (_, i) =>
      p.query<RowDataPacket[]>('SELECT ? AS i', [i]).then(([rows]) => {
        settled++
        return rows[0]?.['i'] as number
      }),
    )
    await sleep(1000)
    expect(settled).toBe(0)
    const greenBefore = green.accepts.length
    const blueBefore = blue.accepts.length
    const start = performance.now()
    source.setPhase('POST')
    const results = await Promise.all(held)
    expect(results.sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect(performance.now() - start).toBeLessThan(1000)
    expect(green.accepts.length).toBeGreaterThan(greenBefore)
    expect(blue.accepts.length).toBe(blueBefore)
  })

  it('IN_PROGRESS: commands on a checked-out connection are held in order, and the event API still works', async () => {
    const { pool, source, id } = await routed()
    cleanups.push(() => pool.promise().end())
    const connection = await pool.promise().getConnection()
    source.setPhase('IN_PROGRESS')
    await until(id, 'IN_PROGRESS')
    const order: number[] = []
    const first = connection.query('SELECT 1 AS n').then(() => order.push(1))
    const second = connection.execute('SELECT 2 AS n').then(() => order.push(2))
    const events: unknown[] = []
    const third = new Promise<void>((resolve) =>
      (connection.connection as unknown as Connection)
        .query('SELECT 3 AS n')
        .on('result', (r: unknown) => events.push(r))
        .on('end', () => resolve()),
    )
    await sleep(400)
    expect(order).toEqual([])
    source.setPhase('POST')
    await Promise.all([first, second, third])
    expect(order).toEqual([1, 2])
    expect(events).toEqual([{ n: 3 }])
    connection.release()
  })

  it('hold timeout and green rejection are typed errors, raised before dialing', async () => {
    const { pool, source, id } = await routed()
    cleanups.push(() => pool.promise().end())
    source.setPhase('IN_PROGRESS')
    await until(id, 'IN_PROGRESS')
    const short = createConnection({
      host: BLUE,
      port: blue.port,
      user: 'root',
      blueGreen: { bgdId: id, lookup, bgConnectTimeoutMs: 300 },
    })
    const timeout = await new Promise((resolve) => short.once('error', resolve))
    expect(isBlueGreenError(timeout) && timeout.code).toBe('SWITCHOVER_TIMEOUT')
    source.setPhase('POST')
    await until(id, 'POST')
    await sleep(300)
    source.rows = source.rows.map((r) => (String(r.role).endsWith('TARGET') ? { ...r, endpoint: BLUE } : r))
    const { getStatus } = await import('../../core/registry.js')
    await waitFor(() => getStatus(id)?.greenTopologyChanged === true, 5000, 'green topology changed')
    const greenBefore = green.accepts.length
    const toGreen = createConnection({
      host: GREEN,
      port: blue.port,
      user: 'root',
      blueGreen: { bgdId: id, lookup },
    })
    const rejected = await new Promise((resolve) => toGreen.once('error', resolve))
    expect(isBlueGreenError(rejected) && rejected.code).toBe('GREEN_REJECTED')
    expect(green.accepts.length).toBe(greenBefore)
  })
})
