import knex from 'knex'
import { AwsBgPg } from '../../../integrations/knex/index.js'
import type { BlueGreenKnexConfig } from '../../../integrations/knex/index.js'
import { labBlueGreen } from './blue-green-options.js'
import { withTimeout } from './errors.js'
import type { LabClient, LabClientTarget, LabSession } from './types.js'

export const engines = ['pg'] as const

/**
 * knex with `client: AwsBgPg`, one instance (one pool) shared by every worker, as an application runs it;
 * `blueGreen` overrides the lab's options (the demo passes its own bgdId and logger).
 */
export function session(
  target: LabClientTarget,
  blueGreen: Readonly<Record<string, unknown>> = {},
): LabSession {
  const config: BlueGreenKnexConfig = {
    client: AwsBgPg,
    connection: {
      host: target.host,
      port: target.port,
      user: target.user,
      password: target.password,
      database: target.database,
      connectionTimeoutMillis: target.connectTimeoutMs,
      query_timeout: 5000,
    },
    pool: { min: 0, max: target.poolSize ?? 16 },
    acquireConnectionTimeout: 10_000,
    // knex warns about every connection the switchover retires; the lab counts failures itself.
    log: {
      warn: () => undefined,
      error: () => undefined,
      debug: () => undefined,
      deprecate: () => undefined,
    },
    blueGreen: { ...labBlueGreen(target, 'lab-knex-pg'), ...blueGreen },
  }
  const db = knex(config)
  const instance = async (q: knex.Knex | knex.Knex.Transaction): Promise<string | undefined> => {
    const r = await q.raw<{ rows: { i: string }[] }>("SELECT current_setting('lab.instance') AS i")
    return r.rows[0]?.i
  }
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
  const client = (): LabClient => ({
    connect: () => instance(db),
    write: (name, seq) => insert(db, name, seq),
    read: async () => {
      await db('lab_writes').count({ n: '*' })
      return instance(db)
    },
    writeTx: (name, seq) =>
      db.transaction(async (trx) => {
        await trx('lab_writes').where({ client: name }).count({ n: '*' })
        return insert(trx, name, seq)
      }),
    close: async () => undefined,
  })
  return { client, close: async () => void (await withTimeout(db.destroy(), 3000)) }
}

/** One worker on its own knex instance. */
export default function knexPg(target: LabClientTarget): LabClient {
  const own = session(target)
  return { ...own.client(), close: () => own.close() }
}
