import { spawn } from 'node:child_process'
import type { RowDataPacket } from 'mysql2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getStatus } from '../../core/registry.js'
import type { MetadataSource } from '../../core/metadata/source.js'
import mysql2Default, {
  createConnection,
  createPool,
  mysqlModule,
  mysqlMetadataSource,
  promise,
} from '../../integrations/mysql2/index.js'
import { LinesLogger, tableLookup, waitFor } from './helpers/names.js'

const base = { host: '127.0.0.1', port: 3306, user: 'root', database: 'test' }
let counter = 0
const nextId = (): string => `my-forms-${process.pid}-${++counter}`

describe('mysql2: every call form works unchanged on a server without Blue/Green metadata', () => {
  const logger = new LinesLogger()
  const pool = createPool({
    ...base,
    connectionLimit: 4,
    blueGreen: { bgdId: nextId(), logger, bgBaselineMs: 200 },
  })
  const promisePool = pool.promise()
  beforeAll(async () => {
    await promisePool.query(
      'CREATE TABLE IF NOT EXISTS bg_driver_forms (id INT AUTO_INCREMENT PRIMARY KEY, v INT)',
    )
  })
  afterAll(async () => {
    await promisePool.query('DROP TABLE IF EXISTS bg_driver_forms')
    await promisePool.end()
  })

  it('the module facades are shaped like mysql2 and mysql2/promise', () => {
    expect(mysql2Default).toBe(mysqlModule)
    expect(mysqlModule.createPool).toBe(createPool)
    expect(mysqlModule.format('SELECT ?', [1])).toBe('SELECT 1')
    expect(typeof mysqlModule.escapeId).toBe('function')
    expect(typeof promise.createPool).toBe('function')
  })

  it('pool: callback query/execute, promise query/execute, named placeholders off by default', async () => {
    const viaCallback = await new Promise((resolve, reject) =>
      pool.query('SELECT ? AS x', [1], (err, rows) => (err ? reject(err) : resolve(rows))),
    )
    expect(viaCallback).toEqual([{ x: 1 }])
    const viaExecute = await new Promise((resolve, reject) =>
      pool.execute('SELECT ? AS x', [2], (err, rows) => (err ? reject(err) : resolve(rows))),
    )
    expect(viaExecute).toEqual([{ x: 2 }])
    expect((await promisePool.query('SELECT 3 AS x'))[0]).toEqual([{ x: 3 }])
    expect((await promisePool.execute('SELECT ? AS x', [4]))[0]).toEqual([{ x: 4 }])
    const err: unknown = await promisePool.query('SELECT * FROM no_such_table_here').catch((e: unknown) => e)
    expect((err as { errno?: number }).errno).toBe(1146)
  })

  it('getConnection (callback and promise): a transaction on one connection, streams and events', async () => {
    const connection = await promisePool.getConnection()
    await connection.beginTransaction()
    await connection.query('INSERT INTO bg_driver_forms (v) VALUES (1), (2)')
    const [inside] = await connection.query<RowDataPacket[]>('SELECT count(*) AS n FROM bg_driver_forms')
    expect(inside).toEqual([{ n: 2 }])
    await connection.rollback()
    const [after] = await connection.query<RowDataPacket[]>('SELECT count(*) AS n FROM bg_driver_forms')
    expect(after).toEqual([{ n: 0 }])
    connection.release()
    const streamed = await new Promise<unknown[]>((resolve, reject) =>
      pool.getConnection((err, conn) => {
        if (err) return reject(err)
        const seen: unknown[] = []
        conn
          .query('SELECT 1 AS n UNION ALL SELECT 2')
          .stream()
          .on('data', (r: unknown) => seen.push(r))
          .on('error', reject)
          .on('end', () => {
            conn.release()
            resolve(seen)
          })
      }),
    )
    expect(streamed).toEqual([{ n: 1 }, { n: 2 }])
  })

  it('createConnection: callback and promise APIs, a URI string; the deployment is released on close', async () => {
    const id = nextId()
    const connection = createConnection({ ...base, blueGreen: { bgdId: id, logger: new LinesLogger() } })
    const rows = await new Promise((resolve, reject) =>
      connection.query('SELECT 5 AS x', (err, r) => (err ? reject(err) : resolve(r))),
    )
    expect(rows).toEqual([{ x: 5 }])
    expect(getStatus(id)).toBeDefined()
    await new Promise<void>((resolve) => connection.end(() => resolve()))
    await waitFor(() => getStatus(id) === undefined, 5000, 'release on close')
    const viaPromise = await promise.createConnection({
      ...base,
      blueGreen: { bgdId: nextId(), logger: new LinesLogger() },
    })
    expect((await viaPromise.execute('SELECT ? AS x', [6]))[0]).toEqual([{ x: 6 }])
    await viaPromise.end()
    const viaUri = createConnection('mysql://root@127.0.0.1:3306/test')
    const db = await new Promise((resolve, reject) =>
      viaUri.query('SELECT DATABASE() AS d', (err, r) => (err ? reject(err) : resolve(r))),
    )
    expect(db).toEqual([{ d: 'test' }])
    viaUri.end()
  })

  it('no metadata: NOT_CREATED with exactly one warning, which names the missing table', async () => {
    await waitFor(() => logger.warnings('No Blue/Green metadata').length > 0, 10_000, 'warning')
    await new Promise((resolve) => setTimeout(resolve, 600))
    expect(logger.warnings('No Blue/Green metadata')).toHaveLength(1)
    expect(logger.warnings('No Blue/Green metadata')[0]).toContain('mysql.rds_topology')
  })

  it('Blue/Green keys never reach mysql2 (which warns about unknown options)', async () => {
    const warnings: string[] = []
    const original = console.error
    const originalWarn = console.warn
    console.error = (...args: unknown[]) => void warnings.push(args.join(' '))
    console.warn = console.error
    try {
      const p = createPool({
        ...base,
        bgdId: nextId(),
        bgHighMs: 50,
        lookup: tableLookup({}),
        blueGreen: { logger: new LinesLogger() },
      })
      await p.promise().query('SELECT 1')
      await p.promise().end()
    } finally {
      console.error = original
      console.warn = originalWarn
    }
    expect(warnings.filter((w) => /invalid configuration option/i.test(w))).toEqual([])
  })
})

