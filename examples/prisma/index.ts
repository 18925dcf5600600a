// Prisma 7 through an RDS Blue/Green switchover, on PostgreSQL (generate the client first, see schema.prisma):
//   npm run build && DATABASE_URL=postgres://postgres@127.0.0.1:5432/db npx tsx examples/prisma/index.ts
// The database needs the table of schema.prisma: CREATE TABLE "order" (id serial PRIMARY KEY, item text NOT NULL,
// placed_at timestamptz(3) NOT NULL DEFAULT now())
import { blueGreenCodeOf, PrismaBlueGreenPg } from 'rds-bluegreen/prisma'
import { PrismaClient } from './generated/client.js'

const adapter = new PrismaBlueGreenPg({
  connectionString: process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  max: 10,
  // One monitor pair per deployment and process; calls are held while the switchover is in progress.
  blueGreen: { bgdId: 'orders', bgConnectTimeoutMs: 30_000 },
})
const prisma = new PrismaClient({ adapter })

/** A statement that reached the old (read-only) blue server did not run: running it again is safe. */
async function retryOnReadOnly<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation()
  } catch (err) {
    // P2034 for model queries; blueGreenCodeOf also recognises P1001 'SWITCHOVER_TIMEOUT' / 'GREEN_REJECTED'
    if (blueGreenCodeOf(err) === 'READ_ONLY_CONNECTION') return operation()
    throw err
  }
}

try {
  const order = await retryOnReadOnly(() => prisma.order.create({ data: { item: 'coffee' } }))
  const recent = await prisma.order.findMany({ orderBy: { id: 'desc' }, take: 3 })
  const total = await prisma.$transaction(async (tx) => tx.order.count(), { isolationLevel: 'Serializable' })
  console.log(`prisma: created ${order.id}, recent ${recent.map((o) => o.item).join()}, ${total} rows`)
} finally {
  await prisma.$disconnect() // ends the routed pool and releases the Blue/Green monitors
}
