import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { EvictEvent } from '../../core/channels.js'
import { CHANNELS } from '../../core/channels.js'
import { BlueGreenReadOnlyError, isBlueGreenError } from '../../core/errors.js'
import { silentLogger } from '../../core/runtime.js'
import { BlueGreenPgPool } from '../../integrations/pg/index.js'
import { tableLookup } from './helpers/names.js'
import { createFenceRole, dropFenceRole, fence, FENCE_ROLE } from './helpers/pg-fence.js'
import { dropParameterStatus } from './helpers/pg-wire.js'
import type { TcpProxy } from './helpers/tcp-proxy.js'
import { startTcpProxy } from './helpers/tcp-proxy.js'

/**
 * Issue 12 items 1 and 2 on PostgreSQL, without any Blue/Green metadata: a server that accepted writes and turns
 * read-only (fenced per role, as RDS fences the old blue for every new session) is handled by the driver alone.
 * A proxy that drops the servers' `default_transaction_read_only` / `in_hot_standby` reports makes PostgreSQL 15
 * look like 11-13, where a read-only server is only known from the error: the statement path.
 */
const DB = 'bg_readonly_pg'
const PG = { host: '127.0.0.1', port: 5432 }
const RO_ROLE = 'bg_ro_by_design'
const admin = new pg.Pool({ ...PG, user: 'postgres', database: 'postgres', max: 2 })
const scratch = (): pg.Pool => new pg.Pool({ ...PG, user: 'postgres', database: DB, max: 1 })
let db: pg.Pool
let old: TcpProxy
const pools: BlueGreenPgPool[] = []
let counter = 0

beforeAll(async () => {
  await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`)
  await admin.query(`CREATE DATABASE ${DB}`)
  db = scratch()
  // DROP DATABASE ... WITH (FORCE) may still find its backend exiting after end(): not a failure.
  db.on('error', () => undefined)
  await db.query('CREATE TABLE ro_writes (k text PRIMARY KEY)')
  await createFenceRole(DB)
  await admin.query(`DROP ROLE IF EXISTS ${RO_ROLE}`)
  await admin.query(`CREATE ROLE ${RO_ROLE} LOGIN`)
  await admin.query(`ALTER ROLE ${RO_ROLE} SET default_transaction_read_only = on`)
  await db.query(`GRANT ALL ON ro_writes TO ${RO_ROLE}`)
  old = await startTcpProxy('127.0.1.3', 0, PG, () =>
    dropParameterStatus(['default_transaction_read_only', 'in_hot_standby']),
  )
})
afterEach(async () => {
  await fence(false)
  await Promise.all(pools.splice(0).map((p) => p.end()))
})
afterAll(async () => {
  await old.close()
  await db.end()
  await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`)
  await admin.query(`DROP ROLE IF EXISTS ${RO_ROLE}`)
  await dropFenceRole()
  await admin.end()
})

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

function pool(host: string, port: number, user: string, extra: object = {}): BlueGreenPgPool {
  const created = new BlueGreenPgPool({
    host,
    port,
    user,
    database: DB,
    max: 2,
    blueGreen: {
      bgdId: `ro-pg-${process.pid}-${++counter}`,
      logger: silentLogger,
      bgHighMs: 50,
      bgConnectTimeoutMs: 5000,
      lookup: tableLookup({ [READER]: '127.0.0.1', [REPLICA]: '127.0.0.1' }),
      ...extra,
    },
  })
  created.on('error', () => undefined)
  pools.push(created)
  return created
}

async function rows(key: string): Promise<number> {
  return (await db.query('SELECT k FROM ro_writes WHERE k = $1', [key])).rowCount ?? 0
}

const READER = 'mydb.cluster-ro-c9akciq32.us-east-1.rds.amazonaws.com'
const REPLICA = 'replica.db.internal'

