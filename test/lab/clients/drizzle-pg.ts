import { count, DrizzleQueryError, eq, sql } from 'drizzle-orm'
import { integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core'
import { drizzlePg } from '../../../integrations/drizzle/index.js'
import { labBlueGreen } from './blue-green-options.js'
import { withTimeout } from './errors.js'
import type { LabClient, LabClientTarget, LabSession } from './types.js'

export const engines = ['pg'] as const

const labWrites = pgTable(
  'lab_writes',
  {
    client: text('client').notNull(),
    seq: integer('seq').notNull(),
    instance: text('instance')
      .notNull()
      .default(sql`current_setting('lab.instance')`),
  },
  (t) => [primaryKey({ columns: [t.client, t.seq] })],
)
const INSTANCE = sql`SELECT current_setting('lab.instance') AS i, (SELECT count(*) FROM lab_writes) AS n`

/** Drizzle wraps driver errors; the lab counts errors by the driver's (or the library's) own code. */
async function unwrapped<T>(op: () => Promise<T>): Promise<T> {
  try {
    return await op()
  } catch (err) {
    throw err instanceof DrizzleQueryError && err.cause !== undefined ? err.cause : err
  }
}

/**
 * Drizzle over `drizzlePg` as an application uses it: one database (one routed pool) shared by every worker; writes
 * are `insert ... returning instance`, transactional writes run in `db.transaction`. No retries.
 */
export function session(target: LabClientTarget): LabSession {
  const db = drizzlePg({
    connection: {
      host: target.host,
      port: target.port,
      user: target.user,
      password: target.password,
      database: target.database,
      max: target.poolSize ?? 16,
      connectionTimeoutMillis: target.connectTimeoutMs,
      query_timeout: 5000,
      blueGreen: labBlueGreen(target, 'lab-drizzle-pg'),
    },
  })
  const instance = async (): Promise<string | undefined> =>
    (await db.execute<{ i: string }>(INSTANCE)).rows[0]?.i
  const client = (): LabClient => ({
    connect: () => unwrapped(instance),
    write: (name, seq) =>
      unwrapped(async () => {
        const [row] = await db
          .insert(labWrites)
          .values({ client: name, seq })
          .returning({ instance: labWrites.instance })
        return row?.instance
      }),
    read: () => unwrapped(instance),
    writeTx: (name, seq) =>
      unwrapped(() =>
        db.transaction(async (tx) => {
          await tx.select({ n: count() }).from(labWrites).where(eq(labWrites.client, name))
          const [row] = await tx
            .insert(labWrites)
            .values({ client: name, seq })
            .returning({ instance: labWrites.instance })
          return row?.instance
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
export default function drizzlePgClient(target: LabClientTarget): LabClient {
  const own = session(target)
  return { ...own.client(), close: () => own.close() }
}
