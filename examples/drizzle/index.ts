// Drizzle through an RDS Blue/Green switchover: drizzlePg({ connection, blueGreen }) instead of drizzle({ connection }).
//   npm run build && DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx examples/drizzle/index.ts
// Without Blue/Green metadata (a local server) Drizzle behaves as over plain pg, after one warning.
import { sql } from 'drizzle-orm'
import { pgTable, serial, text } from 'drizzle-orm/pg-core'
import { getStatus } from 'rds-bluegreen'
import { drizzlePg } from 'rds-bluegreen/drizzle'

const notes = pgTable('example_notes', { id: serial('id').primaryKey(), body: text('body').notNull() })

const db = drizzlePg({
  connection: process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  blueGreen: { bgdId: 'orders', bgConnectTimeoutMs: 30_000 }, // top level, beside `connection`
})
try {
  // A transaction stays on one connection; it waits while the switchover is in progress.
  const rows = await db.transaction(async (tx) => {
    await tx.execute(sql`CREATE TEMP TABLE example_notes (id serial PRIMARY KEY, body text NOT NULL)`)
    await tx.insert(notes).values({ body: 'hello' })
    return tx.select().from(notes)
  })
  console.log(`drizzle: ${rows.length} row, phase ${getStatus('orders')?.phase ?? '-'}`)
} finally {
  await db.$client.end() // closes the pool and stops the deployment's monitors
}
