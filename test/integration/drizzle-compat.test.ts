import { asc, eq, sql } from 'drizzle-orm'
import { migrate as migrateMysql } from 'drizzle-orm/mysql2/migrator'
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator'
import mysql from 'mysql2/promise'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isBlueGreenError } from '../../core/errors.js'
import { activeDeployments, getStatus } from '../../core/registry.js'
import { silentLogger } from '../../core/runtime.js'
import { drizzleMysql, drizzlePg } from '../../integrations/drizzle/index.js'
import type { BlueGreenMysqlDatabase, BlueGreenNodePgDatabase } from '../../integrations/drizzle/index.js'
import { createPool } from '../../integrations/mysql2/index.js'
import { BlueGreenPgPool } from '../../integrations/pg/index.js'
import * as mySchema from './drizzle/schema-mysql.js'
import * as pgSchema from './drizzle/schema-pg.js'

/**
 * Drizzle through drizzlePg / drizzleMysql on the machine's plain servers (no Blue/Green metadata: the library must
 * be invisible): migrator, query builder, relational queries, nested transactions on one connection, prepared
 * statements, the `client` form, and `$client.end()` releasing the deployment.
 */
const DB = 'bg_drizzle_compat'
const PG = { host: '127.0.0.1', port: 5432, user: 'postgres', database: DB }
const MY = { host: '127.0.0.1', port: 3306, user: 'root', password: '', database: DB }
const bg = (bgdId: string) => ({ bgdId, logger: silentLogger })
const waitFor = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 50 && !check(); i++) await new Promise((r) => setTimeout(r, 20))
}

