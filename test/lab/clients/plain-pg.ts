import pg from 'pg'
import { withTimeout } from './errors.js'
import { pgLookupStream } from './inject-stream.js'
import type { LabClient, LabClientTarget } from './types.js'

export const engines = ['pg'] as const

/**
 * The unprotected baseline: one `pg.Client`, no Blue/Green awareness. Always has an 'error' listener (without
 * one a reset connection crashes the process, spec E11).
 */
export default function plainPg(target: LabClientTarget): LabClient {
  let client: pg.Client | undefined
  const need = (): pg.Client => {
    if (client === undefined) throw new Error('plain-pg: not connected')
    return client
  }
  return {
    async connect() {
      const c = new pg.Client({
        host: target.host,
        port: target.port,
        user: target.user,
        password: target.password,
        database: target.database,
        connectionTimeoutMillis: target.connectTimeoutMs,
        query_timeout: 5000,
        ...(target.lookup === undefined ? {} : { stream: pgLookupStream(target.lookup) }),
      })
      c.on('error', () => undefined)
      client = c
      await c.connect()
      const r = await c.query<{ i: string }>("SELECT current_setting('lab.instance') AS i")
      return r.rows[0]?.i
    },
    async write(name, seq) {
      const r = await need().query<{ instance: string }>(
        'INSERT INTO lab_writes (client, seq) VALUES ($1, $2) RETURNING instance',
        [name, seq],
      )
      return r.rows[0]?.instance
    },
    async read() {
      const r = await need().query<{ i: string }>(
        "SELECT current_setting('lab.instance') AS i, (SELECT count(*) FROM lab_writes) AS n",
      )
      return r.rows[0]?.i
    },
    async close() {
      const c = client
      client = undefined
      if (c !== undefined)
        await withTimeout(
          c.end().catch(() => undefined),
          300,
        )
    },
  }
}
