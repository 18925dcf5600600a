import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise'
import { createPool } from '../../../integrations/mysql2/index.js'
import { labBlueGreen } from './blue-green-options.js'
import { withTimeout } from './errors.js'
import type { LabClient, LabClientTarget, LabSession } from './types.js'

export const engines = ['mysql'] as const

const instanceOf = (serverId: unknown): string => (Number(serverId) === 1 ? 'blue' : 'green')
const INSERT = 'INSERT INTO lab_writes (client, seq) VALUES (?, ?)'

/**
 * The routed mysql2 driver as an application uses it: one routed pool shared by every worker; each operation on a
 * checked-out connection that also reports which server answered. No retries.
 */
export function session(target: LabClientTarget): LabSession {
  const pool: Pool = createPool({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: target.database,
    connectionLimit: target.poolSize ?? 16,
    connectTimeout: target.connectTimeoutMs,
    blueGreen: labBlueGreen(target, 'lab-mysql2'),
  }).promise()
  const serverOf = async (c: PoolConnection): Promise<string> => {
    const [rows] = await c.query<RowDataPacket[]>({ sql: 'SELECT @@server_id AS id', timeout: 5000 })
    return instanceOf(rows[0]?.['id'])
  }
  const onConnection = async (fn: (c: PoolConnection) => Promise<void>): Promise<string> => {
    const c = await pool.getConnection()
    try {
      await fn(c)
      return await serverOf(c)
    } finally {
      c.release()
    }
  }
  const client = (): LabClient => ({
    connect: () => onConnection(async () => undefined),
    write: (name, seq) =>
      onConnection(async (c) => void (await c.query({ sql: INSERT, values: [name, seq], timeout: 5000 }))),
    read: () =>
      onConnection(
        async (c) => void (await c.query({ sql: 'SELECT count(*) AS n FROM lab_writes', timeout: 5000 })),
      ),
    writeTx: (name, seq) =>
      onConnection(async (c) => {
        await c.beginTransaction()
        try {
          await c.query({
            sql: 'SELECT count(*) AS n FROM lab_writes WHERE client = ?',
            values: [name],
            timeout: 5000,
          })
          await c.query({ sql: INSERT, values: [name, seq], timeout: 5000 })
          await c.commit()
        } catch (err) {
          await c.rollback().catch(() => undefined)
          throw err
        }
      }),
    close: async () => undefined,
  })
  return {
    client,
    close: async () =>
      void (await withTimeout(
        pool.end().catch(() => undefined),
        2000,
      )),
  }
}

/** One worker on its own pool (the per-worker form of the lab's client contract). */
export default function routedMysql2(target: LabClientTarget): LabClient {
  const own = session(target)
  return { ...own.client(), close: () => own.close() }
}
