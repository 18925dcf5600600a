import mysql from 'mysql2'
import pg from 'pg'
import type { MetadataSource } from '../../core/metadata/source.js'
import { silentLogger } from '../../core/runtime.js'
import { createPool as routedMysqlPool, mysqlMetadataSource } from '../../integrations/mysql2/index.js'
import { BlueGreenPgPool, pgMetadataSource } from '../../integrations/pg/index.js'
import { RowsSource } from '../integration/helpers/rows-source.js'

/**
 * Routed pool versus plain pool, 32 concurrent workers, `SELECT 1` and a one-row insert, for pg and mysql2, with
 * the monitors running. Baseline and routed rounds alternate and the medians are compared, to cancel drift.
 */
const WORKERS = 32
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5)
const ROUND_MS = Number(process.env['BENCH_ROUND_MS'] ?? 800)
const json = process.argv.includes('--json')
const PG = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres', max: WORKERS }
const MY = { host: '127.0.0.1', port: 3306, user: 'root', database: 'test', connectionLimit: WORKERS }

type Op = () => Promise<unknown>

async function throughput(op: Op): Promise<number> {
  let count = 0
  const end = performance.now() + ROUND_MS
  const start = performance.now()
  await Promise.all(
    Array.from({ length: WORKERS }, async () => {
      while (performance.now() < end) {
        await op()
        count++
      }
    }),
  )
  return (count * 1000) / (performance.now() - start)
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? 0
}

async function compare(name: string, baseline: Op, routed: Op) {
  await throughput(baseline)
  await throughput(routed)
  const base: number[] = []
  const ours: number[] = []
  for (let round = 0; round < ROUNDS; round++) {
    if (round % 2 === 0) {
      base.push(await throughput(baseline))
      ours.push(await throughput(routed))
    } else {
      ours.push(await throughput(routed))
      base.push(await throughput(baseline))
    }
  }
  const baselineOpsPerSec = Math.round(median(base))
  const opsPerSec = Math.round(median(ours))
  return { name, baselineOpsPerSec, opsPerSec, ratio: Number((opsPerSec / baselineOpsPerSec).toFixed(3)) }
}

function counting(source: MetadataSource, counter: { opened: number }): MetadataSource {
  return {
    name: source.name,
    connect: (target) => {
      counter.opened++
      return source.connect(target)
    },
  }
}

async function main(): Promise<void> {
  const rows = []
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

  if (json) {
    console.log(JSON.stringify(rows))
    console.error(
      JSON.stringify({
        monitoringConnectionsPerDeployment: { pg: monitors.pg.opened, mysql2: monitors.mysql2.opened },
      }),
    )
    return
  }
  console.log(`${WORKERS} workers, ${ROUNDS} alternating rounds of ${ROUND_MS} ms, medians\n`)
  console.log('name                 baseline ops/s   routed ops/s   ratio')
  for (const row of rows) {
    console.log(
      `${row.name.padEnd(20)} ${String(row.baselineOpsPerSec).padStart(14)} ${String(row.opsPerSec).padStart(14)}   ${row.ratio.toFixed(3)}`,
    )
  }
  console.log(
    `\nmonitoring connections opened per deployment (3 pools each): pg ${monitors.pg.opened}, mysql2 ${monitors.mysql2.opened} (target 2)`,
  )
}

await main()
