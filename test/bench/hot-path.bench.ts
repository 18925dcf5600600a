import knex from 'knex'
import ClientPG from 'knex/lib/dialects/postgres/index.js'
import mysql from 'mysql2'
import pg from 'pg'
import { silentLogger } from '../../core/runtime.js'
import { AwsBgPg } from '../../integrations/knex/index.js'
import { createPool as routedMysqlPool } from '../../integrations/mysql2/index.js'
import { BlueGreenPgClient, BlueGreenPgPool } from '../../integrations/pg/index.js'
import { RowsSource } from '../integration/helpers/rows-source.js'
import { fakeMysqlSocket } from './fakes/fake-mysql-server.js'
import { fakePgSocket } from './fakes/fake-pg-server.js'

/**
 * The per-query floor of the library with no server and no kernel in the way: the routed pools against the plain
 * ones, both over in-process fake connections that answer the wire protocol (`fakes/`), so what differs is only
 * the library's own code on the query path (checkout, routing, hold check, transaction tracking, release). Each
 * round runs baseline, ours, baseline (or the reverse) and takes our CPU per query minus the mean of its
 * neighbours; a row reports the median over rounds in nanoseconds.
 */
export interface HotPathRow {
  readonly name: 'hot-path'
  readonly driver: 'pg' | 'mysql2' | 'knex-pg'
  readonly statement: string
  /** Median over rounds of (our CPU per query − the plain driver's), ns. */
  readonly addedNsPerQuery: number
  readonly baselineNsPerQuery: number
  readonly nsPerQuery: number
}

const ROUNDS = Number(process.env['HOT_PATH_ROUNDS'] ?? 15)
const QUERIES = Number(process.env['HOT_PATH_QUERIES'] ?? 12000)
/** Concurrent callers, so the pools hand out and take back several connections, as under load. */
const CALLERS = 4
const PG = { host: '127.0.0.1', port: 5432, user: 'bench', database: 'bench', max: CALLERS }
const MY = { host: '127.0.0.1', port: 3306, user: 'bench', database: 'bench', connectionLimit: CALLERS }

type Op = () => Promise<unknown>

/** CPU (user + system) per query in ns over `QUERIES` queries from `CALLERS` callers. */
async function measure(op: Op): Promise<number> {
  const per = Math.ceil(QUERIES / CALLERS)
  const cpu = process.cpuUsage()
  await Promise.all(
    Array.from({ length: CALLERS }, async () => {
      for (let i = 0; i < per; i++) await op()
    }),
  )
  const used = process.cpuUsage(cpu)
  return ((used.user + used.system) * 1000) / (per * CALLERS)
}