describe('drizzlePg', () => {
  const admin = new pg.Pool({ ...PG, database: 'postgres' })
  let db: BlueGreenNodePgDatabase<typeof pgSchema>

  beforeAll(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`)
    await admin.query(`CREATE DATABASE ${DB}`)
    db = drizzlePg({ connection: { ...PG, max: 4, blueGreen: bg('drizzle-pg') }, schema: pgSchema })
  })

  afterAll(async () => {
    await db.$client.end()
    await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`)
    await admin.end()
  })

  it('runs hand-written drizzle-kit migrations once', async () => {
    const folder = 'test/integration/drizzle/pg-migrations'
    await migratePg(db, { migrationsFolder: folder })
    await migratePg(db, { migrationsFolder: folder })
    const applied = await db.execute<{ n: string }>(
      sql`SELECT count(*) AS n FROM drizzle.__drizzle_migrations`,
    )
    expect(Number(applied.rows[0]?.n)).toBe(2)
    expect(db.$client).toBeInstanceOf(BlueGreenPgPool)
    expect(getStatus('drizzle-pg')?.phase).toBe('NOT_CREATED')
  })

  it('runs the query builder and relational queries', async () => {
    const [ada] = await db.insert(pgSchema.authors).values({ name: 'Ada' }).returning()
    await db.insert(pgSchema.books).values([
      { authorId: ada?.id ?? 0, title: 'Notes', year: 1843 },
      { authorId: ada?.id ?? 0, title: 'Letters' },
    ])
    await db.update(pgSchema.books).set({ year: 1842 }).where(eq(pgSchema.books.title, 'Letters'))
    const found = await db.query.authors.findFirst({
      where: eq(pgSchema.authors.name, 'Ada'),
      with: { books: { orderBy: asc(pgSchema.books.year) } },
    })
    expect(found?.books.map((b) => [b.title, b.year])).toEqual([
      ['Letters', 1842],
      ['Notes', 1843],
    ])
  })

  it('keeps a transaction and its savepoints on one connection', async () => {
    const pid = sql<number>`pg_backend_pid()`
    const noise = Promise.all(Array.from({ length: 20 }, () => db.execute(sql`SELECT pg_sleep(0.005)`)))
    const pids = await db.transaction(async (tx) => {
      const seen = [(await tx.select({ pid }).from(pgSchema.authors).limit(1))[0]?.pid]
      await tx.insert(pgSchema.authors).values({ name: 'outer' })
      await tx
        .transaction(async (inner) => {
          await inner.insert(pgSchema.authors).values({ name: 'inner-rolled-back' })
          inner.rollback()
        })
        .catch(() => undefined)
      await tx.transaction(async (inner) => {
        await inner.insert(pgSchema.authors).values({ name: 'inner-kept' })
        seen.push((await inner.execute<{ pid: number }>(sql`SELECT pg_backend_pid() AS pid`)).rows[0]?.pid)
      })
      return seen
    })
    await noise
    await db
      .transaction(async (tx) => {
        await tx.insert(pgSchema.authors).values({ name: 'all-rolled-back' })
        throw new Error('roll back everything')
      })
      .catch(() => undefined)
    expect(new Set(pids).size).toBe(1)
    const names = (await db.select({ name: pgSchema.authors.name }).from(pgSchema.authors)).map((r) => r.name)
    expect(names).toEqual(expect.arrayContaining(['outer', 'inner-kept']))
    expect(names).not.toContain('inner-rolled-back')
    expect(names).not.toContain('all-rolled-back')
  })

  it('runs named prepared statements with placeholders', async () => {
    const byName = db
      .select({ id: pgSchema.authors.id })
      .from(pgSchema.authors)
      .where(eq(pgSchema.authors.name, sql.placeholder('name')))
      .prepare('bg_author_by_name')
    expect(await byName.execute({ name: 'Ada' })).toHaveLength(1)
    expect(await byName.execute({ name: 'nobody' })).toHaveLength(0)
  })

  it('survives a connection reset inside a transaction, even before BEGIN, without leaking the slot', async () => {
    const small = drizzlePg({
      connection: { ...PG, max: 1, connectionTimeoutMillis: 3000, blueGreen: bg('drizzle-pg') },
    })
    await small.execute(sql`SELECT 1`)
    const cut = (client: pg.PoolClient): void =>
      (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy()
    small.$client.once('acquire', cut)
    await expect(small.transaction(async (tx) => tx.execute(sql`SELECT 1`))).rejects.toThrow()
    const midway = small.transaction(async (tx) => {
      const [{ pid } = { pid: 0 }] = (await tx.execute<{ pid: number }>(sql`SELECT pg_backend_pid() AS pid`))
        .rows
      await admin.query('SELECT pg_terminate_backend($1)', [pid])
      await tx.execute(sql`SELECT pg_sleep(0.2)`)
    })
    await expect(midway).rejects.toThrow()
    expect((await small.execute<{ one: number }>(sql`SELECT 1 AS one`)).rows[0]?.one).toBe(1)
    expect(small.$client.totalCount).toBe(1)
    await small.$client.end()
  })

  it('takes an existing routed pool, refuses a plain one, and releases the deployment on $client.end()', async () => {
    const before = activeDeployments()
    const pool = new BlueGreenPgPool({ ...PG, max: 2, blueGreen: bg('drizzle-pg-own') })
    const own = drizzlePg({ client: pool, schema: pgSchema })
    expect(own.$client).toBe(pool)
    expect(await own.$count(pgSchema.authors)).toBeGreaterThan(0)
    expect(getStatus('drizzle-pg-own')).toBeDefined()
    expect(activeDeployments()).toBe(before + 1)
    await own.$client.end()
    expect(getStatus('drizzle-pg-own')).toBeUndefined()
    expect(activeDeployments()).toBe(before)
    const plain = new pg.Pool(PG)
    expect(() => drizzlePg({ client: plain as BlueGreenPgPool })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG', key: 'client' }),
    )
    await plain.end()
  })
})

