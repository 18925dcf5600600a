import knex from 'knex'
import type { Connection, Pool } from 'mysql2'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { BlueGreenConfigError, isBlueGreenError } from '../../core/errors.js'
import { getStatus } from '../../core/registry.js'
import { silentLogger } from '../../core/runtime.js'
import type { Phase } from '../../core/types.js'
import { drizzlePg } from '../../integrations/drizzle/index.js'
import { AwsBgMysql, AwsBgPg } from '../../integrations/knex/index.js'
import type { BlueGreenKnexConfig } from '../../integrations/knex/index.js'
import { createConnection, createPool } from '../../integrations/mysql2/index.js'
import { BlueGreenPgClient, BlueGreenPgPool } from '../../integrations/pg/index.js'
import { BLUE, BLUE_IP, GREEN, GREEN_IP, tableLookup, waitFor } from './helpers/names.js'
import { RowsSource } from './helpers/rows-source.js'
import type { TcpProxy } from './helpers/tcp-proxy.js'
import { startTcpProxy } from './helpers/tcp-proxy.js'

/**
 * Issue 11's driver items (3, 9, 10) and issue 10's driver surface, each against the machine's real servers
 * behind loopback proxies, with in-memory metadata.
 */
const MARIADB = { host: '127.0.0.1', port: 3306 }
const POSTGRES = { host: '127.0.0.1', port: 5432 }
const lookup = tableLookup({ [BLUE]: BLUE_IP, [GREEN]: GREEN_IP })
const proxies: { pg?: TcpProxy; pgGreen?: TcpProxy; my?: TcpProxy; myGreen?: TcpProxy } = {}
let counter = 0
const cleanups: (() => Promise<unknown>)[] = []

beforeAll(async () => {
  proxies.pg = await startTcpProxy(BLUE_IP, 0, POSTGRES)
  proxies.pgGreen = await startTcpProxy(GREEN_IP, proxies.pg.port, POSTGRES)
  proxies.my = await startTcpProxy(BLUE_IP, 0, MARIADB)
  proxies.myGreen = await startTcpProxy(GREEN_IP, proxies.my.port, MARIADB)
})
afterAll(async () => {
  await Promise.all(Object.values(proxies).map((p) => p.close()))
})
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup().catch(() => undefined)
})

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
const fast = { bgBaselineMs: 100, bgIncreasedMs: 100, bgHighMs: 50, logger: silentLogger, lookup }

/** A routed mysql2 pool on a deployment at `phase`, which keeps the deployment alive for standalone clients. */
async function mysqlDeployment(phase: Phase, extra: object = {}): Promise<{ id: string; pool: Pool }> {
  const source = new RowsSource(BLUE, GREEN, proxies.my?.port ?? 0)
  source.setPhase('CREATED')
  const id = `hard-my-${process.pid}-${++counter}`
  sources.set(id, source)
  const pool = createPool({
    host: BLUE,
    port: proxies.my?.port ?? 0,
    user: 'root',
    database: 'test',
    blueGreen: { bgdId: id, metadataSource: source, ...fast, ...extra },
  })
  cleanups.push(() => pool.promise().end())
  await pool.promise().query('SELECT 1')
  await waitFor(() => getStatus(id)?.roleByHost.has(GREEN) === true, 10_000, 'CREATED')
  source.setPhase(phase)
  await waitFor(() => getStatus(id)?.phase === phase, 10_000, `phase ${phase}`)
  return { id, pool }
}

describe('mysql2: a held command is answered once (issue 11 item 3)', () => {
  it.each(['the hold then times out', 'POST then releases the hold'])(
    'when the connection dies during the hold and %s',
    async (how) => {
      const { id } = await mysqlDeployment('CREATED', { bgExecuteTimeoutMs: 400 })
      const connection: Connection = createConnection({
        host: BLUE,
        port: proxies.my?.port ?? 0,
        user: 'root',
        database: 'test',
        blueGreen: { bgdId: id, ...fast, bgExecuteTimeoutMs: 400 },
      })
      connection.on('error', () => undefined)
      cleanups.push(async () => connection.destroy())
      await connection.promise().query('SELECT 1')
      const status = getStatus(id)
      expect(status?.phase).toBe('CREATED')
      await setMysqlPhase(id, 'IN_PROGRESS')
      const answers: unknown[] = []
      connection.query('SELECT 1', (err) => answers.push(err))
      await sleep(50)
      expect(answers).toEqual([])
      proxies.my?.dropAll()
      await waitFor(() => answers.length > 0, 2000, 'the connection loss')
      if (how.startsWith('POST')) await setMysqlPhase(id, 'POST')
      await sleep(800) // past the 400 ms hold timeout
      expect(answers).toHaveLength(1)
      expect(answers[0]).toMatchObject({ code: 'PROTOCOL_CONNECTION_LOST' })
    },
  )
})

