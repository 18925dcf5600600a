import knex from 'knex'
import { withTimeout } from './errors.js'
import { pgLookupStream } from './inject-stream.js'
import type { LabClient, LabClientTarget, LabSession } from './types.js'

export const engines = ['pg'] as const

/** knex with its own `pg` client and no protection: the baseline of the demo. One instance for every worker. */
export function session(target: LabClientTarget): LabSession {
  const db = knex({
    client: 'pg',
    connection: {
      host: target.host,
      port: target.port,
      user: target.user,
      password: target.password,
      database: target.database,
      connectionTimeoutMillis: target.connectTimeoutMs,
      ...(target.lookup === undefined ? {} : { stream: pgLookupStream(target.lookup) }),
    } as knex.Knex.PgConnectionConfig,
    pool: { min: 0, max: target.poolSize ?? 16 },
    acquireConnectionTimeout: 10_000,
    log: {
      warn: () => undefined,
      error: () => undefined,
      debug: () => undefined,
      deprecate: () => undefined,
    },
  })
  const insert = async (
    q: knex.Knex | knex.Knex.Transaction,
    name: string,
    seq: number,
  ): Promise<string | undefined> => {
    const rows: { instance: string }[] = await q('lab_writes')
      .insert({ client: name, seq })
      .returning('instance')
    return rows[0]?.instance
  }
  const instance = async (): Promise<string | undefined> => {
    const r = await db.raw<{ rows: { i: string }[] }>("SELECT current_setting('lab.instance') AS i")
    return r.rows[0]?.i
  }
  const client = (): LabClient => ({
    connect: instance,
    write: (name, seq) => insert(db, name, seq),
    read: instance,
    writeTx: (name, seq) => db.transaction((trx) => insert(trx, name, seq)),
    close: async () => undefined,
  })
  return { client, close: async () => void (await withTimeout(db.destroy(), 3000)) }
}

/** One worker on its own knex instance. */
export default function knexPlainPg(target: LabClientTarget): LabClient {
  const own = session(target)
  return { ...own.client(), close: () => own.close() }
}
