import { spawn } from 'node:child_process'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { activeDeployments, getStatus } from '../../core/registry.js'
import type { MetadataSource } from '../../core/metadata/source.js'
import pgDefault, { BlueGreenPgClient, BlueGreenPgPool, pgModule } from '../../integrations/pg/index.js'
import { LinesLogger, tableLookup, waitFor } from './helpers/names.js'
import { PG } from './helpers/pg-scratch.js'

const base = { ...PG, database: 'postgres' }
let counter = 0
const nextId = (): string => `pg-forms-${process.pid}-${++counter}`

function pool(extra: Record<string, unknown> = {}, logger = new LinesLogger()): BlueGreenPgPool {
  return new BlueGreenPgPool({
    ...base,
    max: 4,
    ...extra,
    blueGreen: { bgdId: nextId(), logger, bgBaselineMs: 200 },
  })
}

describe('pg: every call form works unchanged on a server without Blue/Green metadata', () => {
  let p: BlueGreenPgPool
  const logger = new LinesLogger()
  beforeAll(() => {
    p = pool({}, logger)
  })
  afterAll(async () => {
    await p.end()
  })

  it('is a pg.Pool whose class name contains "Pool", and the module facade is shaped like pg', () => {
    expect(p).toBeInstanceOf(pg.Pool)
    expect(p.constructor.name).toContain('Pool')
    expect(pgDefault).toBe(pgModule)
    expect(pgModule.Pool).toBe(BlueGreenPgPool)
    expect(pgModule.Client).toBe(BlueGreenPgClient)
    expect(pgModule.types).toBe(pg.types)
    expect(pgModule.DatabaseError).toBe(pg.DatabaseError)
    expect(pgModule.escapeIdentifier('a"b')).toBe('"a""b"')
  })

  it('pool.query: text, values, config object, rowMode, callback', async () => {
    expect((await p.query('SELECT 1 AS x')).rows).toEqual([{ x: 1 }])
    expect((await p.query('SELECT $1::int AS x', [2])).rows).toEqual([{ x: 2 }])
    expect((await p.query({ text: 'SELECT $1::text AS x', values: ['a'] })).rows).toEqual([{ x: 'a' }])
    expect((await p.query({ text: 'SELECT 1 AS x, 2 AS y', rowMode: 'array' })).rows).toEqual([[1, 2]])
    const viaCallback = await new Promise((resolve, reject) =>
      p.query('SELECT 3 AS x', (err, result) => (err ? reject(err) : resolve(result.rows))),
    )
    expect(viaCallback).toEqual([{ x: 3 }])
    const withValues = await new Promise((resolve, reject) =>
      p.query('SELECT $1::int AS x', [4], (err, result) => (err ? reject(err) : resolve(result.rows))),
    )
    expect(withValues).toEqual([{ x: 4 }])
  })

  it('SQL errors keep their pg type and code', async () => {
    const err: unknown = await p.query('SELECT * FROM no_such_table_here').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(pg.DatabaseError)
    expect((err as pg.DatabaseError).code).toBe('42P01')
  })

  it('pool.connect: promise and callback forms, transactions on one client, named statements', async () => {
    const client = await p.connect()
    expect(client).toBeInstanceOf(BlueGreenPgClient)
    await client.query('BEGIN')
    await client.query('CREATE TEMP TABLE t (v int) ON COMMIT DROP')
    await client.query('INSERT INTO t VALUES (1), (2)')
    const named = { name: 'sum-t', text: 'SELECT sum(v)::int AS s FROM t WHERE v >= $1', values: [1] }
    expect((await client.query(named)).rows).toEqual([{ s: 3 }])
    expect((await client.query({ ...named, values: [2] })).rows).toEqual([{ s: 2 }])
    await client.query('ROLLBACK')
    client.release()
    const rows = await new Promise((resolve, reject) =>
      p.connect((err, c, done) => {
        if (err || c === undefined) return reject(err ?? new Error('no client'))
        c.query('SELECT 5 AS x', (qerr, result) => {
          done()
          return qerr ? reject(qerr) : resolve(result.rows)
        })
      }),
    )
    expect(rows).toEqual([{ x: 5 }])
  })

  it('Submittables (pg.Query) stream rows through events', async () => {
    const client = await p.connect()
    const seen: unknown[] = []
    const query = client.query(new pg.Query('SELECT generate_series(1, 3) AS n'))
    await new Promise<void>((resolve, reject) => {
      query.on('row', (row: unknown) => seen.push(row))
      query.on('end', () => resolve())
      query.on('error', reject)
    })
    client.release()
    expect(seen).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }])
  })

  it('a standalone client: connect/query/end in callback and promise forms; releases its deployment', async () => {
    const before = activeDeployments()
    const client = new BlueGreenPgClient({
      ...base,
      blueGreen: { bgdId: nextId(), logger: new LinesLogger() },
    })
    await new Promise<void>((resolve, reject) =>
      client.connect((err: Error | null) => (err ? reject(err) : resolve())),
    )
    expect(activeDeployments()).toBe(before + 1)
    expect((await client.query('SELECT 1 AS x')).rows).toEqual([{ x: 1 }])
    await new Promise<void>((resolve) => client.end(() => resolve()))
    await waitFor(() => activeDeployments() === before, 5000, 'deployment released')
    const viaString = new BlueGreenPgClient('postgresql://postgres@127.0.0.1:5432/postgres')
    await viaString.connect()
    expect((await viaString.query('SELECT current_database() AS d')).rows).toEqual([{ d: 'postgres' }])
    await viaString.end()
  })

  it('no metadata: phase NOT_CREATED and exactly one warning for the deployment', async () => {
    await waitFor(() => logger.warnings('No Blue/Green metadata').length > 0, 10_000, 'warning')
    await new Promise((resolve) => setTimeout(resolve, 600))
    expect(p.blueGreen?.snapshot().phase).toBe('NOT_CREATED')
    expect(logger.warnings('No Blue/Green metadata')).toHaveLength(1)
    expect(logger.warnings('No Blue/Green metadata')[0]).toContain('no Blue/Green metadata function')
  })

  it('Blue/Green keys never reach pg and a wrong one throws a typed error', () => {
    expect(() => new BlueGreenPgPool({ ...base, blueGreen: { bgConnectTimeoutMs: -1 } })).toThrow(
      /bgConnectTimeoutMs/,
    )
  })
})

