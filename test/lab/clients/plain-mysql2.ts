import mysql from 'mysql2/promise'
import { withTimeout } from './errors.js'
import { mysqlLookupStream } from './inject-stream.js'
import type { LabClient, LabClientTarget } from './types.js'

export const engines = ['mysql'] as const

const instanceOf = (serverId: unknown): string => (Number(serverId) === 1 ? 'blue' : 'green')

/** The unprotected mysql2 baseline: one connection, no Blue/Green awareness. */
export default function plainMysql2(target: LabClientTarget): LabClient {
  let conn: mysql.Connection | undefined
  let instance: string | undefined
  const need = (): mysql.Connection => {
    if (conn === undefined) throw new Error('plain-mysql2: not connected')
    return conn
  }
  return {
    async connect() {
      conn = await mysql.createConnection({
        host: target.host,
        port: target.port,
        user: target.user,
        password: target.password,
        database: target.database,
        connectTimeout: target.connectTimeoutMs,
        ...(target.lookup === undefined
          ? {}
          : { stream: mysqlLookupStream(target.host, target.port, target.lookup) }),
      })
      conn.on('error', () => undefined)
      const [rows] = await conn.query<mysql.RowDataPacket[]>({
        sql: 'SELECT @@server_id AS id',
        timeout: 5000,
      })
      instance = instanceOf(rows[0]?.['id'])
      return instance
    },
    async write(name, seq) {
      await need().query({
        sql: 'INSERT INTO lab_writes (client, seq) VALUES (?, ?)',
        values: [name, seq],
        timeout: 5000,
      })
      return instance
    },
    async read() {
      await need().query({ sql: 'SELECT count(*) AS n FROM lab_writes', timeout: 5000 })
      return instance
    },
    async close() {
      const c = conn
      conn = undefined
      if (c === undefined) return
      // end() waits for a server reply that a reset or held connection never sends.
      await withTimeout(
        c.end().catch(() => undefined),
        200,
      )
      c.destroy()
    },
  }
}
