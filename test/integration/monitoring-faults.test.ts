import mysql from 'mysql2/promise'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPool } from '../../integrations/mysql2/index.js'
import { BlueGreenPgClient, BlueGreenPgPool } from '../../integrations/pg/index.js'
import { BLUE, BLUE_IP, LinesLogger, tableLookup, waitFor } from './helpers/names.js'
import type { TcpProxy } from './helpers/tcp-proxy.js'
import { startTcpProxy } from './helpers/tcp-proxy.js'
import { pgAdmin } from './helpers/pg-admin.js'

/**
 * Issue 11 items 1 and 2 against the real servers: broken metadata and a monitoring user the server refuses.
 * Every connection goes through a loopback proxy, so its accept count is the exact number of sessions opened;
 * the servers' own session lists give the concurrent count.
 */

const PG = { host: '127.0.0.1', port: 5432, user: 'postgres' } as const
const MARIADB = { host: '127.0.0.1', port: 3306, user: 'root' } as const
const PG_DB = 'bg_monitor_faults'
const MY_DB = 'bg_monitor_faults'
const MONITOR_APP = 'rds-bluegreen-monitor'
const WINDOW_MS = 10_000
let counter = 0
const nextId = (): string => `faults-int-${process.pid}-${++counter}`
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Samples `count()` every 50 ms for `ms`; returns the largest value seen. */
async function maxOver(ms: number, count: () => Promise<number>): Promise<number> {
  let max = 0
  const end = Date.now() + ms
  while (Date.now() < end) {
    max = Math.max(max, await count())
    await sleep(50)
  }
  return max
}