const median = (values: readonly number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0

async function pair(
  driver: HotPathRow['driver'],
  statement: string,
  base: Op,
  ours: Op,
): Promise<HotPathRow> {
  for (let i = 0; i < 3; i++) {
    await measure(base)
    await measure(ours)
  }
  const added: number[] = []
  const b: number[] = []
  const o: number[] = []
  for (let round = 0; round < ROUNDS; round++) {
    const baseFirst = round % 2 === 0
    const x = await measure(baseFirst ? base : ours)
    const y = await measure(baseFirst ? ours : base)
    const z = await measure(baseFirst ? base : ours)
    const [plain, mine] = baseFirst ? [(x + z) / 2, y] : [y, (x + z) / 2]
    added.push(mine - plain)
    b.push(plain)
    o.push(mine)
  }
  return {
    name: 'hot-path',
    driver,
    statement,
    addedNsPerQuery: Math.round(median(added)),
    baselineNsPerQuery: Math.round(median(b)),
    nsPerQuery: Math.round(median(o)),
  }
}

/** pg clients whose connection talks to the in-process fake backend instead of dialing. */
class FakePlainClient extends pg.Client {
  constructor(config?: pg.ClientConfig) {
    super(config)
    ;(this as unknown as { connection: { stream: unknown } }).connection.stream = fakePgSocket()
  }
}

class FakeRoutedClient extends BlueGreenPgClient {
  constructor(config?: ConstructorParameters<typeof BlueGreenPgClient>[0]) {
    super(config)
    ;(this as unknown as { connection: { stream: unknown } }).connection.stream = fakePgSocket()
  }
}

/** A deployment that exists nowhere (NOT_CREATED), the state of nearly every query in production. */
const blueGreen = (bgdId: string) => ({
  bgdId,
  logger: silentLogger,
  metadataSource: new RowsSource('bench.cluster-x.us-east-1.rds.amazonaws.com', 'bench-green', 5432),
})

async function benchPg(): Promise<HotPathRow[]> {
  const plain = new pg.Pool({ ...PG, Client: FakePlainClient })
  const ours = new BlueGreenPgPool({ ...PG, Client: FakeRoutedClient, blueGreen: blueGreen('hot-path-pg') })
  const rows = [
    await pair(
      'pg',
      'pool.query SELECT 1',
      () => plain.query('SELECT 1'),
      () => ours.query('SELECT 1'),
    ),
    await pair(
      'pg',
      'pool.query INSERT $1',
      () => plain.query('INSERT INTO t (v) VALUES ($1)', [1]),
      () => ours.query('INSERT INTO t (v) VALUES ($1)', [1]),
    ),
  ]
  await Promise.all([plain.end(), ours.end()])
  return rows
}

async function benchMysql(): Promise<HotPathRow[]> {
  const plain = mysql.createPool({ ...MY, stream: () => fakeMysqlSocket() } as mysql.PoolOptions)
  const routed = routedMysqlPool({ ...MY, blueGreen: blueGreen('hot-path-mysql2') })
  // The routed pool dials through its own stream factory; only the wire below it is swapped for the fake.
  const internals = routed as unknown as { config: { connectionConfig: { stream: unknown } } }
  internals.config.connectionConfig.stream = () => fakeMysqlSocket()
  const [p, o] = [plain.promise(), routed.promise()]
  const sql = 'INSERT INTO t (v) VALUES (?)'
  const rows = [
    await pair(
      'mysql2',
      'pool.query INSERT ?',
      () => p.query(sql, [1]),
      () => o.query(sql, [1]),
    ),
    await pair(
      'mysql2',
      'pool.execute INSERT ?',
      () => p.execute(sql, [1]),
      () => o.execute(sql, [1]),
    ),
  ]
  await Promise.all([p.end(), o.end()])
  return rows
}

/** knex's pg dialects whose driver clients are the fake ones above (knex's own checkout and the library's). */
class FakeKnexPg extends ClientPG {
  _driver(): object {
    return { ...pg, Client: FakePlainClient }
  }
}

class FakeAwsBgPg extends AwsBgPg {
  _driver(): object {
    const routed = AwsBgPg.prototype as unknown as { _driver(this: unknown): object }
    const driver = routed._driver.call(this) as { Client: typeof BlueGreenPgClient }
    return {
      ...driver,
      Client: class extends driver.Client {
        constructor(config?: ConstructorParameters<typeof BlueGreenPgClient>[0]) {
          super(config)
          ;(this as unknown as { connection: { stream: unknown } }).connection.stream = fakePgSocket()
        }
      },
    }
  }
}

async function benchKnexPg(): Promise<HotPathRow> {
  const connection = { host: PG.host, port: PG.port, user: PG.user, database: PG.database }
  const pool = { min: 0, max: CALLERS }
  // `version` spares knex its `select version()` at the first connect (the fake answers every SELECT with 1).
  const plain = knex({ client: FakeKnexPg, connection, pool, version: '16.0' })
  const ours = knex({
    client: FakeAwsBgPg,
    connection,
    pool,
    version: '16.0',
    blueGreen: blueGreen('hot-path-knex-pg'),
  } as knex.Knex.Config)
  const row = await pair(
    'knex-pg',
    'insert',
    () => plain('t').insert({ v: 1 }),
    () => ours('t').insert({ v: 1 }),
  )
  await Promise.all([plain.destroy(), ours.destroy()])
  return row
}

/**
 * The hot-path rows: pg and mysql2, the routed pool against the plain one over in-process fakes.
 *
 * @example
 * const rows = await benchHotPath() // [{ name: 'hot-path', driver: 'pg', addedNsPerQuery: 900, ... }, ...]
 */
export async function benchHotPath(): Promise<HotPathRow[]> {
  return [...(await benchPg()), ...(await benchMysql()), await benchKnexPg()]
}
