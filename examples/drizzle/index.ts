// A Drizzle application protected through a Blue/Green switchover. Against the switchover lab (needs root):
//   node scripts/with-lab-dns.mjs npx tsx examples/drizzle/index.ts
// or against any PostgreSQL: DATABASE_HOST=... DATABASE_USER=... DATABASE_PASSWORD=... npx tsx examples/drizzle/index.ts
import { sql } from 'drizzle-orm'
import { pgTable, serial, text } from 'drizzle-orm/pg-core'
import { getStatus } from '../../core/index.js'
import { drizzlePg } from '../../integrations/drizzle/index.js'
import { labTarget, startLab } from '../../test/lab/index.js'

const notes = pgTable('example_notes', { id: serial('id').primaryKey(), body: text('body').notNull() })

const DDL = 'CREATE TABLE IF NOT EXISTS example_notes (id serial PRIMARY KEY, body text NOT NULL)'
// The lab creates the table on blue and green before replication starts (DDL is not replicated).
const lab =
  process.env['DATABASE_HOST'] === undefined ? await startLab({ engine: 'pg', schema: [DDL] }) : undefined
const target = lab === undefined ? undefined : labTarget(lab)

// The one change: drizzlePg({ connection }) instead of drizzle({ connection }), with Blue/Green options.
const db = drizzlePg({
  connection: {
    host: target?.host ?? process.env['DATABASE_HOST'] ?? 'localhost',
    user: target?.user ?? process.env['DATABASE_USER'] ?? 'postgres',
    password: target?.password ?? process.env['DATABASE_PASSWORD'] ?? '',
    database: target?.database ?? process.env['DATABASE_NAME'] ?? 'postgres',
    blueGreen: { bgdId: 'example', bgIncreasedMs: 100, bgHighMs: 50 },
  },
})
try {
  await db.execute(sql.raw(DDL))
  const switchover = lab?.switchover({ preset: 'fast' })
  for (let i = 0; i < 40; i++) {
    // A transaction stays on one connection; it waits while the switchover is in progress.
    const served = await db.transaction(async (tx) => {
      await tx.insert(notes).values({ body: `note ${i}` })
      const rows = await tx.execute<{ i: string | null }>(
        sql`SELECT current_setting('lab.instance', true) AS i`,
      )
      return rows.rows[0]?.i ?? 'the database'
    })
    console.log(`write ${i}: phase ${getStatus('example')?.phase ?? '-'}, served by ${served}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  await switchover
  await db.execute(sql`DROP TABLE example_notes`)
} finally {
  await db.$client.end() // closes the pool and stops the deployment's monitors
  await lab?.stop()
}
