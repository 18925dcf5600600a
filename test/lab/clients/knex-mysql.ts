import knex from 'knex'
import { AwsBgMysql } from '../../../integrations/knex/index.js'
import type { BlueGreenKnexConfig } from '../../../integrations/knex/index.js'
import { labBlueGreen } from './blue-green-options.js'
import { withTimeout } from './errors.js'
import type { LabClient, LabClientTarget, LabSession } from './types.js'

export const engines = ['mysql'] as const

const instanceOf = (serverId: unknown): string => (Number(serverId) === 1 ? 'blue' : 'green')

/** knex with `client: AwsBgMysql`, one instance shared by every worker. */
export function session(target: LabClientTarget): LabSession {
  const config: BlueGreenKnexConfig = {
    client: AwsBgMysql,
    connection: {
      host: target.host,
      port: target.port,
      user: target.user,
      password: target.password,
      database: target.database,
      connectTimeout: target.connectTimeoutMs,
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
    blueGreen: labBlueGreen(target, 'lab-knex-mysql'),
  }
  const db = knex(config)
  // The insert and the server id must come from the same connection: a transaction pins one.
  const insert = (name: string, seq: number, read: boolean): Promise<string> =>
    db.transaction(async (trx) => {
      if (read) await trx('lab_writes').where({ client: name }).count({ n: '*' })
      await trx('lab_writes').insert({ client: name, seq })
      const [rows] = (await trx.raw('SELECT @@server_id AS id')) as [{ id: number }[]]
      return instanceOf(rows[0]?.id)
    })
  const serverId = async (): Promise<string> => {
    const [rows] = (await db.raw('SELECT @@server_id AS id')) as [{ id: number }[]]
    return instanceOf(rows[0]?.id)
  }
  const client = (): LabClient => ({
    connect: serverId,
    write: (name, seq) => insert(name, seq, false),
    read: async () => {
      await db('lab_writes').count({ n: '*' })
      return serverId()
    },
    writeTx: (name, seq) => insert(name, seq, true),
    close: async () => undefined,
  })
  return { client, close: async () => void (await withTimeout(db.destroy(), 3000)) }
}

/** One worker on its own knex instance. */
export default function knexMysql(target: LabClientTarget): LabClient {
  const own = session(target)
  return { ...own.client(), close: () => own.close() }
}
