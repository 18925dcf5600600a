// A Kysely application protected through a Blue/Green switchover. Against the switchover lab (needs root):
//   node scripts/with-lab-dns.mjs npx tsx examples/kysely/index.ts
// or against any PostgreSQL: DATABASE_HOST=... DATABASE_USER=... DATABASE_PASSWORD=... npx tsx examples/kysely/index.ts
import type { Generated } from 'kysely'
import { Kysely, sql } from 'kysely'
import { getStatus } from '../../core/index.js'
import { blueGreenPostgresDialect } from '../../integrations/kysely/index.js'
import { labTarget, startLab } from '../../test/lab/index.js'

interface Database {
  example_notes: { id: Generated<number>; body: string }
}

const DDL = 'CREATE TABLE IF NOT EXISTS example_notes (id serial PRIMARY KEY, body text NOT NULL)'
// The lab creates the table on blue and green before replication starts (DDL is not replicated).
const lab =
  process.env['DATABASE_HOST'] === undefined ? await startLab({ engine: 'pg', schema: [DDL] }) : undefined
const target = lab === undefined ? undefined : labTarget(lab)

// The one change: blueGreenPostgresDialect({ connection, blueGreen }) instead of new PostgresDialect({ pool }).
const db = new Kysely<Database>({
  dialect: blueGreenPostgresDialect({
    connection: {
      host: target?.host ?? process.env['DATABASE_HOST'] ?? 'localhost',
      user: target?.user ?? process.env['DATABASE_USER'] ?? 'postgres',
      password: target?.password ?? process.env['DATABASE_PASSWORD'] ?? '',
      database: target?.database ?? process.env['DATABASE_NAME'] ?? 'postgres',
    },
    blueGreen: { bgdId: 'example', bgIncreasedMs: 100, bgHighMs: 50 },
  }),
})
try {
  await sql.raw(DDL).execute(db)
  const switchover = lab?.switchover({ preset: 'fast' })
  for (let i = 0; i < 40; i++) {
    // A transaction stays on one connection; it waits while the switchover is in progress.
    const served = await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('example_notes')
        .values({ body: `note ${i}` })
        .execute()
      const { rows } = await sql<{
        i: string | null
      }>`SELECT current_setting('lab.instance', true) AS i`.execute(trx)
      return rows[0]?.i ?? 'the database'
    })
    console.log(`write ${i}: phase ${getStatus('example')?.phase ?? '-'}, served by ${served}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  await switchover
  await sql`DROP TABLE example_notes`.execute(db)
} finally {
  await db.destroy() // ends the routed pool and stops the deployment's monitors
  await lab?.stop()
}
