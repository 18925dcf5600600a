import { count, DrizzleQueryError, eq, sql } from 'drizzle-orm'
import { int, mysqlTable, primaryKey, varchar } from 'drizzle-orm/mysql-core'
import { drizzleMysql } from '../../../integrations/drizzle/index.js'
import { labBlueGreen } from './blue-green-options.js'
import { withTimeout } from './errors.js'
import type { LabClient, LabClientTarget, LabSession } from './types.js'

export const engines = ['mysql'] as const

const labWrites = mysqlTable(
  'lab_writes',
  {
    client: varchar('client', { length: 64 }).notNull(),
    seq: int('seq').notNull(),
    instance: varchar('instance', { length: 16 }).notNull().default(''),
  },
  (t) => [primaryKey({ columns: [t.client, t.seq] })],
)
const INSTANCE = sql`SELECT IF(@@server_id = 1, 'blue', 'green') AS i, (SELECT count(*) FROM lab_writes) AS n`
const instanceOf = (serverId: unknown): string => (Number(serverId) === 1 ? 'blue' : 'green')
type Rows<T> = [T[], unknown]

/** Drizzle wraps driver errors; the lab counts errors by the driver's (or the library's) own code. */
async function unwrapped<T>(op: () => Promise<T>): Promise<T> {
  try {
    return await op()
  } catch (err) {
    throw err instanceof DrizzleQueryError && err.cause !== undefined ? err.cause : err
  }
}

/**
 * Drizzle over `drizzleMysql` as an application uses it: one database (one routed pool) shared by every worker.
 * The instance must come from the connection that wrote: a write is Drizzle's insert plus MariaDB's
 * `RETURNING instance` (set by the lab's trigger from `@@server_id`) in one statement; a transactional write asks
 * `@@server_id` on the transaction's connection. No retries.
 */
export function session(target: LabClientTarget): LabSession {
  const db = drizzleMysql({
    connection: {
      host: target.host,
      port: target.port,
      user: target.user,
      password: target.password,
      database: target.database,
      connectionLimit: target.poolSize ?? 16,
      connectTimeout: target.connectTimeoutMs,
      blueGreen: labBlueGreen(target, 'lab-drizzle-mysql'),
    },
  })
  const instance = async (): Promise<string | undefined> =>
    ((await db.execute(INSTANCE)) as unknown as Rows<{ i: string }>)[0][0]?.i
  const client = (): LabClient => ({
    connect: () => unwrapped(instance),
    write: (name, seq) =>
      unwrapped(async () => {
        const insert = db.insert(labWrites).values({ client: name, seq })
        const [rows] = (await db.execute(sql`${insert.getSQL()} RETURNING instance`)) as unknown as Rows<{
          instance: string
        }>
        return rows[0]?.instance
      }),
    read: () => unwrapped(instance),
    writeTx: (name, seq) =>
      unwrapped(() =>
        db.transaction(async (tx) => {
          await tx.select({ n: count() }).from(labWrites).where(eq(labWrites.client, name))
          await tx.insert(labWrites).values({ client: name, seq })
          const [rows] = (await tx.execute(sql`SELECT @@server_id AS id`)) as unknown as Rows<{ id: number }>
          return instanceOf(rows[0]?.id)
        }),
      ),
    close: async () => undefined,
  })
  return {
    client,
    close: async () =>
      void (await withTimeout(
        db.$client.end().catch(() => undefined),
        2000,
      )),
  }
}

/** One worker on its own database (the per-worker form of the lab's client contract). */
export default function drizzleMysqlClient(target: LabClientTarget): LabClient {
  const own = session(target)
  return { ...own.client(), close: () => own.close() }
}