describe('PostgreSQL before 14 (no reported parameters): the statement path', () => {
  it('an autocommit write the fenced server refused is sent again on fresh connections, applied once', async () => {
    const first = pool(old.host, old.port, FENCE_ROLE)
    await first.query('INSERT INTO ro_writes VALUES ($1)', ['before'])
    await fence(true)
    const evictions: EvictEvent[] = []
    const onEvict = (event: unknown): void => void evictions.push(event as EvictEvent)
    subscribe(CHANNELS.evict, onEvict)
    try {
      const second = pool(old.host, old.port, FENCE_ROLE) // new sessions: read-only
      const started = performance.now()
      const write = second.query('INSERT INTO ro_writes VALUES ($1) RETURNING k', ['k1'])
      await sleep(400)
      await fence(false)
      expect((await write).rows).toEqual([{ k: 'k1' }])
      expect(performance.now() - started).toBeGreaterThanOrEqual(400)
      expect(await rows('k1')).toBe(1)
      expect(evictions.length).toBeGreaterThanOrEqual(1)
      expect(evictions[0]).toMatchObject({ reason: 'read-only', host: old.host })
    } finally {
      unsubscribe(CHANNELS.evict, onEvict)
    }
  })

  it('never inside a transaction: the statement fails at once, typed and retryable, and nothing is applied', async () => {
    pool(old.host, old.port, FENCE_ROLE)
      .query('SELECT 1')
      .catch(() => undefined)
    await fence(true)
    const client = await pool(old.host, old.port, FENCE_ROLE).connect()
    await client.query('BEGIN')
    const started = performance.now()
    const err: unknown = await client
      .query('INSERT INTO ro_writes VALUES ($1)', ['k2'])
      .catch((e: unknown) => e)
    expect(performance.now() - started).toBeLessThan(300)
    expect(err).toBeInstanceOf(BlueGreenReadOnlyError)
    expect((err as Error).cause).toMatchObject({ code: '25006' })
    await client.query('ROLLBACK')
    client.release()
    await fence(false)
    await sleep(300)
    expect(await rows('k2')).toBe(0)
  })

  it('never after a lost connection: a statement cut mid-flight reaches the application, and is not sent again', async () => {
    const client = await pool(old.host, old.port, FENCE_ROLE).connect()
    client.on('error', () => undefined)
    const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid
    const write = client.query("INSERT INTO ro_writes SELECT 'k3' FROM pg_sleep(0.5)").then(
      () => 'applied',
      (e: unknown) => e,
    )
    await sleep(150)
    await admin.query('SELECT pg_terminate_backend($1)', [pid])
    const err = await write
    expect(isBlueGreenError(err)).toBe(false)
    expect(err).toBeInstanceOf(Error)
    client.release(true)
    await sleep(700)
    expect(await rows('k3')).toBe(0)
  })
})

describe('servers read-only by design are left alone', () => {
  it('a role read-only since first seen: the raw error, and the connection stays', async () => {
    const reader = pool(REPLICA, PG.port, RO_ROLE, {})
    const client = await reader.connect()
    const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid
    const err: unknown = await client
      .query('INSERT INTO ro_writes VALUES ($1)', ['k4'])
      .catch((e: unknown) => e)
    expect(isBlueGreenError(err)).toBe(false)
    expect(err).toMatchObject({ code: '25006' })
    client.release()
    const again = await reader.connect()
    expect((await again.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid).toBe(pid)
    again.release()
  })

  it('a reader endpoint: a fenced server behind it is neither waited for nor evicted', async () => {
    const reader = pool(READER, PG.port, FENCE_ROLE)
    await reader.query('SELECT 1') // seen writable (a reader endpoint with no reader points at the writer)
    await fence(true)
    const fresh = pool(READER, PG.port, FENCE_ROLE)
    const started = performance.now()
    const err: unknown = await fresh
      .query('INSERT INTO ro_writes VALUES ($1)', ['k5'])
      .catch((e: unknown) => e)
    expect(performance.now() - started).toBeLessThan(300)
    expect(isBlueGreenError(err)).toBe(false)
    expect(err).toMatchObject({ code: '25006' })
  })
})

describe('PostgreSQL 14 and later: the connect path', () => {
  it('a new connection that finds a formerly writable server read-only is taken again; with bgRetryReadOnly off it is handed out, and the write fails typed', async () => {
    const writer = pool(PG.host, PG.port, FENCE_ROLE)
    await writer.query('SELECT 1')
    await fence(true)
    const noRetry = pool(PG.host, PG.port, FENCE_ROLE, { bgRetryReadOnly: false })
    const err: unknown = await noRetry
      .query('INSERT INTO ro_writes VALUES ($1)', ['k6'])
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(BlueGreenReadOnlyError)
    const retrying = pool(PG.host, PG.port, FENCE_ROLE)
    const started = performance.now()
    const write = retrying.query('INSERT INTO ro_writes VALUES ($1) RETURNING k', ['k7'])
    await sleep(400)
    await fence(false)
    expect((await write).rows).toEqual([{ k: 'k7' }])
    expect(performance.now() - started).toBeGreaterThanOrEqual(400)
    expect(await rows('k6')).toBe(0)
    expect(await rows('k7')).toBe(1)
  })
})
