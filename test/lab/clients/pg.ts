import { BlueGreenPgPool } from '../../../integrations/pg/index.js'
import { labBlueGreen } from './blue-green-options.js'
import { withTimeout } from './errors.js'
import type { LabClient, LabClientTarget, LabSession } from './types.js'

export const engines = ['pg'] as const

const INSERT = 'INSERT INTO lab_writes (client, seq) VALUES ($1, $2) RETURNING instance'
const INSTANCE = "SELECT current_setting('lab.instance') AS i, (SELECT count(*) FROM lab_writes) AS n"

/**
 * The routed pg driver as an application uses it: one `BlueGreenPgPool` shared by every worker, each operation a
 * `pool.query` (checkouts held, routed and cleaned) or a transaction on one checked-out client. No retries: every
 * error the library lets through is counted.
 */
export function session(target: LabClientTarget): LabSession {
  const pool = new BlueGreenPgPool({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: target.database,
    max: target.poolSize ?? 16,
    connectionTimeoutMillis: target.connectTimeoutMs,
    query_timeout: 5000,
    blueGreen: labBlueGreen(target, 'lab-pg'),
  })
  pool.on('error', () => undefined)
  const client = (): LabClient => ({
    connect: async () => (await pool.query<{ i: string }>(INSTANCE)).rows[0]?.i,
    write: async (name, seq) =>
      (await pool.query<{ instance: string }>(INSERT, [name, seq])).rows[0]?.instance,
    read: async () => (await pool.query<{ i: string }>(INSTANCE)).rows[0]?.i,
    async writeTx(name, seq) {
      const c = await pool.connect()
      // A checked-out pg client reports a reset between statements as an 'error' event (pg's own contract).
      const onError = (): void => undefined
      c.on('error', onError)
      let failed = false
      try {
        await c.query('BEGIN')
        await c.query('SELECT count(*) FROM lab_writes WHERE client = $1', [name])
        const r = await c.query<{ instance: string }>(INSERT, [name, seq])
        await c.query('COMMIT')
        return r.rows[0]?.instance
      } catch (err) {
        failed = true
        throw err
      } finally {
        c.removeListener('error', onError)
        c.release(failed)
      }
    },
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
export default function routedPg(target: LabClientTarget): LabClient {
  const own = session(target)
  return { ...own.client(), close: () => own.close() }
}
