// Kysely through an RDS Blue/Green switchover: blueGreenPostgresDialect is Kysely's PostgresDialect on a routed pool.
//   npm run build && DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx examples/kysely/index.ts
// Without Blue/Green metadata (a local server) Kysely behaves as usual, after one warning.
import type { Generated } from 'kysely'
import { Kysely, sql } from 'kysely'
import { getStatus } from 'rds-bluegreen'
import { blueGreenPostgresDialect } from 'rds-bluegreen/kysely'

interface Database {
  example_kysely_notes: { id: Generated<number>; body: string }
}

// The one change: blueGreenPostgresDialect({ connection, blueGreen }) instead of new PostgresDialect({ pool }).
const db = new Kysely<Database>({
  dialect: blueGreenPostgresDialect({
    connection: process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    blueGreen: { bgdId: 'notes', bgConnectTimeoutMs: 30_000 },
  }),
})
try {
  await sql`CREATE TABLE IF NOT EXISTS example_kysely_notes (id serial, body text NOT NULL)`.execute(db)
  // A transaction stays on one connection; it waits while the switchover is in progress.
  const rows = await db.transaction().execute(async (trx) => {
    await trx.insertInto('example_kysely_notes').values({ body: 'hello' }).execute()
    return trx.selectFrom('example_kysely_notes').select('id').where('body', '=', 'hello').execute()
  })
  console.log(`kysely: ${Math.min(rows.length, 1)} row, phase ${getStatus('notes')?.phase ?? '-'}`)
  await sql`DROP TABLE example_kysely_notes`.execute(db)
} finally {
  await db.destroy() // ends the routed pool and stops the deployment's monitors
}
