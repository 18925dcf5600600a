import knex from 'knex'
import type { Knex } from 'knex'
import { Model } from 'objection'
import type { TransactionOrKnex } from 'objection'
import { AwsBgPg } from '../../../integrations/knex/index.js'
import { labBlueGreen } from './blue-green-options.js'
import { withTimeout } from './errors.js'
import type { LabClient, LabClientTarget, LabSession } from './types.js'

export const engines = ['pg'] as const

/**
 * Objection over knex with `client: AwsBgPg`, and nothing else of ours: each session binds its own model class
 * to its own knex (`bindKnex`), as an application binds `Model.knex(...)` once. Writes are `insert` returning the
 * row (with the `instance` the server filled in), transactional writes run in `Model.transaction`. No retries.
 */
export function session(target: LabClientTarget): LabSession {
  const db = knex({
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
    pool: { min: 0, max: 16 },
    acquireConnectionTimeout: 10_000,
    // knex warns about every connection the switchover retires; the lab counts failures itself.
    log: {
      warn: () => undefined,
      error: () => undefined,
      debug: () => undefined,
      deprecate: () => undefined,
    },
    blueGreen: labBlueGreen(target, 'lab-objection-pg'),
  } as Knex.Config)
  class LabWrite extends Model {
    static override tableName = 'lab_writes'
    static override idColumn = ['client', 'seq']
    client!: string
    seq!: number
    instance?: string
  }
  const Bound = LabWrite.bindKnex(db)
  const instance = async (): Promise<string | undefined> => {
    const r = await db.raw<{ rows: { i: string }[] }>(
      "SELECT current_setting('lab.instance') AS i, (SELECT count(*) FROM lab_writes) AS n",
    )
    return r.rows[0]?.i
  }
  const insert = async (
    trx: TransactionOrKnex | undefined,
    name: string,
    seq: number,
  ): Promise<string | undefined> =>
    (await Bound.query(trx).insert({ client: name, seq }).returning('*')).instance
  const client = (): LabClient => ({
    connect: instance,
    write: (name, seq) => insert(undefined, name, seq),
    read: async () => {
      await Bound.query().count({ n: '*' })
      return instance()
    },
    writeTx: (name, seq) =>
      Bound.transaction(async (trx) => {
        await Bound.query(trx).where({ client: name }).resultSize()
        return insert(trx, name, seq)
      }),
    close: async () => undefined,
  })
  return { client, close: async () => void (await withTimeout(db.destroy(), 3000)) }
}

/** One worker on its own knex instance. */
export default function objectionPg(target: LabClientTarget): LabClient {
  const own = session(target)
  return { ...own.client(), close: () => own.close() }
}
