import { once } from 'node:events'
import type { Knex } from 'knex'
import knex from 'knex'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { activeDeployments, getStatus } from '../../core/registry.js'
import { silentLogger } from '../../core/runtime.js'
import { AwsBgMysql, AwsBgPg } from '../../integrations/knex/index.js'
import type { BlueGreenKnexConfig } from '../../integrations/knex/index.js'

/**
 * Everything knex does keeps working through AwsBgPg and AwsBgMysql, on the machine's plain servers (no Blue/Green
 * metadata: the library must be invisible).
 */
const engines = [
  {
    name: 'pg',
    client: AwsBgPg,
    admin: { host: '127.0.0.1', user: 'postgres', database: 'postgres' },
    connection: { host: '127.0.0.1', user: 'postgres', database: 'bg_knex_compat' },
    create: 'CREATE DATABASE bg_knex_compat',
    drop: 'DROP DATABASE IF EXISTS bg_knex_compat WITH (FORCE)',
  },
  {
    name: 'mysql',
    client: AwsBgMysql,
    admin: { host: '127.0.0.1', user: 'root', password: '', database: 'test' },
    connection: { host: '127.0.0.1', user: 'root', password: '', database: 'bg_knex_compat' },
    create: 'CREATE DATABASE bg_knex_compat',
    drop: 'DROP DATABASE IF EXISTS bg_knex_compat',
  },
] as const

const fixtures = 'test/integration/knex-fixtures'

for (const engine of engines) {
  describe(`knex ${engine.name} through ${engine.client.name}`, () => {
    let admin: Knex
    let db: Knex
    const bgdId = `knex-compat-${engine.name}`
    const config = (extra: Partial<Knex.Config> = {}): Knex.Config & { blueGreen: object } => ({
      client: engine.client,
      connection: { ...engine.connection },
      pool: { min: 0, max: 4 },
      blueGreen: { bgdId, logger: silentLogger },
      ...extra,
    })

    beforeAll(async () => {
      const adminConfig: BlueGreenKnexConfig = {
        client: engine.client,
        connection: engine.admin,
        blueGreen: { bgdId: `${bgdId}-admin`, logger: silentLogger },
      }
      admin = knex(adminConfig)
      await admin.raw(engine.drop)
      await admin.raw(engine.create)
      db = knex(config())
    })

    afterAll(async () => {
      await db.destroy()
      await admin.raw(engine.drop)
      await admin.destroy()
    })

    it('runs migrations and seeds', async () => {
      const [, applied] = (await db.migrate.latest({
        directory: `${fixtures}/migrations`,
        loadExtensions: ['.cjs'],
      })) as [number, string[]]
      expect(applied).toEqual(['20260101000000_create_items.cjs'])
      await db.seed.run({ directory: `${fixtures}/seeds`, loadExtensions: ['.cjs'] })
      expect(await db('bg_knex_items').count({ n: '*' }).first()).toMatchObject({ n: expect.anything() })
      expect(Number((await db('bg_knex_items').count({ n: '*' }).first())?.['n'])).toBe(2)
    })

    it('runs the query builder and raw queries', async () => {
      await db('bg_knex_items').insert({ name: 'plum', qty: 7 })
      await db('bg_knex_items').where({ name: 'apple' }).update({ qty: 4 })
      const rows = await db('bg_knex_items').select('name', 'qty').orderBy('name')
      expect(rows).toEqual([
        { name: 'apple', qty: 4 },
        { name: 'pear', qty: 5 },
        { name: 'plum', qty: 7 },
      ])
      const raw = await db.raw('SELECT ? AS v', ['x'])
      expect(JSON.stringify(raw)).toContain('"v":"x"')
    })

    it('runs transactions with nested savepoints, committing and rolling back', async () => {
      await db.transaction(async (trx) => {
        await trx('bg_knex_items').insert({ name: 'outer', qty: 1 })
        await trx
          .transaction(async (inner) => {
            await inner('bg_knex_items').insert({ name: 'inner-rolled-back', qty: 1 })
            throw new Error('roll back the savepoint')
          })
          .catch(() => undefined)
        await trx.transaction(async (inner) => {
          await inner('bg_knex_items').insert({ name: 'inner-kept', qty: 1 })
        })
      })
      await db
        .transaction(async (trx) => {
          await trx('bg_knex_items').insert({ name: 'all-rolled-back', qty: 1 })
          throw new Error('roll back everything')
        })
        .catch(() => undefined)
      const names = (await db('bg_knex_items').pluck('name')) as string[]
      expect(names).toEqual(expect.arrayContaining(['outer', 'inner-kept']))
      expect(names).not.toContain('inner-rolled-back')
      expect(names).not.toContain('all-rolled-back')
    })

    it('streams rows', async () => {
      const stream = db('bg_knex_items').select('name').orderBy('name').stream()
      const names: string[] = []
      for await (const row of stream) names.push((row as { name: string }).name)
      expect(names.length).toBeGreaterThanOrEqual(5)
    })

    it('emits query events and honours pool options', async () => {
      const seen: string[] = []
      const onQuery = (q: { sql: string }): void => void seen.push(q.sql)
      db.on('query', onQuery)
      await Promise.all(Array.from({ length: 10 }, () => db.raw('SELECT 1')))
      db.off('query', onQuery)
      expect(seen).toHaveLength(10)
      const pool = db.client.pool as { numUsed(): number; numFree(): number; max: number }
      expect(pool.max).toBe(4)
      expect(pool.numUsed() + pool.numFree()).toBeLessThanOrEqual(4)
    })

    it('accepts an async connection function', async () => {
      const dynamic = knex(config({ connection: async () => ({ ...engine.connection }) }))
      try {
        expect(JSON.stringify(await dynamic.raw('SELECT 1 AS one'))).toContain('"one":1')
      } finally {
        await dynamic.destroy()
      }
    })

    it('keeps one deployment per bgdId and releases it on destroy()', async () => {
      const other = knex(config())
      await other.raw('SELECT 1')
      expect(getStatus(bgdId)?.phase).toBe('NOT_CREATED')
      const before = activeDeployments()
      await other.destroy()
      expect(activeDeployments()).toBe(before)
      const solo = knex(
        config({ blueGreen: { bgdId: `${bgdId}-solo`, logger: silentLogger } } as Partial<Knex.Config>),
      )
      await solo.raw('SELECT 1')
      expect(getStatus(`${bgdId}-solo`)).toBeDefined()
      await solo.destroy()
      // Standalone driver connections may linger briefly after knex closed them.
      for (let i = 0; i < 100 && getStatus(`${bgdId}-solo`) !== undefined; i++)
        await new Promise((r) => setTimeout(r, 100))
      expect(getStatus(`${bgdId}-solo`)).toBeUndefined()
    })
  })
}

describe('process lifetime', () => {
  it('a knex instance destroyed at the end lets the process exit', async () => {
    const { spawn } = await import('node:child_process')
    const child = spawn(
      'npx',
      [
        'tsx',
        '--input-type=module',
        '-e',
        `
      import knex from 'knex'
      import { AwsBgPg } from './integrations/knex/index.ts'
      const db = knex({ client: AwsBgPg, connection: { host: '127.0.0.1', user: 'postgres', database: 'postgres' }, blueGreen: { bgdId: 'exit' } })
      await db.raw('SELECT 1')
      await db.destroy()
      console.log('done')
    `,
      ],
      { stdio: 'pipe' },
    )
    const started = Date.now()
    const [code] = (await once(child, 'exit')) as [number]
    expect(code).toBe(0)
    expect(Date.now() - started).toBeLessThan(20_000)
  })
})
