// node-postgres through an RDS Blue/Green switchover: BlueGreenPgPool is a pg.Pool. Runs against any PostgreSQL:
//   npm run build && DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx examples/pg/index.ts
// Without Blue/Green metadata (a local server) the pool behaves as the plain driver, after one warning.
import { getStatus } from 'rds-bluegreen'
import { BlueGreenPgPool } from 'rds-bluegreen/pg'

const pool = new BlueGreenPgPool({
  connectionString: process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  max: 10,
  // A key of the driver's own config: checkouts and statements are held while the switchover is in progress.
  blueGreen: { bgdId: 'orders', bgConnectTimeoutMs: 30_000 },
})
pool.on('error', () => undefined) // as with pg.Pool: an idle connection the server closed is dropped
try {
  await pool.query('CREATE TEMP TABLE IF NOT EXISTS example_notes (id serial, body text)')
  const client = await pool.connect() // a transaction stays on one connection
  try {
    await client.query('BEGIN')
    await client.query('INSERT INTO example_notes (body) VALUES ($1)', ['hello'])
    await client.query('COMMIT')
  } finally {
    client.release()
  }
  const { rows } = await pool.query<{ n: number }>('SELECT 1 AS n')
  console.log(`pg: ${rows[0]?.n ?? 0} row, phase ${getStatus('orders')?.phase ?? '-'}`)
} finally {
  await pool.end() // closes the pool and stops the deployment's monitors
}
