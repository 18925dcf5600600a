import pg from 'pg'
import type { LabSide } from './address-plan.js'
import { sleep } from './clock.js'
import { APP_USER, writeKey, type EngineSetupOptions, type LabEngine, type SideMetadata } from './engine.js'
import { LabError } from './errors.js'

const COLUMNS = 'id text, endpoint text, port int, role text, status text, version text'

// SECURITY DEFINER functions over a per-side table outside the published schema: the table is never replicated,
// so each side answers with its own metadata, as on RDS (spec E6, E8).
function metadataDdl(aurora: boolean, deny: boolean): string[] {
  const failing = `IF (SELECT failing FROM rds_tools.lab_state) THEN
      RAISE EXCEPTION 'An error occured while retrieving the blue/green fast switchover metadata';
    END IF;`
  const ddl = [
    'CREATE SCHEMA rds_tools',
    `CREATE TABLE rds_tools.lab_topology (${COLUMNS}, update_stamp timestamptz NOT NULL DEFAULT now())`,
    'CREATE TABLE rds_tools.lab_state (failing boolean NOT NULL)',
    'INSERT INTO rds_tools.lab_state VALUES (false)',
    'CREATE TABLE rds_tools.lab_replica_status (server_id text NOT NULL, writer boolean NOT NULL DEFAULT true)',
  ]
  if (aurora) {
    ddl.push(
      `CREATE FUNCTION pg_catalog.get_blue_green_fast_switchover_metadata(text)
       RETURNS TABLE (${COLUMNS}, update_stamp timestamptz) LANGUAGE plpgsql SECURITY DEFINER
       SET search_path = pg_catalog AS $$ BEGIN ${failing}
         RETURN QUERY SELECT t.id, t.endpoint, t.port, t.role, t.status, t.version, t.update_stamp
         FROM rds_tools.lab_topology t ORDER BY t.role, t.endpoint; END $$`,
      `CREATE FUNCTION pg_catalog.aurora_replica_status()
       RETURNS TABLE (server_id text, session_id text, cpu float8, replica_lag_in_msec float8,
                      last_update_timestamp timestamptz)
       LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog AS $$
         SELECT r.server_id, CASE WHEN r.writer THEN 'MASTER_SESSION_ID' ELSE 'reader-' || r.server_id END,
                1.0::float8, 0::float8, now()
         FROM rds_tools.lab_replica_status r ORDER BY r.writer DESC, r.server_id $$`,
    )
    if (deny)
      ddl.push(
        'REVOKE EXECUTE ON FUNCTION pg_catalog.get_blue_green_fast_switchover_metadata(text) FROM PUBLIC',
      )
  } else {
    ddl.push(
      `CREATE FUNCTION rds_tools.show_topology(text DEFAULT NULL)
       RETURNS TABLE (${COLUMNS}) LANGUAGE plpgsql SECURITY DEFINER
       SET search_path = pg_catalog AS $$ BEGIN ${failing}
         RETURN QUERY SELECT t.id, t.endpoint, t.port, t.role, t.status, t.version
         FROM rds_tools.lab_topology t ORDER BY t.role, t.endpoint; END $$`,
    )
    if (deny) ddl.push('REVOKE EXECUTE ON FUNCTION rds_tools.show_topology(text) FROM PUBLIC')
    else ddl.push(`GRANT USAGE ON SCHEMA rds_tools TO ${APP_USER.user}`)
  }
  return ddl
}

const APP_DDL = [
  `CREATE TABLE lab_writes (client text NOT NULL, seq int NOT NULL,
     instance text NOT NULL DEFAULT current_setting('lab.instance'),
     written_at timestamptz NOT NULL DEFAULT clock_timestamp(), PRIMARY KEY (client, seq))`,
  'CREATE TABLE lab_items (id bigserial PRIMARY KEY, note text)',
  'CREATE TABLE lab_marker (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp())',
]

const WRITE_METADATA = `WITH gone AS (DELETE FROM rds_tools.lab_topology)
  INSERT INTO rds_tools.lab_topology (id, endpoint, port, role, status, version)
  SELECT id, endpoint, port, role, status, version FROM json_populate_recordset(null::rds_tools.lab_topology, $1)`

export interface PgEngineOptions {
  readonly private: Readonly<Record<LabSide, string>>
  readonly port: number
  /** Aurora reader instances (private addresses) per side; each replicates from its side's writer. */
  readonly readers?: Readonly<Record<LabSide, readonly string[]>>
}