describe('drizzleMysql', () => {
  let admin: mysql.Connection
  let db: BlueGreenMysqlDatabase<typeof mySchema>

  beforeAll(async () => {
    admin = await mysql.createConnection({ ...MY, database: 'test' })
    await admin.query(`DROP DATABASE IF EXISTS ${DB}`)
    await admin.query(`CREATE DATABASE ${DB}`)
    db = drizzleMysql({
      connection: { ...MY, connectionLimit: 4, blueGreen: bg('drizzle-mysql') },
      schema: mySchema,
    })
  })

  afterAll(async () => {
    await db.$client.end()
    await admin.query(`DROP DATABASE IF EXISTS ${DB}`)
    await admin.end()
  })

  it('runs hand-written drizzle-kit migrations once', async () => {
    const folder = 'test/integration/drizzle/mysql-migrations'
    await migrateMysql(db, { migrationsFolder: folder })
    await migrateMysql(db, { migrationsFolder: folder })
    const [rows] = (await db.execute(sql`SELECT count(*) AS n FROM __drizzle_migrations`)) as unknown as [
      { n: number }[],
    ]
    expect(Number(rows[0]?.n)).toBe(2)
    expect(getStatus('drizzle-mysql')?.phase).toBe('NOT_CREATED')
  })

  it('runs the query builder and relational queries', async () => {
    const [ada] = await db.insert(mySchema.authors).values({ name: 'Ada' }).$returningId()
    const id = ada?.id ?? 0
    await db.insert(mySchema.books).values([
      { authorId: id, title: 'Notes', year: 1843 },
      { authorId: id, title: 'Letters' },
    ])
    await db.update(mySchema.books).set({ year: 1842 }).where(eq(mySchema.books.title, 'Letters'))
    // MariaDB cannot correlate into derived tables, which Drizzle's `with` needs (MySQL 8 / Aurora MySQL can).
    const found = await db.query.authors.findFirst({ where: eq(mySchema.authors.name, 'Ada') })
    const titles = await db.query.books.findMany({
      where: eq(mySchema.books.authorId, found?.id ?? -1),
      orderBy: asc(mySchema.books.year),
      columns: { title: true, year: true },
    })
    expect(titles).toEqual([
      { title: 'Letters', year: 1842 },
      { title: 'Notes', year: 1843 },
    ])
  })

  it('keeps a transaction and its savepoints on one connection', async () => {
    const connectionId = async (run: (q: ReturnType<typeof sql>) => Promise<unknown>): Promise<number> => {
      const [rows] = (await run(sql`SELECT CONNECTION_ID() AS id`)) as [{ id: number }[]]
      return Number(rows[0]?.id)
    }
    const noise = Promise.all(Array.from({ length: 20 }, () => db.execute(sql`SELECT SLEEP(0.005)`)))
    const ids = await db.transaction(async (tx) => {
      const seen = [await connectionId((q) => tx.execute(q))]
      await tx.insert(mySchema.authors).values({ name: 'outer' })
      await tx
        .transaction(async (inner) => {
          await inner.insert(mySchema.authors).values({ name: 'inner-rolled-back' })
          inner.rollback()
        })
        .catch(() => undefined)
      await tx.transaction(async (inner) => {
        await inner.insert(mySchema.authors).values({ name: 'inner-kept' })
        seen.push(await connectionId((q) => inner.execute(q)))
      })
      return seen
    })
    await noise
    await db
      .transaction(async (tx) => {
        await tx.insert(mySchema.authors).values({ name: 'all-rolled-back' })
        throw new Error('roll back everything')
      })
      .catch(() => undefined)
    expect(new Set(ids).size).toBe(1)
    const names = (await db.select({ name: mySchema.authors.name }).from(mySchema.authors)).map((r) => r.name)
    expect(names).toEqual(expect.arrayContaining(['outer', 'inner-kept']))
    expect(names).not.toContain('inner-rolled-back')
    expect(names).not.toContain('all-rolled-back')
  })

  it('runs prepared statements with placeholders', async () => {
    const byName = db
      .select({ id: mySchema.authors.id })
      .from(mySchema.authors)
      .where(eq(mySchema.authors.name, sql.placeholder('name')))
      .prepare()
    expect(await byName.execute({ name: 'Ada' })).toHaveLength(1)
    expect(await byName.execute({ name: 'nobody' })).toHaveLength(0)
  })

  it('takes a routed pool in either form, refuses a non-pool, and releases the deployment on $client.end()', async () => {
    const before = activeDeployments()
    const callbackPool = createPool({ ...MY, connectionLimit: 2, blueGreen: bg('drizzle-mysql-own') })
    const own = drizzleMysql({ client: callbackPool, schema: mySchema })
    // A schema without `mode`: the mode defaults to 'default' instead of Drizzle's error.
    const again = drizzleMysql({ client: callbackPool.promise(), schema: mySchema })
    expect(await own.$count(mySchema.authors)).toBeGreaterThan(0)
    expect(await again.$count(mySchema.authors)).toBeGreaterThan(0)
    expect(activeDeployments()).toBe(before + 1)
    await own.$client.end()
    await waitFor(() => getStatus('drizzle-mysql-own') === undefined)
    expect(getStatus('drizzle-mysql-own')).toBeUndefined()
    expect(activeDeployments()).toBe(before)
    let refused: unknown
    try {
      drizzleMysql({ client: {} as mysql.Pool })
    } catch (err) {
      refused = err
    }
    expect(isBlueGreenError(refused) && refused.code).toBe('INVALID_CONFIG')
  })
})
