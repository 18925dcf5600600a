import mysql from 'mysql2/promise'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { MetadataSource } from '../../core/metadata/source.js'
import { resolveOptions } from '../../core/options.js'
import { acquireDeployment } from '../../core/registry.js'
import { lookupResolver } from '../../core/runtime.js'
import { mysqlMetadataSource } from '../../integrations/mysql2/metadata-source.js'
import { pgMetadataSource } from '../../integrations/pg/metadata-source.js'
import { BLUE, BLUE_IP, LinesLogger, tableLookup, waitFor } from './helpers/names.js'
import { pgAdmin } from './helpers/pg-admin.js'
import type { TcpProxy } from './helpers/tcp-proxy.js'
import { startTcpProxy } from './helpers/tcp-proxy.js'

/**
 * Issue 15 item 1 against the real servers, which have no Blue/Green metadata: a monitor connects for its
 * baseline poll and closes afterwards. The monitoring connections go through a loopback proxy, whose log of
 * connection lifetimes says when each poll ran; the server's own session list, sampled many times, must show
 * no monitoring session between polls.
 */

const DB = 'bg_idle_monitor'
const BASELINE_MS = 300
const POLLS = 3
/** After a proxied connection closed, how long the server may take to end its session. */
const TEARDOWN_MS = 100
const lookup = tableLookup({ [BLUE]: BLUE_IP })
let counter = 0
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

interface Sample {
  readonly from: number
  readonly to: number
  readonly sessions: number
}

/**
 * Runs one deployment over `source` and samples `count()` (the server's monitoring sessions) until `POLLS` polls
 * after the first one have run; returns the samples and the proxy's connection log.
 */
async function sampleIdle(
  proxy: TcpProxy,
  source: MetadataSource,
  count: () => Promise<number>,
): Promise<{ samples: Sample[]; logger: LinesLogger }> {
  proxy.history.splice(0)
  const logger = new LinesLogger()
  const deployment = acquireDeployment({
    options: resolveOptions({ bgdId: `idle-int-${process.pid}-${++counter}`, bgBaselineMs: BASELINE_MS }),
    source,
    initialHost: { host: BLUE, port: proxy.port },
    resolver: lookupResolver(lookup),
    logger,
  })
  const samples: Sample[] = []
  try {
    // The first poll of both sides (connect, catalog and status queries, close).
    await waitFor(
      () => proxy.history.filter((c) => c.closed !== undefined).length >= 2,
      5_000,
      'the first poll',
    )
    const wanted = 2 * (POLLS + 1)
    const end = Date.now() + 10_000
    while (Date.now() < end) {
      const from = Date.now()
      const sessions = await count()
      samples.push({ from, to: Date.now(), sessions })
      if (proxy.history.filter((c) => c.closed !== undefined).length >= wanted) break
      await sleep(5)
    }
  } finally {
    await deployment.release()
  }
  return { samples, logger }
}

/** Samples that overlap no monitoring connection (nor the moments after it closed, while the server ends it). */
function betweenPolls(samples: readonly Sample[], proxy: TcpProxy): Sample[] {
  return samples.filter((s) =>
    proxy.history.every((c) => s.to < c.opened || s.from > (c.closed ?? Infinity) + TEARDOWN_MS),
  )
}

function check(samples: readonly Sample[], proxy: TcpProxy, logger: LinesLogger, engine: string): void {
  const between = betweenPolls(samples, proxy)
  const lifetimes = proxy.history.map((c) => (c.closed ?? Date.now()) - c.opened)
  console.info(
    `[issue 15 item 1, ${engine}] ${proxy.history.length} monitoring sessions over ${POLLS + 1} polls ` +
      `(longest ${Math.max(...lifetimes)} ms); ${samples.length} samples, ${between.length} between polls, ` +
      `max sessions between polls ${Math.max(0, ...between.map((s) => s.sessions))}, ` +
      `max at any sample ${Math.max(0, ...samples.map((s) => s.sessions))}`,
  )
  // The polls happened: one session per side per poll, each closed right after its poll (never kept).
  expect(proxy.history.length).toBeGreaterThanOrEqual(2 * (POLLS + 1))
  expect(proxy.history.length).toBeLessThanOrEqual(2 * (POLLS + 2))
  expect(Math.max(...lifetimes)).toBeLessThan(BASELINE_MS)
  // The server saw no monitoring session between polls, sampled many times.
  expect(between.length).toBeGreaterThanOrEqual(10)
  expect(between.filter((s) => s.sessions > 0)).toEqual([])
  // The metadata is still judged absent, and said once.
  expect(logger.warnings()).toHaveLength(1)
  expect(logger.warnings()[0]).toContain('No Blue/Green metadata is readable')
}

describe('PostgreSQL without metadata: no monitoring session between baseline polls', () => {
  let proxy: TcpProxy
  let admin: pg.Client
  beforeAll(async () => {
    await pgAdmin('postgres', async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`)
      await c.query(`CREATE DATABASE ${DB}`)
    })
    proxy = await startTcpProxy(BLUE_IP, 0, { host: '127.0.0.1', port: 5432 })
    admin = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' })
    await admin.connect()
  })
  afterAll(async () => {
    await admin.end()
    await proxy.close()
    await pgAdmin('postgres', (c) => c.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`))
  })

  it(`${POLLS} baseline polls of ${BASELINE_MS} ms`, async () => {
    const source = pgMetadataSource(
      { host: BLUE, port: proxy.port, user: 'postgres', database: DB },
      {},
      lookup,
    )
    const { samples, logger } = await sampleIdle(proxy, source, async () => {
      const { rows } = await admin.query<{ n: string }>(
        'SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = $2',
        [DB, 'rds-bluegreen-monitor'],
      )
      return Number(rows[0]?.n ?? 0)
    })
    check(samples, proxy, logger, 'PostgreSQL')
  })
})

describe('MariaDB without metadata: no monitoring session between baseline polls', () => {
  let proxy: TcpProxy
  let root: mysql.Connection
  beforeAll(async () => {
    root = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root' })
    await root.query(`DROP DATABASE IF EXISTS ${DB}`)
    await root.query(`CREATE DATABASE ${DB}`)
    proxy = await startTcpProxy(BLUE_IP, 0, { host: '127.0.0.1', port: 3306 })
  })
  afterAll(async () => {
    await proxy.close()
    await root.query(`DROP DATABASE IF EXISTS ${DB}`)
    await root.end()
  })

  it(`${POLLS} baseline polls of ${BASELINE_MS} ms`, async () => {
    const source = mysqlMetadataSource(
      { host: BLUE, port: proxy.port, user: 'root', database: DB },
      {},
      lookup,
    )
    const { samples, logger } = await sampleIdle(proxy, source, async () => {
      const [rows] = await root.query<mysql.RowDataPacket[]>(
        'SELECT count(*) AS n FROM information_schema.processlist WHERE db = ? AND id <> CONNECTION_ID()',
        [DB],
      )
      return Number(rows[0]?.['n'] ?? 0)
    })
    check(samples, proxy, logger, 'MariaDB')
  })
})
