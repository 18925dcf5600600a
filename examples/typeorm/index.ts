// A TypeORM application protected through a Blue/Green switchover. Against the switchover lab (needs root):
//   node scripts/with-lab-dns.mjs npx tsx examples/typeorm/index.ts
// or against any PostgreSQL: DATABASE_HOST=... DATABASE_USER=... DATABASE_PASSWORD=... npx tsx examples/typeorm/index.ts
import { DataSource, EntitySchema } from 'typeorm'
import { getStatus } from '../../core/index.js'
import { blueGreenDataSourceOptions } from '../../integrations/typeorm/index.js'
import { labTarget, startLab } from '../../test/lab/index.js'

interface Note {
  id: number
  body: string
}
// EntitySchema needs no decorator settings; decorated entity classes work the same way.
const NoteSchema = new EntitySchema<Note>({
  name: 'Note',
  tableName: 'example_notes',
  columns: { id: { type: Number, primary: true, generated: true }, body: { type: String } },
})

const DDL = 'CREATE TABLE IF NOT EXISTS example_notes (id serial PRIMARY KEY, body text NOT NULL)'
// The lab creates the table on blue and green before replication starts (DDL is not replicated).
const lab =
  process.env['DATABASE_HOST'] === undefined ? await startLab({ engine: 'pg', schema: [DDL] }) : undefined
const target = lab === undefined ? undefined : labTarget(lab)

// The one change: wrap the usual options in blueGreenDataSourceOptions and add `blueGreen`.
const dataSource = new DataSource(
  blueGreenDataSourceOptions({
    type: 'postgres',
    host: target?.host ?? process.env['DATABASE_HOST'] ?? 'localhost',
    username: target?.user ?? process.env['DATABASE_USER'] ?? 'postgres',
    password: target?.password ?? process.env['DATABASE_PASSWORD'] ?? '',
    database: target?.database ?? process.env['DATABASE_NAME'] ?? 'postgres',
    entities: [NoteSchema],
    blueGreen: { bgdId: 'example', bgIncreasedMs: 100, bgHighMs: 50 },
  }),
)
await dataSource.initialize()
try {
  await dataSource.query(DDL)
  const switchover = lab?.switchover({ preset: 'fast' })
  for (let i = 0; i < 40; i++) {
    // A transaction stays on one connection; it waits while the switchover is in progress.
    const served = await dataSource.transaction(async (manager) => {
      await manager.insert(NoteSchema, { body: `note ${i}` })
      const rows = await manager.query<{ i: string | null }[]>(
        "SELECT current_setting('lab.instance', true) AS i",
      )
      return rows[0]?.i ?? 'the database'
    })
    console.log(`write ${i}: phase ${getStatus('example')?.phase ?? '-'}, served by ${served}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  await switchover
  await dataSource.query('DROP TABLE example_notes')
} finally {
  await dataSource.destroy() // closes the pool and stops the deployment's monitors
  await lab?.stop()
}
