// TypeORM through an RDS Blue/Green switchover: wrap the usual options in blueGreenDataSourceOptions, add `blueGreen`.
//   npm run build && DATABASE_HOST=127.0.0.1 DATABASE_USER=postgres npx tsx examples/typeorm/index.ts
// Without Blue/Green metadata (a local server) TypeORM behaves as over plain pg, after one warning.
import { getStatus } from 'rds-bluegreen'
import { blueGreenDataSourceOptions } from 'rds-bluegreen/typeorm'
import { DataSource, EntitySchema } from 'typeorm'

// EntitySchema needs no decorator settings; decorated entity classes work the same way.
const Note = new EntitySchema<{ id: number; body: string }>({
  name: 'Note',
  tableName: 'example_notes',
  columns: { id: { type: Number, primary: true, generated: true }, body: { type: String } },
})
const dataSource = new DataSource(
  blueGreenDataSourceOptions({
    type: 'postgres',
    host: process.env['DATABASE_HOST'] ?? '127.0.0.1',
    username: process.env['DATABASE_USER'] ?? 'postgres',
    password: process.env['DATABASE_PASSWORD'] ?? '',
    database: process.env['DATABASE_NAME'] ?? 'postgres',
    entities: [Note],
    blueGreen: { bgdId: 'orders', bgConnectTimeoutMs: 30_000 }, // top level, beside the connection options
  }),
)
await dataSource.initialize()
try {
  const count = await dataSource.transaction(async (manager) => {
    await manager.query('CREATE TEMP TABLE example_notes (id serial PRIMARY KEY, body text NOT NULL)')
    await manager.insert(Note, { body: 'hello' })
    return manager.count(Note)
  })
  console.log(`typeorm: ${count} row, phase ${getStatus('orders')?.phase ?? '-'}`)
} finally {
  await dataSource.destroy() // closes the pool and stops the deployment's monitors
}