/**
 * PostgreSQL admin operations: logical replication of the app schema, metadata functions, role-level fence.
 */
export function createPgEngine(opts: PgEngineOptions): LabEngine {
  const pool = (side: LabSide, database: string): pg.Pool => {
    const p = new pg.Pool({ host: opts.private[side], port: opts.port, user: 'postgres', database, max: 4 })
    p.on('error', () => undefined)
    return p
  }
  const poolAt = (host: string, database: string): pg.Pool => {
    const p = new pg.Pool({ host, port: opts.port, user: 'postgres', database, max: 2 })
    p.on('error', () => undefined)
    return p
  }
  const pools = { blue: pool('blue', APP_USER.database), green: pool('green', APP_USER.database) }
  const readerIps = opts.readers ?? { blue: [], green: [] }
  const readerPools: Record<LabSide, pg.Pool[]> = {
    blue: readerIps.blue.map((ip) => poolAt(ip, APP_USER.database)),
    green: readerIps.green.map((ip) => poolAt(ip, APP_USER.database)),
  }
  /** Runs an admin statement on every reader of a side. */
  const onReaders = async (side: LabSide, text: string, params?: readonly unknown[]): Promise<void> => {
    await Promise.all(
      readerPools[side].map((p) => p.query(text, params === undefined ? undefined : [...params])),
    )
  }
  const q = async (
    side: LabSide,
    text: string,
    params?: readonly unknown[],
  ): Promise<Record<string, unknown>[]> =>
    (await pools[side].query(text, params === undefined ? undefined : [...params])).rows as Record<
      string,
      unknown
    >[]

  const setupSide = async (side: LabSide, setup: EngineSetupOptions): Promise<void> => {
    const root = pool(side, 'postgres')
    try {
      await root.query(`CREATE ROLE ${APP_USER.user} LOGIN PASSWORD '${APP_USER.password}'`)
      await root.query(`CREATE DATABASE ${APP_USER.database} OWNER ${APP_USER.user} STRATEGY FILE_COPY`)
    } finally {
      await root.end()
    }
    for (const stmt of metadataDdl(setup.aurora, setup.denyMetadata)) await q(side, stmt)
    const c = await pools[side].connect()
    try {
      // Owned by app, as an application's own migrations would leave them.
      await c.query(`SET ROLE ${APP_USER.user}`)
      for (const stmt of [...APP_DDL, ...setup.schema]) await c.query(stmt)
    } finally {
      await c.query('RESET ROLE')
      c.release()
    }
  }

  /** A reader: same schema, read-only for app by design, subscribed to its side's writer. */
  const setupReader = async (side: LabSide, i: number, setup: EngineSetupOptions): Promise<void> => {
    const ip = readerIps[side][i] ?? ''
    const root = poolAt(ip, 'postgres')
    try {
      await root.query(`CREATE ROLE ${APP_USER.user} LOGIN PASSWORD '${APP_USER.password}'`)
      await root.query(`CREATE DATABASE ${APP_USER.database} OWNER ${APP_USER.user} STRATEGY FILE_COPY`)
    } finally {
      await root.end()
    }
    const p = readerPools[side][i]
    if (p === undefined) return
    for (const stmt of metadataDdl(setup.aurora, setup.denyMetadata)) await p.query(stmt)
    const c = await p.connect()
    try {
      await c.query(`SET ROLE ${APP_USER.user}`)
      for (const stmt of [...APP_DDL, ...setup.schema]) await c.query(stmt)
    } finally {
      await c.query('RESET ROLE')
      c.release()
    }
    await p.query(`ALTER ROLE ${APP_USER.user} SET default_transaction_read_only = on`)
    await p.query(
      `CREATE SUBSCRIPTION bg_r${i + 1} CONNECTION 'host=${opts.private[side]} port=${opts.port} user=postgres ` +
        `dbname=${APP_USER.database}' PUBLICATION bg_pub`,
    )
  }

  return {
    name: 'pg',
    app: APP_USER,
    async setup(setup) {
      await Promise.all([setupSide('blue', setup), setupSide('green', setup)])
      await q('green', `ALTER ROLE ${APP_USER.user} SET default_transaction_read_only = on`)
      await q('blue', 'CREATE PUBLICATION bg_pub FOR TABLES IN SCHEMA public')
      await q(
        'green',
        `CREATE SUBSCRIPTION bg_sub CONNECTION 'host=${opts.private.blue} port=${opts.port} user=postgres ` +
          `dbname=${APP_USER.database}' PUBLICATION bg_pub`,
      )
      if (readerIps.green.length > 0)
        await q('green', 'CREATE PUBLICATION bg_pub FOR TABLES IN SCHEMA public')
      await Promise.all(
        (['blue', 'green'] as const).flatMap((side) =>
          readerIps[side].map((_, i) => setupReader(side, i, setup)),
        ),
      )
    },
    async writeMetadata(side, md: SideMetadata) {
      await q(side, WRITE_METADATA, [JSON.stringify(md.rows)])
      await q(side, 'UPDATE rds_tools.lab_state SET failing = $1', [md.failing])
      await onReaders(side, WRITE_METADATA, [JSON.stringify(md.rows)])
      await onReaders(side, 'UPDATE rds_tools.lab_state SET failing = $1', [md.failing])
    },
    async setServerId(side, serverId, readers = []) {
      const sql = `WITH gone AS (DELETE FROM rds_tools.lab_replica_status)
        INSERT INTO rds_tools.lab_replica_status SELECT $1, true UNION ALL SELECT unnest($2::text[]), false`
      await q(side, sql, [serverId, readers])
      await onReaders(side, sql, [serverId, readers])
    },
    async setWritable(side, writable) {
      await q(
        side,
        writable
          ? `ALTER ROLE ${APP_USER.user} RESET default_transaction_read_only`
          : `ALTER ROLE ${APP_USER.user} SET default_transaction_read_only = on`,
      )
    },
    async killAppSessions(side) {
      const sql = `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 2000))::int AS n FROM pg_stat_activity
         WHERE usename = $1 AND pid <> pg_backend_pid()`
      const rows = await q(side, sql, [APP_USER.user])
      const onReaders = await Promise.all(readerPools[side].map((p) => p.query(sql, [APP_USER.user])))
      return [rows, ...onReaders.map((r) => r.rows as Record<string, unknown>[])].reduce(
        (n, r) => n + Number(r[0]?.['n'] ?? 0),
        0,
      )
    },
    async killMonitorSessions(side) {
      const rows = await q(
        side,
        `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
         WHERE usename = $1 AND application_name = 'rds-bluegreen-monitor'`,
        [APP_USER.user],
      )
      return Number(rows[0]?.['n'] ?? 0)
    },
    async catchUp(timeoutMs) {
      // Apply is in commit order: once the marker is on green, everything committed before it is too (spec E6).
      const [marker] = await q(
        'blue',
        'INSERT INTO lab_marker DEFAULT VALUES RETURNING id, pg_current_wal_lsn()::text AS lsn',
      )
      const deadline = Date.now() + timeoutMs
      while (Date.now() < deadline) {
        const seen = await q('green', 'SELECT 1 FROM lab_marker WHERE id = $1', [marker?.['id']])
        if (seen.length > 0) return String(marker?.['lsn'])
        await sleep(5)
      }
      throw new LabError(
        'REPLICATION_TIMEOUT',
        `green did not apply marker ${String(marker?.['id'])} in ${timeoutMs} ms`,
      )
    },
    async syncSequences() {
      const seqs = await q(
        'blue',
        "SELECT format('%I.%I', schemaname, sequencename) AS name, last_value::text AS v FROM pg_sequences WHERE last_value IS NOT NULL AND schemaname = 'public'",
      )
      for (const s of seqs) await q('green', 'SELECT setval($1, $2::bigint, true)', [s['name'], s['v']])
      return seqs.length
    },
    async stopReplication() {
      await q('green', 'ALTER SUBSCRIPTION bg_sub DISABLE')
    },
    async startReplication() {
      await q('green', 'ALTER SUBSCRIPTION bg_sub ENABLE')
    },
    async writtenKeys(side) {
      const rows = await q(side, 'SELECT client, seq FROM lab_writes')
      return new Set(rows.map((r) => writeKey(String(r['client']), Number(r['seq']))))
    },
    sql: q,
    async close() {
      await Promise.all(
        [pools.blue, pools.green, ...readerPools.blue, ...readerPools.green].map((p) => p.end()),
      )
    },
  }
}
