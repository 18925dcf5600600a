import mysql from 'mysql2'
import pg from 'pg'
import type { MetadataSource } from '../../core/metadata/source.js'
import { silentLogger } from '../../core/runtime.js'
import { createPool as routedMysqlPool, mysqlMetadataSource } from '../../integrations/mysql2/index.js'
import { BlueGreenPgPool, pgMetadataSource } from '../../integrations/pg/index.js'
import { RowsSource } from '../integration/helpers/rows-source.js'
import type { BenchRow } from './harness.js'
import { WORKERS, compare } from './harness.js'

/**
 * Routed pool versus plain pool, `SELECT 1` and a one-row insert, for pg and mysql2, with the monitors running,
 * and the number of monitoring connections per deployment (three pools share one).
 */
const PG = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres', max: WORKERS }
const MY = { host: '127.0.0.1', port: 3306, user: 'root', database: 'test', connectionLimit: WORKERS }

function counting(source: MetadataSource, counter: { opened: number }): MetadataSource {
  return {
    name: source.name,
    connect: (target) => {
      counter.opened++
      return source.connect(target)
    },
  }
}

/**
 * The driver rows and the monitoring-connection count.
 *
 * @example
 * const { rows, monitors } = await benchDrivers()
 */
export async function benchDrivers(): Promise<{
  rows: BenchRow[]
  monitors: { pg: number; mysql2: number }
}> {
  const rows: BenchRow[] = []
  const monitors = { pg: { opened: 0 }, mysql2: { opened: 0 } }
  const bg = (id: string, metadataSource: MetadataSource) => ({
    bgdId: id,
    metadataSource,
    logger: silentLogger,
    bgBaselineMs: 1000,
  })

  // pg: plain pool versus three routed pools on one deployment (NOT_CREATED: the server has no metadata).
  const pgBase = new pg.Pool(PG)
  const pgSource = counting(pgMetadataSource(PG), monitors.pg)
  const pgRouted = [1, 2, 3].map(() => new BlueGreenPgPool({ ...PG, blueGreen: bg('bench-pg', pgSource) }))
  const pgOurs = pgRouted[0] as BlueGreenPgPool
  await Promise.all(pgRouted.map((p) => p.query('SELECT 1')))
  await pgBase.query('CREATE TABLE IF NOT EXISTS bg_bench (v int)')
  rows.push(
    await compare(
      'pg-select',
      () => pgBase.query('SELECT 1'),
      () => pgOurs.query('SELECT 1'),
    ),
  )
  rows.push(
    await compare(
      'pg-insert',
      () => pgBase.query('INSERT INTO bg_bench (v) VALUES ($1)', [1]),
      () => pgOurs.query('INSERT INTO bg_bench (v) VALUES ($1)', [1]),
    ),
  )
  // CREATED: routes exist in the snapshot but do not match this host.
  const created = new RowsSource(
    'bench.c9akciq32.us-east-1.rds.amazonaws.com',
    'bench-green-abc123.c9akciq32.us-east-1.rds.amazonaws.com',
    5432,
  )
  created.setPhase('CREATED')
  const pgCreated = new BlueGreenPgPool({ ...PG, blueGreen: bg('bench-pg-created', created) })
  await pgCreated.query('SELECT 1')
  rows.push(
    await compare(
      'pg-select-created',
      () => pgBase.query('SELECT 1'),
      () => pgCreated.query('SELECT 1'),
    ),
  )
  await pgBase.query('DROP TABLE IF EXISTS bg_bench')
  await Promise.all([pgBase.end(), pgCreated.end(), ...pgRouted.map((p) => p.end())])

  // mysql2: the promise API of plain versus routed pools.
  const myBase = mysql.createPool(MY).promise()
  const mySource = counting(mysqlMetadataSource(MY), monitors.mysql2)
  const myRouted = [1, 2, 3].map(() =>
    routedMysqlPool({ ...MY, blueGreen: bg('bench-mysql2', mySource) }).promise(),
  )
  const myOurs = myRouted[0] as (typeof myRouted)[number]
  await Promise.all(myRouted.map((p) => p.query('SELECT 1')))
  await myBase.query('CREATE TABLE IF NOT EXISTS bg_bench (v INT)')
  rows.push(
    await compare(
      'mysql2-select',
      () => myBase.query('SELECT 1'),
      () => myOurs.query('SELECT 1'),
    ),
  )
  rows.push(
    await compare(
      'mysql2-insert',
      () => myBase.query('INSERT INTO bg_bench (v) VALUES (?)', [1]),
      () => myOurs.query('INSERT INTO bg_bench (v) VALUES (?)', [1]),
    ),
  )
  await myBase.query('DROP TABLE IF EXISTS bg_bench')
  await Promise.all([myBase.end(), ...myRouted.map((p) => p.end())])

  return { rows, monitors: { pg: monitors.pg.opened, mysql2: monitors.mysql2.opened } }
}