describe('mysql2: monitor failures never touch user traffic; one monitor pair; clean exit', () => {
  it('a metadata source that throws, and DNS down for the monitor', async () => {
    const broken: MetadataSource = { name: 'broken', connect: () => Promise.reject(new Error('boom')) }
    const asked: string[] = []
    const a = createPool({ ...base, blueGreen: { bgdId: nextId(), metadataSource: broken, bgHighMs: 50 } })
    const b = createPool({
      ...base,
      blueGreen: { bgdId: nextId(), lookup: tableLookup({}, asked), bgHighMs: 50, logger: new LinesLogger() },
    })
    for (let i = 0; i < 5; i++) {
      expect((await a.promise().query('SELECT 1 AS x'))[0]).toEqual([{ x: 1 }])
      expect((await b.promise().query('SELECT 1 AS x'))[0]).toEqual([{ x: 1 }])
    }
    await waitFor(() => asked.includes('127.0.0.1'), 5000, 'the monitor to ask the resolver')
    await Promise.all([a.promise().end(), b.promise().end()])
  })

  it('three pools on one bgdId open the monitoring connections of one deployment', async () => {
    const id = nextId()
    let opened = 0
    const real = mysqlMetadataSource(base)
    const counting: MetadataSource = {
      name: 'counting',
      connect: (target) => {
        opened++
        return real.connect(target)
      },
    }
    const logger = new LinesLogger()
    const make = () => createPool({ ...base, blueGreen: { bgdId: id, logger, metadataSource: counting } })
    const pools = [make(), make(), make()]
    await Promise.all(pools.map((p) => p.promise().query('SELECT 1')))
    await waitFor(() => logger.warnings('No Blue/Green metadata').length > 0, 10_000, 'warning')
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(opened).toBeGreaterThanOrEqual(1)
    expect(opened).toBeLessThanOrEqual(2)
    await Promise.all(pools.map((p) => p.promise().end()))
    expect(getStatus(id)).toBeUndefined()
  })

  it('the process exits by itself after end()', async () => {
    const script = `
      import { createPool } from './integrations/mysql2/index.ts'
      const pool = createPool({ host: '127.0.0.1', user: 'root', database: 'test', blueGreen: { bgHighMs: 50 } })
      await pool.promise().query('SELECT 1')
      await new Promise((r) => setTimeout(r, 300))
      await pool.promise().end()`
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: process.cwd(),
        stdio: ['ignore', 'inherit', 'inherit'],
      })
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
      child.on('exit', (exitCode) => {
        clearTimeout(timer)
        resolve(exitCode)
      })
    })
    expect(code).toBe(0)
  })
})