describe('pg: monitor failures never touch user traffic', () => {
  it('a metadata source that throws', async () => {
    const source: MetadataSource = {
      name: 'broken',
      connect: () => Promise.reject(new Error('boom')),
    }
    const p = new BlueGreenPgPool({
      ...base,
      blueGreen: { bgdId: nextId(), metadataSource: source, bgHighMs: 50 },
    })
    for (let i = 0; i < 5; i++) expect((await p.query('SELECT 1 AS x')).rows).toEqual([{ x: 1 }])
    await p.end()
  })

  it('DNS down (every lookup fails): the monitor cannot resolve, user traffic to an IP is unaffected', async () => {
    const asked: string[] = []
    const p = new BlueGreenPgPool({
      ...base,
      blueGreen: { bgdId: nextId(), logger: new LinesLogger(), lookup: tableLookup({}, asked), bgHighMs: 50 },
    })
    for (let i = 0; i < 5; i++) expect((await p.query('SELECT 1 AS x')).rows).toEqual([{ x: 1 }])
    await waitFor(() => asked.includes('127.0.0.1'), 5000, 'the monitor to ask the resolver')
    await p.end()
  })

  it('the injected lookup is used by the user connections too (one resolver)', async () => {
    const asked: string[] = []
    const p = new BlueGreenPgPool({
      ...base,
      host: 'db.example.internal',
      blueGreen: {
        bgdId: nextId(),
        logger: new LinesLogger(),
        lookup: tableLookup({ 'db.example.internal': '127.0.0.1' }, asked),
      },
    })
    expect((await p.query('SELECT 1 AS x')).rows).toEqual([{ x: 1 }])
    expect(asked).toContain('db.example.internal')
    const down = new BlueGreenPgPool({
      ...base,
      host: 'db.example.internal',
      blueGreen: { bgdId: nextId(), logger: new LinesLogger(), lookup: tableLookup({}) },
    })
    await expect(down.query('SELECT 1')).rejects.toThrow(/ENOTFOUND/)
    await Promise.all([p.end(), down.end()])
  })

  it('permission denied on the metadata function: unavailable with the reason, traffic unaffected', async () => {
    const logger = new LinesLogger()
    const source: MetadataSource = {
      name: 'denied',
      connect: () =>
        Promise.resolve({
          readStatus: () =>
            Promise.reject(Object.assign(new Error('permission denied for function'), { code: '42501' })),
          isOpen: () => true,
          close: () => Promise.resolve(),
        }),
    }
    const p = new BlueGreenPgPool({ ...base, blueGreen: { bgdId: nextId(), logger, metadataSource: source } })
    expect((await p.query('SELECT 1 AS x')).rows).toEqual([{ x: 1 }])
    await p.end()
  })
})

describe('pg: one monitor pair per deployment, and a clean exit', () => {
  it('three pools and a client on one bgdId share one deployment', async () => {
    const id = nextId()
    const logger = new LinesLogger()
    const make = (): BlueGreenPgPool => new BlueGreenPgPool({ ...base, blueGreen: { bgdId: id, logger } })
    const pools = [make(), make(), make()]
    await Promise.all(pools.map((p) => p.query('SELECT 1')))
    expect(getStatus(id)).toBeDefined()
    await waitFor(() => logger.warnings('No Blue/Green metadata').length > 0, 10_000, 'warning')
    expect(logger.warnings('No Blue/Green metadata')).toHaveLength(1)
    await Promise.all(pools.slice(1).map((p) => p.end()))
    expect(getStatus(id)).toBeDefined()
    await pools[0]?.end()
    expect(getStatus(id)).toBeUndefined()
  })

  it('the process exits by itself after end()', async () => {
    const script = `
      import { BlueGreenPgPool } from './integrations/pg/index.ts'
      const pool = new BlueGreenPgPool({ host: '127.0.0.1', user: 'postgres', database: 'postgres', blueGreen: { bgHighMs: 50 } })
      await pool.query('SELECT 1')
      await new Promise((r) => setTimeout(r, 300))
      await pool.end()
      console.log('ended')`
    const started = Date.now()
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: process.cwd(),
        stdio: ['ignore', 'pipe', 'inherit'],
      })
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
      child.on('exit', (exitCode) => {
        clearTimeout(timer)
        resolve(exitCode)
      })
    })
    expect(code).toBe(0)
    expect(Date.now() - started).toBeLessThan(15_000)
  })
})