/** Moves the deployment of `id` (made by mysqlDeployment) to `phase` through its pool's metadata source. */
const sources = new Map<string, RowsSource>()
async function setMysqlPhase(id: string, phase: Phase): Promise<void> {
  const source = sources.get(id)
  if (source === undefined) throw new Error('no source')
  source.setPhase(phase)
  await waitFor(() => getStatus(id)?.phase === phase, 10_000, `phase ${phase}`)
}

describe('mysql2: a standalone connect held during IN_PROGRESS (issue 11 item 10)', () => {
  it("fails with the library's typed timeout, not mysql2's own ETIMEDOUT", async () => {
    const { id } = await mysqlDeployment('IN_PROGRESS')
    const connection = createConnection({
      host: BLUE,
      port: proxies.my?.port ?? 0,
      user: 'root',
      database: 'test',
      connectTimeout: 300,
      blueGreen: { bgdId: id, ...fast, bgConnectTimeoutMs: 700 },
    })
    cleanups.push(async () => connection.destroy())
    const err = await new Promise<unknown>((resolve) => connection.once('error', resolve))
    expect(isBlueGreenError(err) && err.code).toBe('SWITCHOVER_TIMEOUT')
  })
})

describe('connection-string options (issue 11 item 10)', () => {
  it('pg: bg* query parameters of connectionString are honoured, and validated', async () => {
    const url = `postgres://postgres@127.0.0.1:5432/postgres?bgdId=url-pg-${process.pid}&bgHighMs=60`
    const pool = new BlueGreenPgPool({ connectionString: url, blueGreen: { logger: silentLogger } })
    cleanups.push(() => pool.end())
    await pool.query('SELECT 1')
    expect(pool.blueGreen?.bgdId).toBe(`url-pg-${process.pid}`)
    expect(pool.blueGreen?.options.highMs).toBe(60)
    const bad = (): unknown =>
      new BlueGreenPgPool({ connectionString: 'postgres://u@db.example/x?bgConnectTimeoutMs=-5' })
    expect(bad).toThrow(BlueGreenConfigError)
    expect(bad).toThrow(/bgConnectTimeoutMs/)
    const client = new BlueGreenPgClient(`postgres://postgres@127.0.0.1:5432/postgres?bgdId=url-client`)
    expect(client.database).toBe('postgres')
  })

  it('mysql2: bg* query parameters of a URI are honoured, and a misspelt one is refused', async () => {
    const pool = createPool(`mysql://root@127.0.0.1:3306/test?bgdId=url-my-${process.pid}`)
    cleanups.push(() => pool.promise().end())
    await pool.promise().query('SELECT 1')
    await waitFor(() => getStatus(`url-my-${process.pid}`) !== undefined, 2000, 'the deployment')
    expect(() => createPool('mysql://root@127.0.0.1:3306/test?bgConectTimeoutMs=5')).toThrow(
      /bgConectTimeoutMs/,
    )
  })
})

describe('pg-pool gives up on a held connect (issue 11 item 10)', () => {
  it('the slot is free at connectionTimeoutMillis and the abandoned connect never dials', async () => {
    const source = new RowsSource(BLUE, GREEN, proxies.pg?.port ?? 0)
    source.setPhase('CREATED')
    const id = `hard-pg-${process.pid}-${++counter}`
    const base = { host: BLUE, port: proxies.pg?.port ?? 0, user: 'postgres', database: 'postgres' }
    const keeper = new BlueGreenPgPool({ ...base, blueGreen: { bgdId: id, metadataSource: source, ...fast } })
    cleanups.push(() => keeper.end())
    await keeper.query('SELECT 1')
    await waitFor(() => getStatus(id)?.roleByHost.has(GREEN) === true, 10_000, 'CREATED')
    source.setPhase('IN_PROGRESS')
    await waitFor(() => getStatus(id)?.phase === 'IN_PROGRESS', 10_000, 'IN_PROGRESS')
    const pool = new pg.Pool({
      ...base,
      Client: BlueGreenPgClient,
      max: 1,
      connectionTimeoutMillis: 300,
      blueGreen: { bgdId: id, ...fast, bgConnectTimeoutMs: 10_000 },
    } as pg.PoolConfig)
    cleanups.push(() => pool.end())
    const accepted = (proxies.pg?.accepts.length ?? 0) + (proxies.pgGreen?.accepts.length ?? 0)
    const started = performance.now()
    await expect(pool.connect()).rejects.toThrow(/timeout/i)
    // pg-pool reports its timeout once the client's connect settles: at once, not when the hold ends (10 s).
    expect(performance.now() - started).toBeLessThan(1000)
    await waitFor(() => pool.totalCount === 0, 200, 'the slot to be free')
    source.setPhase('POST')
    await waitFor(() => getStatus(id)?.phase === 'POST', 10_000, 'POST')
    await sleep(200)
    expect((proxies.pg?.accepts.length ?? 0) + (proxies.pgGreen?.accepts.length ?? 0)).toBe(accepted)
  })
})

