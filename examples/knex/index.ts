// knex through an RDS Blue/Green switchover: the one change is `client: AwsBgPg` (or AwsBgMysql) and `blueGreen`.
//   npm run build && DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx examples/knex/index.ts
// Without Blue/Green metadata (a local server) knex behaves as with client 'pg', after one warning.
import knex from 'knex'
import { getStatus } from 'rds-bluegreen'
import { AwsBgPg } from 'rds-bluegreen/knex'
import type { BlueGreenKnexConfig } from 'rds-bluegreen/knex'

const config: BlueGreenKnexConfig = {
  client: AwsBgPg, // instead of client: 'pg'
  connection: process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  pool: { min: 0, max: 10 },
  // Top level, beside `connection`; validated here, when knex() is called.
  blueGreen: { bgdId: 'orders', bgConnectTimeoutMs: 30_000 },
}
const db = knex(config)
try {
  const count = await db.transaction(async (trx) => {
    await trx.raw('CREATE TEMP TABLE example_notes (id serial, body text)')
    await trx('example_notes').insert({ body: 'hello' })
    const [row] = await trx('example_notes').count<{ count: string }[]>({ count: '*' })
    return Number(row?.count ?? 0)
  })
  console.log(`knex: ${count} row, phase ${getStatus('orders')?.phase ?? '-'}`)
} finally {
  await db.destroy() // closes the pool and stops the deployment's monitors
}