describe('PostgreSQL: a metadata function that raises (item 1)', () => {
  let proxy: TcpProxy
  beforeAll(async () => {
    await pgAdmin('postgres', async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${PG_DB} WITH (FORCE)`)
      await c.query(`CREATE DATABASE ${PG_DB}`)
    })
    await pgAdmin(PG_DB, (c) =>
      c.query(`CREATE SCHEMA rds_tools;
        CREATE FUNCTION rds_tools.show_topology(client_id text)
          RETURNS TABLE (endpoint text, port int, role text, status text, version text)
          LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'topology store is corrupt'; END $$;`),
    )
    proxy = await startTcpProxy(BLUE_IP, 0, PG)
  })
  afterAll(async () => {
    await proxy.close()
    await pgAdmin('postgres', (c) => c.query(`DROP DATABASE IF EXISTS ${PG_DB} WITH (FORCE)`))
  })

  it(`over ${WINDOW_MS / 1000} s: at most 5 monitoring sessions opened, exactly one warning`, async () => {
    const logger = new LinesLogger()
    const pool = new BlueGreenPgPool({
      host: BLUE,
      port: proxy.port,
      user: PG.user,
      database: PG_DB,
      max: 1,
      idleTimeoutMillis: 0,
      blueGreen: { bgdId: nextId(), lookup: tableLookup({ [BLUE]: BLUE_IP }), logger, bgBaselineMs: 100 },
    })
    try {
      await pool.query('SELECT 1')
      const concurrent = await maxOver(WINDOW_MS, () =>
        pgAdmin('postgres', async (c) => {
          const { rows } = await c.query<{ n: string }>(
            'SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = $2',
            [PG_DB, MONITOR_APP],
          )
          return Number(rows[0]?.n ?? 0)
        }),
      )
      const monitorSessions = proxy.accepts.length - 1 // the pool's one connection
      console.info(
        `[item 1, PG] monitoring sessions opened in 10 s: ${monitorSessions}, concurrent max ${concurrent}`,
      )
      expect(monitorSessions).toBeLessThanOrEqual(5)
      expect(concurrent).toBeLessThanOrEqual(2)
      const warnings = logger.lines.filter((l) => l.level === 'warn')
      expect(warnings).toHaveLength(1)
      expect(warnings[0]?.message).toContain('topology store is corrupt')
      expect(warnings[0]?.message).toContain('not protected')
    } finally {
      await pool.end()
    }
  })
})

describe('MariaDB: broken metadata view and refused monitoring users (items 1 and 2)', () => {
  let proxy: TcpProxy
  let root: mysql.Connection
  beforeAll(async () => {
    root = await mysql.createConnection({ ...MARIADB, multipleStatements: true })
    await root.query(`DROP DATABASE IF EXISTS ${MY_DB}; CREATE DATABASE ${MY_DB};
      CREATE TABLE ${MY_DB}.gone (x int);
      CREATE OR REPLACE VIEW mysql.rds_topology AS SELECT x FROM ${MY_DB}.gone;
      DROP TABLE ${MY_DB}.gone;
      DROP USER IF EXISTS 'bg_mon_nodb'@'%';
      CREATE USER 'bg_mon_nodb'@'%' IDENTIFIED BY 'nodb-secret';`)
    proxy = await startTcpProxy(BLUE_IP, 0, MARIADB)
  })
  afterAll(async () => {
    await proxy.close()
    await root.query(`DROP VIEW IF EXISTS mysql.rds_topology; DROP DATABASE IF EXISTS ${MY_DB};
      DROP USER IF EXISTS 'bg_mon_nodb'@'%';`)
    await root.end()
  })

  const pool = (logger: LinesLogger, monitoring: Record<string, unknown> = {}) =>
    createPool({
      host: BLUE,
      port: proxy.port,
      user: MARIADB.user,
      database: MY_DB,
      connectionLimit: 1,
      blueGreen: {
        bgdId: nextId(),
        lookup: tableLookup({ [BLUE]: BLUE_IP }),
        logger,
        bgBaselineMs: 100,
        monitoring,
      },
    })

  it(`a broken view (1356) over ${WINDOW_MS / 1000} s: at most 5 monitoring sessions, exactly one warning`, async () => {
    proxy.accepts.splice(0)
    const logger = new LinesLogger()
    const p = pool(logger)
    try {
      await p.promise().query('SELECT 1')
      const before = proxy.accepts.length
      const concurrent = await maxOver(WINDOW_MS, async () => {
        const [rows] = await root.query<mysql.RowDataPacket[]>(
          'SELECT count(*) AS n FROM information_schema.processlist WHERE db = ? AND id <> CONNECTION_ID()',
          [MY_DB],
        )
        return Number(rows[0]?.['n'] ?? 0) - 1 // minus the pool's connection
      })
      const monitorSessions = proxy.accepts.length - 1
      console.info(
        `[item 1, MariaDB] monitoring sessions opened in 10 s: ${monitorSessions} (${before - 1} in the first query), concurrent max ${concurrent}`,
      )
      expect(monitorSessions).toBeLessThanOrEqual(5)
      expect(concurrent).toBeLessThanOrEqual(2)
      const warnings = logger.lines.filter((l) => l.level === 'warn')
      expect(warnings).toHaveLength(1)
      expect(warnings[0]?.message).toContain('references invalid table')
    } finally {
      await p.promise().end()
    }
  })

  it.each([
    [
      'no access to the database',
      { user: 'bg_mon_nodb', password: 'nodb-secret' },
      "to database 'bg_monitor_faults'",
    ],
    ['a wrong password', { user: 'bg_mon_nodb', password: 'wrong-secret' }, '(using password: YES)'],
  ])(
    'a monitoring user with %s: the server message is warned at once, and end() does not hang',
    async (_, monitoring, text) => {
      proxy.accepts.splice(0)
      const logger = new LinesLogger()
      const p = pool(logger, monitoring)
      await p.promise().query('SELECT 1')
      const started = Date.now()
      await waitFor(() => logger.lines.some((l) => l.level === 'warn'), 3_000, 'the warning')
      const warnedAfter = Date.now() - started
      await sleep(3_000)
      const attempts = proxy.accepts.length
      const ending = Date.now()
      await p.promise().end()
      const endMs = Date.now() - ending
      console.info(
        `[item 2] warned after ${warnedAfter} ms; end() took ${endMs} ms; connections in ~3 s: ${attempts}`,
      )
      const warnings = logger.lines.filter((l) => l.level === 'warn')
      expect(warnings).toHaveLength(1)
      expect(warnings[0]?.message).toContain("Access denied for user 'bg_mon_nodb'")
      expect(warnings[0]?.message).toContain(text)
      expect(warnings[0]?.message).not.toContain('secret')
      expect(endMs).toBeLessThan(1_000)
      // Backed off from 1 s, not retried every 100 ms: the pool's connection + 2 monitors × ~3 attempts.
      expect(attempts).toBeLessThanOrEqual(10)
    },
  )
})

describe('short-lived standalone clients share one pair of monitors (item 6)', () => {
  let proxy: TcpProxy
  beforeAll(async () => {
    proxy = await startTcpProxy(BLUE_IP, 0, PG)
  })
  afterAll(async () => {
    await proxy.close()
  })

  it('100 clients opened and closed in a loop: at most 2 monitoring sessions at any time, 1 warning', async () => {
    const logger = new LinesLogger()
    const bgdId = nextId()
    const lookup = tableLookup({ [BLUE]: BLUE_IP })
    let concurrent = 0
    let sampling = true
    const sampler = (async () => {
      while (sampling) {
        const n = await pgAdmin('postgres', async (c) => {
          const { rows } = await c.query<{ n: string }>(
            'SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1',
            [MONITOR_APP],
          )
          return Number(rows[0]?.n ?? 0)
        })
        concurrent = Math.max(concurrent, n)
        await sleep(20)
      }
    })()
    try {
      for (let i = 0; i < 100; i++) {
        const client = new BlueGreenPgClient({
          host: BLUE,
          port: proxy.port,
          user: PG.user,
          database: 'postgres',
          blueGreen: { bgdId, lookup, logger },
        })
        await client.connect()
        await client.query('SELECT 1')
        await client.end()
      }
    } finally {
      sampling = false
      await sampler
    }
    const monitorSessions = proxy.accepts.length - 100
    const warnings = logger.lines.filter((l) => l.level === 'warn')
    console.info(
      `[item 6] 100 standalone clients: ${monitorSessions} monitoring sessions opened, concurrent max ${concurrent}, ${warnings.length} warning(s)`,
    )
    expect(concurrent).toBeLessThanOrEqual(2)
    expect(monitorSessions).toBeLessThanOrEqual(2)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]?.message).toContain('No Blue/Green metadata is readable')
  })
})

describe('PostgreSQL: a metadata function not owned by a superuser is ignored (item 10)', () => {
  const DB = 'bg_monitor_untrusted'
  beforeAll(async () => {
    await pgAdmin('postgres', async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`)
      await c.query('DROP ROLE IF EXISTS bg_untrusted_owner')
      await c.query('CREATE ROLE bg_untrusted_owner')
      await c.query(`CREATE DATABASE ${DB}`)
    })
    // An ordinary user with CREATE on the database plants a function that claims a deployment.
    await pgAdmin(DB, (c) =>
      c.query(`GRANT CREATE ON DATABASE ${DB} TO bg_untrusted_owner;
        SET ROLE bg_untrusted_owner;
        CREATE SCHEMA rds_tools;
        CREATE FUNCTION rds_tools.show_topology(client_id text)
          RETURNS TABLE (endpoint text, port int, role text, status text, version text) LANGUAGE sql AS $$
          SELECT 'evil.c9akciq32.us-east-1.rds.amazonaws.com', 5432, 'BLUE_GREEN_DEPLOYMENT_SOURCE',
                 'AVAILABLE', '1.0' $$;
        RESET ROLE;`),
    )
  })
  afterAll(async () => {
    await pgAdmin('postgres', async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`)
      await c.query('DROP ROLE IF EXISTS bg_untrusted_owner')
    })
  })

  it('warns naming the function and stays NOT_CREATED', async () => {
    const logger = new LinesLogger()
    const bgdId = nextId()
    const pool = new BlueGreenPgPool({
      ...PG,
      database: DB,
      max: 1,
      blueGreen: { bgdId, logger, bgBaselineMs: 100 },
    })
    try {
      await pool.query('SELECT 1')
      await waitFor(() => logger.lines.some((l) => l.level === 'warn'), 5_000, 'the warning')
      await sleep(500)
      expect(pool.blueGreen?.snapshot().phase).toBe('NOT_CREATED')
      const warnings = logger.lines.filter((l) => l.level === 'warn')
      expect(warnings).toHaveLength(1)
      expect(warnings[0]?.message).toContain('rds_tools.show_topology is ignored')
      expect(warnings[0]?.message).toContain('not owned by a superuser')
    } finally {
      await pool.end()
    }
  })
})
