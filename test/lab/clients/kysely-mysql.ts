import { Kysely, sql } from 'kysely'
import { blueGreenMysqlDialect } from '../../../integrations/kysely/index.js'
import { labBlueGreen } from './blue-green-options.js'
import { withTimeout } from './errors.js'
import type { LabClient, LabClientTarget, LabSession } from './types.js'

export const engines = ['mysql'] as const

interface LabDatabase {
  lab_writes: { client: string; seq: number }
}
type Db = Kysely<LabDatabase>

const instanceOf = (serverId: unknown): string => (Number(serverId) === 1 ? 'blue' : 'green')
const serverId = async (q: Db): Promise<string> =>
  instanceOf((await sql<{ id: number }>`SELECT @@server_id AS id`.execute(q)).rows[0]?.id)

/**
 * Kysely over `blueGreenMysqlDialect` as an application uses it: one database (one routed pool of 16) shared by
 * every worker. The instance must come from the connection that wrote: a write is Kysely's insert plus
 * `@@server_id` in one transaction (one connection); the transactional write also reads first. No retries.
 */
export function session(target: LabClientTarget): LabSession {
  const db = new Kysely<LabDatabase>({
    dialect: blueGreenMysqlDialect({
      connection: {
        host: target.host,
        port: target.port,
        user: target.user,
        password: target.password,
        database: target.database,
        connectionLimit: 16,
        connectTimeout: target.connectTimeoutMs,
      },
      blueGreen: labBlueGreen(target, 'lab-kysely-mysql'),
    }),
  })
  const insert = (name: string, seq: number, read: boolean): Promise<string> =>
    db.transaction().execute(async (trx) => {
      if (read) {
        await trx
          .selectFrom('lab_writes')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('client', '=', name)
          .execute()
      }
      await trx.insertInto('lab_writes').values({ client: name, seq }).execute()
      return serverId(trx)
    })
  const client = (): LabClient => ({
    connect: () => serverId(db),
    write: (name, seq) => insert(name, seq, false),
    read: async () => {
      await db
        .selectFrom('lab_writes')
        .select((eb) => eb.fn.countAll().as('n'))
        .execute()
      return serverId(db)
    },
    writeTx: (name, seq) => insert(name, seq, true),
    close: async () => undefined,
  })
  return {
    client,
    close: async () =>
      void (await withTimeout(
        db.destroy().catch(() => undefined),
        2000,
      )),
  }
}

/** One worker on its own database (the per-worker form of the lab's client contract). */
export default function kyselyMysql(target: LabClientTarget): LabClient {
  const own = session(target)
  return { ...own.client(), close: () => own.close() }
}
