import { eq, sql } from 'drizzle-orm'
import { int, mysqlTable, varchar } from 'drizzle-orm/mysql-core'
import type { MySql2Database } from 'drizzle-orm/mysql2'
import { drizzle as plainMysql } from 'drizzle-orm/mysql2'
import type { NodePgDatabase } from 'drizzle-orm/node-postgres'
import { drizzle as plainPg } from 'drizzle-orm/node-postgres'
import { integer, pgTable, serial, text } from 'drizzle-orm/pg-core'
import mysql from 'mysql2'
import pg from 'pg'
import { pathToFileURL } from 'node:url'
import { silentLogger } from '../../core/runtime.js'
import { drizzleMysql, drizzlePg } from '../../integrations/drizzle/index.js'
import type { BenchOp, BenchRow } from './harness.js'
import { WORKERS, compare as compareOps, printRows } from './harness.js'

/**
 * Drizzle over our routed pools (`drizzlePg`, `drizzleMysql`) versus Drizzle over the plain drivers, on the local
 * servers with the monitors running: 32 concurrent workers alternate a select by key and an insert; rounds
 * interleave baseline and ours; medians. `npx tsx test/bench/drizzle.bench.ts [--json]`, or `benchDrizzle()`.
 */
const PG = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres', max: WORKERS }
const MY = {
  host: '127.0.0.1',
  port: 3306,
  user: 'root',
  password: '',
  database: 'test',
  connectionLimit: WORKERS,
}
/**
 * Blue/Green options of the benchmarked pools (the servers have no metadata: NOT_CREATED, 1 s polling).
 *
 * @example
 * drizzlePg({ connection: { ...PG, blueGreen: benchBlueGreen('bench-drizzle-pg') } })
 */
export const benchBlueGreen = (bgdId: string) => ({ bgdId, logger: silentLogger, bgBaselineMs: 1000 })

const pgRows = pgTable('bg_bench_drizzle', {
  id: serial('id').primaryKey(),
  label: text('label').notNull(),
  n: integer('n'),
})
const myRows = mysqlTable('bg_bench_drizzle', {
  id: int('id').autoincrement().primaryKey(),
  label: varchar('label', { length: 64 }).notNull(),
  n: int('n'),
})

/**
 * Both comparisons; the table `bg_bench_drizzle` is created in `postgres` / `test` and dropped at the end.
 *
 * @example
 * const rows = await benchDrizzle() // [{ name: 'drizzle-pg', ratio: 0.99, ... }, { name: 'drizzle-mysql', ... }]
 */
export async function benchDrizzle(): Promise<BenchRow[]> {
  const rows: BenchRow[] = []
  const pgPool = new pg.Pool(PG)
  const pgBase = plainPg({ client: pgPool })
  const pgOurs = drizzlePg({ connection: { ...PG, blueGreen: benchBlueGreen('bench-drizzle-pg') } })
  try {
    await pgBase.execute(sql`DROP TABLE IF EXISTS bg_bench_drizzle`)
    await pgBase.execute(
      sql`CREATE TABLE bg_bench_drizzle (id serial PRIMARY KEY, label text NOT NULL, n int)`,
    )
    await pgBase.execute(sql`CREATE INDEX ON bg_bench_drizzle (label)`)
    await pgBase.insert(pgRows).values({ label: 'edge', n: 1 })
    const op =
      (db: NodePgDatabase): BenchOp =>
      (worker, i) =>
        i % 2 === 0
          ? db.select().from(pgRows).where(eq(pgRows.label, 'edge')).limit(1)
          : db.insert(pgRows).values({ label: `w${worker}`, n: i })
    rows.push(await compareOps('drizzle-pg', op(pgBase), op(pgOurs)))
  } finally {
    await pgBase.execute(sql`DROP TABLE IF EXISTS bg_bench_drizzle`)
    await Promise.all([pgPool.end(), pgOurs.$client.end()])
  }
  const myPool = mysql.createPool(MY)
  const myBase = plainMysql(myPool)
  const myOurs = drizzleMysql({ connection: { ...MY, blueGreen: benchBlueGreen('bench-drizzle-mysql') } })
  try {
    await myBase.execute(sql`DROP TABLE IF EXISTS bg_bench_drizzle`)
    await myBase.execute(
      sql`CREATE TABLE bg_bench_drizzle (id int AUTO_INCREMENT PRIMARY KEY, label varchar(64) NOT NULL, n int, KEY (label))`,
    )
    await myBase.insert(myRows).values({ label: 'edge', n: 1 })
    const op =
      (db: MySql2Database): BenchOp =>
      (worker, i) =>
        i % 2 === 0
          ? db.select().from(myRows).where(eq(myRows.label, 'edge')).limit(1)
          : db.insert(myRows).values({ label: `w${worker}`, n: i })
    rows.push(await compareOps('drizzle-mysql', op(myBase), op(myOurs)))
  } finally {
    await myBase.execute(sql`DROP TABLE IF EXISTS bg_bench_drizzle`)
    await Promise.all([myPool.promise().end(), myOurs.$client.end()])
  }
  return rows
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  printRows(await benchDrizzle())
}
