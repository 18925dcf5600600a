// mysql2 through an RDS Blue/Green switchover: createPool is mysql2's, routed. Runs against any MySQL/MariaDB:
//   npm run build && DATABASE_URL=mysql://root@127.0.0.1:3306/test npx tsx examples/mysql2/index.ts
// Without Blue/Green metadata (a local server) the pool behaves as the plain driver, after one warning.
import type { RowDataPacket } from 'mysql2'
import { getStatus } from 'rds-bluegreen'
import { createPool } from 'rds-bluegreen/mysql2'

const pool = createPool({
  uri: process.env['DATABASE_URL'] ?? 'mysql://root@127.0.0.1:3306/test',
  connectionLimit: 10,
  // A key of the driver's own config: checkouts and commands are held while the switchover is in progress.
  blueGreen: { bgdId: 'shop', bgConnectTimeoutMs: 30_000 },
}).promise()
try {
  const connection = await pool.getConnection() // a transaction stays on one connection
  try {
    await connection.query(
      'CREATE TEMPORARY TABLE example_notes (id int AUTO_INCREMENT PRIMARY KEY, body text)',
    )
    await connection.beginTransaction()
    await connection.execute('INSERT INTO example_notes (body) VALUES (?)', ['hello'])
    await connection.commit()
  } finally {
    connection.release()
  }
  const [rows] = await pool.query<({ n: number } & RowDataPacket)[]>('SELECT 1 AS n')
  console.log(`mysql2: ${rows[0]?.n ?? 0} row, phase ${getStatus('shop')?.phase ?? '-'}`)
} finally {
  await pool.end() // closes the pool and stops the deployment's monitors
}