/** A connection config whose password is hidden as knex hides it in `client.config.connection`. */
function hiddenPassword<T extends object>(config: T, password: string): T {
  return Object.defineProperty({ ...config }, 'password', { value: password, enumerable: false })
}

describe('knex keeps hidden properties and validates at knex() (issue 11 items 9, 10)', () => {
  const my = { host: '127.0.0.1', port: 3306, user: 'root', database: 'test' }

  it('mysql2: a hidden password reaches the server, static and through an async provider', async () => {
    for (const connection of [hiddenPassword(my, 'wrong'), async () => hiddenPassword(my, 'wrong')]) {
      const db = knex({
        client: AwsBgMysql,
        connection,
        pool: { min: 0, max: 1 },
        blueGreen: { bgdId: `knex-hidden-${++counter}`, logger: silentLogger },
      } as knex.Knex.Config)
      cleanups.push(() => db.destroy())
      // The server refuses the wrong password: it was sent (a dropped password would connect as root).
      await expect(db.raw('SELECT 1')).rejects.toThrow(/using password: YES/)
    }
  })

  it('pg: a config rebuilt from knex.client.config keeps the hidden password', async () => {
    const config: BlueGreenKnexConfig = {
      client: AwsBgPg,
      connection: { host: '127.0.0.1', user: 'postgres', password: 'secret', database: 'postgres' },
      blueGreen: { bgdId: `knex-rebuilt-${++counter}`, logger: silentLogger },
    }
    const first = knex(config)
    cleanups.push(() => first.destroy())
    const rebuilt = knex({
      ...(first.client as { config: knex.Knex.Config }).config,
      pool: { min: 0, max: 1 },
    })
    cleanups.push(() => rebuilt.destroy())
    const raw = (await rebuilt.client.acquireConnection()) as { password?: unknown }
    expect(raw.password).toBe('secret')
    await rebuilt.client.releaseConnection(raw)
  })

  it('an invalid blueGreen option throws from knex(), before any query', () => {
    const config: BlueGreenKnexConfig = {
      client: AwsBgPg,
      connection: { host: '127.0.0.1' },
      blueGreen: { bgConnectTimeoutMs: -5 },
    }
    expect(() => knex(config)).toThrow(BlueGreenConfigError)
  })
})

describe('one surface for the routed drivers (issue 10)', () => {
  it('a user stream is refused with a typed error naming the key (pg pool, pg client, mysql2)', () => {
    const stream = (): never => {
      throw new Error('not called')
    }
    for (const build of [
      () => new BlueGreenPgPool({ host: 'db', stream }),
      () => new BlueGreenPgClient({ host: 'db', stream }),
      () => createPool({ host: 'db', stream }),
      () => createConnection({ host: 'db', stream }),
    ]) {
      expect(build).toThrow(BlueGreenConfigError)
      expect(build).toThrow(/'stream'/)
    }
  })

  it('drizzlePg takes blueGreen at the top level', async () => {
    const id = `drizzle-top-${process.pid}`
    const db = drizzlePg({
      connection: { host: '127.0.0.1', user: 'postgres', database: 'postgres' },
      blueGreen: { bgdId: id, logger: silentLogger },
    })
    cleanups.push(() => db.$client.end())
    await db.$client.query('SELECT 1')
    expect(db.$client.blueGreen?.bgdId).toBe(id)
  })

  it('a plain BlueGreenPgPool survives a connection reset while a client is checked out', async () => {
    const pool = new BlueGreenPgPool({
      host: BLUE,
      port: proxies.pg?.port ?? 0,
      user: 'postgres',
      database: 'postgres',
      blueGreen: { bgdId: `guard-${process.pid}`, ...fast },
    })
    pool.on('error', () => undefined)
    cleanups.push(() => pool.end())
    const client = await pool.connect()
    proxies.pg?.dropAll()
    await waitFor(() => pool.totalCount === 0, 2000, 'the broken client to leave the pool')
    await expect(client.query('SELECT 1')).rejects.toThrow()
    client.release()
  })
})
