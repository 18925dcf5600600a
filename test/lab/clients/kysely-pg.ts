import type { Generated } from 'kysely'
import { Kysely, sql } from 'kysely'
import { blueGreenPostgresDialect } from '../../../integrations/kysely/index.js'
import { labBlueGreen } from './blue-green-options.js'
import { withTimeout } from './errors.js'
import type { LabClient, LabClientTarget, LabSession } from './types.js'

export const engines = ['pg'] as const

interface LabDatabase {
  lab_writes: { client: string; seq: number; instance: Generated<string> }
}
type Db = Kysely<LabDatabase>

const instanceOf = async (db: Db): Promise<string | undefined> =>
  (
    await sql<{
      i: string
    }>`SELECT current_setting('lab.instance') AS i, (SELECT count(*) FROM lab_writes) AS n`.execute(db)
  ).rows[0]?.i

/**
 * Kysely over `blueGreenPostgresDialect` as an application uses it: one database (one routed pool of 16) shared by
 * every worker; writes are `insertInto ... returning instance`, transactional writes run in
 * `db.transaction().execute`. Kysely does not wrap driver errors. No retries.
 */
export function session(target: LabClientTarget): LabSession {
  const db = new Kysely<LabDatabase>({
    dialect: blueGreenPostgresDialect({
      connection: {
        host: target.host,
        port: target.port,
        user: target.user,
        password: target.password,
        database: target.database,
        max: 16,
        connectionTimeoutMillis: target.connectTimeoutMs,
        query_timeout: 5000,
      },
      blueGreen: labBlueGreen(target, 'lab-kysely-pg'),
    }),
  })
  const insert = async (q: Db, name: string, seq: number): Promise<string | undefined> =>
    (await q.insertInto('lab_writes').values({ client: name, seq }).returning('instance').executeTakeFirst())
      ?.instance
  const client = (): LabClient => ({
    connect: () => instanceOf(db),
    write: (name, seq) => insert(db, name, seq),
    read: () => instanceOf(db),
    writeTx: (name, seq) =>
      db.transaction().execute(async (trx) => {
        await trx
          .selectFrom('lab_writes')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('client', '=', name)
          .execute()
        return insert(trx, name, seq)
      }),
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
export default function kyselyPg(target: LabClientTarget): LabClient {
  const own = session(target)
  return { ...own.client(), close: () => own.close() }
}
