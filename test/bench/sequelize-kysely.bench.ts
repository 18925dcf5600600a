import { Kysely, MysqlDialect, PostgresDialect } from 'kysely'
import type { Generated } from 'kysely'
import mysql from 'mysql2'
import pg from 'pg'
import type { ModelStatic, Model, Options } from 'sequelize'
import { DataTypes, Sequelize } from 'sequelize'
import { pathToFileURL } from 'node:url'
import { blueGreenMysqlDialect, blueGreenPostgresDialect } from '../../integrations/kysely/index.js'
import { blueGreenSequelizeOptions } from '../../integrations/sequelize/index.js'
import { benchBlueGreen } from './drizzle.bench.js'
import type { BenchOp, BenchRow } from './harness.js'
import { WORKERS, compare as compareOps, printRows } from './harness.js'

/**
 * Sequelize (`blueGreenSequelizeOptions`) and Kysely (`blueGreenPostgresDialect`, `blueGreenMysqlDialect`) over our
 * routed drivers versus the same ORM over the plain drivers, on the local servers with the monitors running: 32
 * concurrent workers alternate a select by key and an insert; rounds interleave baseline and ours; medians.
 * `npx tsx test/bench/sequelize-kysely.bench.ts [--json]`, or `benchSequelize()` / `benchKysely()`.
 */
const PG = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' }
const MY = { host: '127.0.0.1', port: 3306, user: 'root', password: '', database: 'test' }
const TABLE = 'bg_bench_orm'

const engines = [
  {
    name: 'pg',
    create: `CREATE TABLE ${TABLE} (id serial PRIMARY KEY, label text NOT NULL, n int)`,
    index: `CREATE INDEX ON ${TABLE} (label)`,
  },
  {
    name: 'mysql',
    create: `CREATE TABLE ${TABLE} (id int AUTO_INCREMENT PRIMARY KEY, label varchar(64) NOT NULL, n int, KEY (label))`,
    index: undefined,
  },
] as const

async function withTable<T>(engine: (typeof engines)[number], run: () => Promise<T>): Promise<T> {
  const admin: { query(sql: string): Promise<unknown>; end(): Promise<void> } =
    engine.name === 'pg'
      ? new pg.Pool({ ...PG, max: 1 })
      : mysql.createPool({ ...MY, connectionLimit: 1 }).promise()
  const exec = (sql: string): Promise<unknown> => admin.query(sql)
  try {
    await exec(`DROP TABLE IF EXISTS ${TABLE}`)
    await exec(engine.create)
    if (engine.index !== undefined) await exec(engine.index)
    await exec(`INSERT INTO ${TABLE} (label, n) VALUES ('edge', 1)`)
    return await run()
  } finally {
    await exec(`DROP TABLE IF EXISTS ${TABLE}`)
    await admin.end()
  }
}

function sequelizeOptions(name: 'pg' | 'mysql'): Options {
  const base = name === 'pg' ? { ...PG, username: PG.user } : { ...MY, username: MY.user }
  return {
    ...base,
    dialect: name === 'pg' ? 'postgres' : 'mysql',
    logging: false,
    pool: { max: WORKERS, min: 0, acquire: 30_000 },
  }
}

/**
 * Sequelize over the plain driver against Sequelize through `blueGreenSequelizeOptions`, both engines.
 *
 * @example
 * const rows = await benchSequelize() // [{ name: 'sequelize-pg', ... }, { name: 'sequelize-mysql', ... }]
 */
export async function benchSequelize(): Promise<BenchRow[]> {
  const rows: BenchRow[] = []
  for (const engine of engines) {
    const plain = new Sequelize(sequelizeOptions(engine.name))
    const { dialect, ...options } = sequelizeOptions(engine.name)
    const ours = new Sequelize(
      blueGreenSequelizeOptions({
        ...options,
        dialect: dialect as 'postgres' | 'mysql',
        blueGreen: benchBlueGreen(`bench-sequelize-${engine.name}`),
      }),
    )
    const model = (s: Sequelize): ModelStatic<Model> =>
      s.define(
        'Row',
        {
          id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
          label: DataTypes.STRING,
          n: DataTypes.INTEGER,
        },
        { tableName: TABLE, timestamps: false },
      )
    const op =
      (rowsModel: ModelStatic<Model>): BenchOp =>
      (worker, i) =>
        i % 2 === 0
          ? rowsModel.findOne({ where: { label: 'edge' } })
          : rowsModel.create({ label: `w${worker}`, n: i })
    try {
      rows.push(
        await withTable(engine, () =>
          compareOps(`sequelize-${engine.name}`, op(model(plain)), op(model(ours))),
        ),
      )
    } finally {
      await Promise.all([plain.close(), ours.close()])
    }
  }
  return rows
}

interface BenchDatabase {
  bg_bench_orm: { id: Generated<number>; label: string; n: number | null }
}

/**
 * Kysely over the plain pools against Kysely over the routed ones, both engines.
 *
 * @example
 * const rows = await benchKysely() // [{ name: 'kysely-pg', ... }, { name: 'kysely-mysql', ... }]
 */
export async function benchKysely(): Promise<BenchRow[]> {
  const rows: BenchRow[] = []
  for (const engine of engines) {
    const plain = new Kysely<BenchDatabase>({
      dialect:
        engine.name === 'pg'
          ? new PostgresDialect({ pool: new pg.Pool({ ...PG, max: WORKERS }) })
          : new MysqlDialect({ pool: mysql.createPool({ ...MY, connectionLimit: WORKERS }) }),
    })
    const blueGreen = benchBlueGreen(`bench-kysely-${engine.name}`)
    const ours = new Kysely<BenchDatabase>({
      dialect:
        engine.name === 'pg'
          ? blueGreenPostgresDialect({ connection: { ...PG, max: WORKERS }, blueGreen })
          : blueGreenMysqlDialect({ connection: { ...MY, connectionLimit: WORKERS }, blueGreen }),
    })
    const op =
      (db: Kysely<BenchDatabase>): BenchOp =>
      (worker, i) =>
        i % 2 === 0
          ? db.selectFrom(TABLE).selectAll().where('label', '=', 'edge').limit(1).execute()
          : db
              .insertInto(TABLE)
              .values({ label: `w${worker}`, n: i })
              .execute()
    try {
      rows.push(await withTable(engine, () => compareOps(`kysely-${engine.name}`, op(plain), op(ours))))
    } finally {
      await Promise.all([plain.destroy(), ours.destroy()])
    }
  }
  return rows
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  printRows([...(await benchSequelize()), ...(await benchKysely())])
}
