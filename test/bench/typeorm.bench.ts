import { pathToFileURL } from 'node:url'
import { DataSource, EntitySchema } from 'typeorm'
import { blueGreenDataSourceOptions } from '../../integrations/typeorm/index.js'
import { benchBlueGreen } from './drizzle.bench.js'
import type { BenchOp, BenchRow } from './harness.js'
import { WORKERS, compare as compareOps, printRows } from './harness.js'

/**
 * TypeORM over our routed drivers (`blueGreenDataSourceOptions`) versus TypeORM over the plain `pg` / `mysql2`, on
 * the local servers with the monitors running: 32 concurrent workers alternate a `findOneBy` and an `insert`;
 * rounds interleave baseline and ours; medians. `npx tsx test/bench/typeorm.bench.ts [--json]`, or `benchTypeorm()`.
 */
interface Row {
  id: number
  label: string
  n: number | null
}

const RowSchema = new EntitySchema<Row>({
  name: 'BenchRow',
  tableName: 'bg_bench_typeorm',
  columns: {
    id: { type: Number, primary: true, generated: true },
    label: { type: String, length: 64 },
    n: { type: Number, nullable: true },
  },
  indices: [{ columns: ['label'] }],
})

const ENGINES = [
  {
    name: 'typeorm-pg',
    options: { type: 'postgres', host: '127.0.0.1', port: 5432, username: 'postgres', database: 'postgres' },
  },
  {
    name: 'typeorm-mysql',
    options: {
      type: 'mysql',
      host: '127.0.0.1',
      port: 3306,
      username: 'root',
      password: '',
      database: 'test',
    },
  },
] as const

function op(ds: DataSource): BenchOp {
  const rows = ds.getRepository<Row>(RowSchema)
  return (worker, i) =>
    i % 2 === 0 ? rows.findOneBy({ label: 'edge' }) : rows.insert({ label: `w${worker}`, n: i })
}

/**
 * Both comparisons; the table `bg_bench_typeorm` is synchronized in `postgres` / `test` and dropped at the end.
 *
 * @example
 * const rows = await benchTypeorm() // [{ name: 'typeorm-pg', ratio: 0.99, ... }, { name: 'typeorm-mysql', ... }]
 */
export async function benchTypeorm(): Promise<BenchRow[]> {
  const rows: BenchRow[] = []
  for (const engine of ENGINES) {
    const common = { ...engine.options, entities: [RowSchema], poolSize: WORKERS }
    const base = await new DataSource({ ...common, synchronize: true }).initialize()
    const ours = await new DataSource(
      blueGreenDataSourceOptions({ ...common, blueGreen: benchBlueGreen(`bench-${engine.name}`) }),
    ).initialize()
    try {
      await base.getRepository<Row>(RowSchema).insert({ label: 'edge', n: 1 })
      rows.push(await compareOps(engine.name, op(base), op(ours)))
    } finally {
      await base.query('DROP TABLE IF EXISTS bg_bench_typeorm')
      await Promise.all([base.destroy(), ours.destroy()])
    }
  }
  return rows
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  printRows(await benchTypeorm())
}
