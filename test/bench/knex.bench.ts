import knex from 'knex'
import { silentLogger } from '../../core/runtime.js'
import { AwsBgMysql, AwsBgPg } from '../../integrations/knex/index.js'
import type { BenchRow } from './harness.js'
import { WORKERS, compare } from './harness.js'

const PG = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' }
const MY = { host: '127.0.0.1', port: 3306, user: 'root', password: '', database: 'test' }
const blueGreen = (bgdId: string) => ({ bgdId, logger: silentLogger, bgBaselineMs: 1000 })

/**
 * knex with AwsBgPg / AwsBgMysql versus knex with its own `pg` / `mysql2` clients: a select by key and a one-row
 * insert through the query builder, alternating.
 *
 * @example
 * const rows = await benchKnex() // [{ name: 'knex-pg', ratio: 0.99, ... }, { name: 'knex-mysql', ... }]
 */
export async function benchKnex(): Promise<BenchRow[]> {
  const pool = { min: 0, max: WORKERS }
  const engines = [
    {
      name: 'knex-pg',
      plain: knex({ client: 'pg', connection: PG, pool }),
      ours: knex({
        client: AwsBgPg,
        connection: PG,
        pool,
        blueGreen: blueGreen('bench-knex-pg'),
      } as knex.Knex.Config),
    },
    {
      name: 'knex-mysql',
      plain: knex({ client: 'mysql2', connection: MY, pool }),
      ours: knex({
        client: AwsBgMysql,
        connection: MY,
        pool,
        blueGreen: blueGreen('bench-knex-mysql'),
      } as knex.Knex.Config),
    },
  ]
  const rows: BenchRow[] = []
  for (const { name, plain, ours } of engines) {
    await plain.schema.dropTableIfExists('bg_bench_knex')
    await plain.schema.createTable('bg_bench_knex', (t) => {
      t.increments('id')
      t.integer('n')
    })
    const op =
      (db: knex.Knex) =>
      (worker: number, i: number): Promise<unknown> =>
        i % 2 === 0
          ? db('bg_bench_knex')
              .where({ id: worker + 1 })
              .first()
          : db('bg_bench_knex').insert({ n: i })
    rows.push(await compare(name, op(plain), op(ours)))
    await plain.schema.dropTableIfExists('bg_bench_knex')
    await Promise.all([plain.destroy(), ours.destroy()])
  }
  return rows
}
