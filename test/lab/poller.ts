import mysql from 'mysql2/promise'
import pg from 'pg'
import type { LabSide } from './address-plan.js'
import { errorCode } from './clients/errors.js'
import type { Lab } from './start-lab.js'

/** One metadata read by a poller: the statuses (or the error code) seen on one side. */
export interface MetadataSample {
  readonly t: number
  readonly side: LabSide
  readonly rows: readonly { endpoint: string; role: string; status: string }[]
  readonly error?: string
}

/** The SQL a monitor would use for the lab's topology and engine. */
export function metadataQuery(lab: Lab): string {
  if (lab.engine === 'mysql') return 'SELECT endpoint, role, status FROM mysql.rds_topology'
  return lab.topology === 'aurora'
    ? "SELECT endpoint, role, status FROM pg_catalog.get_blue_green_fast_switchover_metadata('lab')"
    : "SELECT endpoint, role, status FROM rds_tools.show_topology('lab')"
}

/**
 * Polls one side's metadata as the app user over a persistent connection to the instance's IP (as monitors
 * do), reconnecting after errors. A test helper: it shows what a library's monitor could have seen.
 *
 * @example
 * const p = startMetadataPoller(lab, 'blue', 100); ...; const samples = await p.stop()
 */
export function startMetadataPoller(lab: Lab, side: LabSide, intervalMs: number) {
  const samples: MetadataSample[] = []
  let stopped = false
  const host = lab.ips.public[side]
  const { user, password, database } = lab.app
  const sql = metadataQuery(lab)
  type Conn = { query(sql: string): Promise<Record<string, unknown>[]>; end(): Promise<void> }
  const open = async (): Promise<Conn> => {
    if (lab.engine === 'pg') {
      const c = new pg.Client({
        host,
        port: lab.port,
        user,
        password,
        database,
        connectionTimeoutMillis: 1000,
      })
      c.on('error', () => undefined)
      await c.connect()
      return { query: async (s) => (await c.query(s)).rows as Record<string, unknown>[], end: () => c.end() }
    }
    const c = await mysql.createConnection({
      host,
      port: lab.port,
      user,
      password,
      database,
      connectTimeout: 1000,
    })
    c.on('error', () => undefined)
    return {
      query: async (s) => (await c.query<mysql.RowDataPacket[]>({ sql: s, timeout: 2000 }))[0],
      end: () => c.end().catch(() => c.destroy()),
    }
  }
  const loop = async (): Promise<void> => {
    let conn: Conn | undefined
    while (!stopped) {
      const t = lab.clock.now()
      try {
        conn ??= await open()
        const rows = await conn.query(sql)
        samples.push({
          t,
          side,
          rows: rows.map((r) => ({
            endpoint: String(r['endpoint']),
            role: String(r['role']),
            status: String(r['status']),
          })),
        })
      } catch (err) {
        samples.push({ t, side, rows: [], error: errorCode(err) })
        const dead = conn
        conn = undefined
        await dead?.end().catch(() => undefined)
      }
      await new Promise((r) => setTimeout(r, intervalMs))
    }
    await conn?.end().catch(() => undefined)
  }
  const running = loop()
  return {
    samples: (): readonly MetadataSample[] => samples,
    async stop(): Promise<readonly MetadataSample[]> {
      stopped = true
      await running
      return samples
    },
  }
}

/** Distinct statuses in the order a poller first saw them (`ERROR:<code>` and `EMPTY` included). */
export function statusSequence(samples: readonly MetadataSample[]): string[] {
  const seq: string[] = []
  for (const s of samples) {
    const label =
      s.error !== undefined ? `ERROR:${s.error}` : s.rows.length === 0 ? 'EMPTY' : (s.rows[0]?.status ?? '')
    if (seq.at(-1) !== label) seq.push(label)
  }
  return seq
}
