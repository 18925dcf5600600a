import mysql from 'mysql2/promise'
import type { LabSide } from './address-plan.js'
import { APP_USER, writeKey, type EngineSetupOptions, type LabEngine } from './engine.js'
import { LabError } from './errors.js'

const REPL = { user: 'repl', password: 'lab-repl-pw' }

// `instance` records which server committed the row; with row-based replication green stores blue's value.
const APP_DDL = [
  `CREATE TABLE lab_writes (client varchar(64) NOT NULL, seq int NOT NULL,
     instance varchar(16) NOT NULL DEFAULT '',
     written_at timestamp(3) NOT NULL DEFAULT current_timestamp(3), PRIMARY KEY (client, seq))`,
  'CREATE TABLE lab_items (id bigint AUTO_INCREMENT PRIMARY KEY, note text)',
  'CREATE TABLE lab_marker (id bigint AUTO_INCREMENT PRIMARY KEY, at timestamp(3) NOT NULL DEFAULT current_timestamp(3))',
]
// Triggers do not fire for row events on a replica (slave_run_triggers_for_rbr=NO), so green keeps blue's value.
const INSTANCE_TRIGGER = `CREATE TRIGGER lab_writes_instance BEFORE INSERT ON lab_writes FOR EACH ROW
  SET NEW.instance = IF(@@server_id = 1, 'blue', 'green')`

export interface MariaEngineOptions {
  readonly private: Readonly<Record<LabSide, string>>
  readonly port: number
  readonly sockets: Readonly<Record<LabSide, string>>
}

type Row = Record<string, unknown>

/**
 * MariaDB admin operations: GTID replication, a per-side `mysql.rds_topology` written with binary logging off,
 * and `read_only` as the fence (the app user has no SUPER, so it is bound by it).
 */
export function createMariaEngine(opts: MariaEngineOptions): LabEngine {
  const pool = (side: LabSide): mysql.Pool =>
    mysql.createPool({
      socketPath: opts.sockets[side],
      user: 'root',
      connectionLimit: 4,
      multipleStatements: false,
    })
  const pools = { blue: pool('blue'), green: pool('green') }
  // Every admin statement runs unlogged: nothing the lab does as root replicates, only the app's writes do.
  const unlogged = async <T>(side: LabSide, fn: (c: mysql.PoolConnection) => Promise<T>): Promise<T> => {
    const c = await pools[side].getConnection()
    try {
      await c.query('SET SESSION sql_log_bin = 0')
      return await fn(c)
    } finally {
      c.release()
    }
  }
  const q = (side: LabSide, text: string, params?: readonly unknown[]): Promise<Row[]> =>
    unlogged(side, async (c) => {
      const [rows] = await c.query(text, params === undefined ? undefined : [...params])
      return Array.isArray(rows) ? (rows as Row[]) : []
    })

  const setupSide = async (side: LabSide, setup: EngineSetupOptions): Promise<void> => {
    const app = `'${APP_USER.user}'@'%'`
    const stmts = [
      `CREATE DATABASE ${APP_USER.database}`,
      `CREATE USER ${app} IDENTIFIED BY '${APP_USER.password}'`,
      `GRANT ALL ON ${APP_USER.database}.* TO ${app}`,
      `CREATE USER '${REPL.user}'@'%' IDENTIFIED BY '${REPL.password}'`,
      `GRANT REPLICATION SLAVE ON *.* TO '${REPL.user}'@'%'`,
      `CREATE TABLE mysql.rds_topology (id bigint, endpoint varchar(255), port int, role varchar(64),
         status varchar(64), version varchar(16)) ENGINE=InnoDB`,
      ...(setup.denyMetadata ? [] : [`GRANT SELECT ON mysql.rds_topology TO ${app}`]),
      `USE ${APP_USER.database}`,
      ...APP_DDL,
      INSTANCE_TRIGGER,
      ...setup.schema,
    ]
    await unlogged(side, async (c) => {
      for (const s of stmts) await c.query(s)
      await c.query('USE mysql')
    })
  }

  return {
    name: 'mysql',
    app: APP_USER,
    async setup(setup) {
      await Promise.all([setupSide('blue', setup), setupSide('green', setup)])
      await q('green', 'SET GLOBAL read_only = 1')
      const [pos] = await q('blue', 'SELECT @@gtid_binlog_pos AS pos')
      await q('green', 'SET GLOBAL gtid_slave_pos = ?', [String((pos?.['pos'] as string | undefined) ?? '')])
      await q(
        'green',
        `CHANGE MASTER TO MASTER_HOST = ?, MASTER_PORT = ?, MASTER_USER = ?, MASTER_PASSWORD = ?,
         MASTER_USE_GTID = slave_pos, MASTER_CONNECT_RETRY = 1`,
        [opts.private.blue, opts.port, REPL.user, REPL.password],
      )
      await q('green', 'START SLAVE')
    },
    async writeMetadata(side, md) {
      await unlogged(side, async (c) => {
        await c.beginTransaction()
        await c.query('DELETE FROM mysql.rds_topology')
        for (const r of md.rows) {
          await c.query('INSERT INTO mysql.rds_topology VALUES (?, ?, ?, ?, ?, ?)', [
            Number(r.id),
            r.endpoint,
            r.port,
            r.role,
            r.status,
            r.version,
          ])
        }
        await c.commit()
      })
    },
    async setServerId() {
      // Aurora MySQL topology lives in information_schema.replica_host_status, which cannot be faked here.
    },
    async setWritable(side, writable) {
      await q(side, `SET GLOBAL read_only = ${writable ? 0 : 1}`)
    },
    async killAppSessions(side) {
      const rows = await q(side, 'SELECT id FROM information_schema.processlist WHERE user = ?', [
        APP_USER.user,
      ])
      let n = 0
      for (const r of rows) {
        try {
          await q(side, `KILL CONNECTION ${Number(r['id'])}`)
          n++
        } catch {
          // it ended on its own
        }
      }
      return n
    },
    async catchUp(timeoutMs) {
      // A replicated marker makes the wait meaningful even when the app wrote nothing since the last check.
      const gtid = await (async () => {
        const c = await pools.blue.getConnection()
        try {
          await c.query('SET SESSION sql_log_bin = 1') // pooled sessions may still have it off
          await c.query(`INSERT INTO ${APP_USER.database}.lab_marker () VALUES ()`)
          const [rows] = await c.query('SELECT @@gtid_binlog_pos AS pos')
          return String(((rows as Row[])[0]?.['pos'] as string | undefined) ?? '')
        } finally {
          c.release()
        }
      })()
      const [res] = await q('green', 'SELECT MASTER_GTID_WAIT(?, ?) AS r', [gtid, timeoutMs / 1000])
      if (Number(res?.['r']) !== 0)
        throw new LabError('REPLICATION_TIMEOUT', `green did not reach GTID ${gtid}`)
      return gtid
    },
    async syncSequences() {
      return 0 // AUTO_INCREMENT values travel with the replicated rows
    },
    async stopReplication() {
      await q('green', 'STOP SLAVE')
    },
    async startReplication() {
      await q('green', 'START SLAVE')
    },
    async writtenKeys(side) {
      const rows = await q(side, `SELECT client, seq FROM ${APP_USER.database}.lab_writes`)
      return new Set(rows.map((r) => writeKey(String(r['client']), Number(r['seq']))))
    },
    sql: q,
    async close() {
      await Promise.all([pools.blue.end(), pools.green.end()])
    },
  }
}
