import type { Generated } from 'kysely'
import { Kysely, sql } from 'kysely'
import type { Migration } from 'kysely/migration'
import { Migrator } from 'kysely/migration'
import mysql from 'mysql2/promise'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isBlueGreenError } from '../../core/errors.js'
import { getStatus } from '../../core/registry.js'
import { silentLogger } from '../../core/runtime.js'
import { blueGreenMysqlDialect, blueGreenPostgresDialect } from '../../integrations/kysely/index.js'
import type { BlueGreenPgPool } from '../../integrations/pg/index.js'
import { BLUE, GREEN, tableLookup, waitFor } from './helpers/names.js'
import { RowsSource } from './helpers/rows-source.js'

/**
 * Kysely through blueGreenPostgresDialect / blueGreenMysqlDialect on the machine's plain servers (no Blue/Green
 * metadata: the library must be invisible): a Migrator migration, CRUD, transactions on one connection, the
 * driver's own errors, `destroy()` releasing the deployment, and a held statement failing with our typed error.
 */
const DB = 'bg_kysely_compat'

interface Database {
  bg_kysely_authors: { id: Generated<number>; name: string }
}

interface Engine {
  readonly name: 'pg' | 'mysql'
  readonly port: number
  readonly connectionId: string
  dialect(bgdId: string, host?: string, extra?: Record<string, unknown>): Kysely<Database>
  admin(sql: string): Promise<void>
  closeAdmin(): Promise<void>
}

const lookup = tableLookup({ [BLUE.toLowerCase()]: '127.0.0.1', [GREEN.toLowerCase()]: '127.0.0.1' })

function pgEngine(): Engine {
  const admin = new pg.Pool({ host: '127.0.0.1', user: 'postgres', database: 'postgres', max: 1 })
  return {
    name: 'pg',
    port: 5432,
    connectionId: 'SELECT pg_backend_pid() AS id',
    dialect: (bgdId, host = '127.0.0.1', extra = {}) =>
      new Kysely<Database>({
        dialect: blueGreenPostgresDialect({
          connection: { host, port: 5432, user: 'postgres', database: DB, max: 3 },
          blueGreen: { bgdId, logger: silentLogger, ...extra },
        }),
      }),
    admin: async (q) => void (await admin.query(q.replace(/DROP DATABASE IF EXISTS \w+/, '$& WITH (FORCE)'))),
    closeAdmin: () => admin.end(),
  }
}

function mysqlEngine(): Engine {
  const admin = mysql.createPool({
    host: '127.0.0.1',
    user: 'root',
    password: '',
    database: 'test',
    connectionLimit: 1,
  })
  return {
    name: 'mysql',
    port: 3306,
    connectionId: 'SELECT CONNECTION_ID() AS id',
    dialect: (bgdId, host = '127.0.0.1', extra = {}) =>
      new Kysely<Database>({
        dialect: blueGreenMysqlDialect({
          connection: { host, port: 3306, user: 'root', password: '', database: DB, connectionLimit: 3 },
          blueGreen: { bgdId, logger: silentLogger, ...extra },
        }),
      }),
    admin: async (q) => void (await admin.query(q)),
    closeAdmin: () => admin.end(),
  }
}

const createAuthors: Migration = {
  up: async (db) => {
    await db.schema
      .createTable('bg_kysely_authors')
      .addColumn('id', 'serial', (c) => c.primaryKey())
      .addColumn('name', 'varchar(64)', (c) => c.notNull().unique())
      .execute()
  },
  down: async (db) => {
    await db.schema.dropTable('bg_kysely_authors').execute()
  },
}

for (const engine of [pgEngine(), mysqlEngine()]) {
  describe(`Kysely ${engine.name} through the Blue/Green dialect`, () => {
    const bgdId = `kysely-compat-${engine.name}`
    let db: Kysely<Database>
    const connectionIdOf = async (q: Kysely<Database>): Promise<number> =>
      Number((await sql<{ id: number }>`${sql.raw(engine.connectionId)}`.execute(q)).rows[0]?.id)

    beforeAll(async () => {
      await engine.admin(`DROP DATABASE IF EXISTS ${DB}`)
      await engine.admin(`CREATE DATABASE ${DB}`)
      db = engine.dialect(bgdId)
    })

    afterAll(async () => {
      await db.destroy()
      await engine.admin(`DROP DATABASE IF EXISTS ${DB}`)
      await engine.closeAdmin()
    })

    it('runs a Migrator migration up, once, and down', async () => {
      const migrator = new Migrator({
        db,
        provider: { getMigrations: async () => ({ '0001_authors': createAuthors }) },
      })
      const up = await migrator.migrateToLatest()
      expect(up.error).toBeUndefined()
      expect(up.results?.map((r) => [r.migrationName, r.status])).toEqual([['0001_authors', 'Success']])
      expect((await migrator.migrateToLatest()).results).toEqual([])
      const down = await migrator.migrateDown()
      expect(down.results?.map((r) => [r.migrationName, r.direction])).toEqual([['0001_authors', 'Down']])
      expect((await migrator.migrateToLatest()).error).toBeUndefined()
      expect(getStatus(bgdId)?.phase).toBe('NOT_CREATED')
    })

    it('runs CRUD through the query builder', async () => {
      await db
        .insertInto('bg_kysely_authors')
        .values([{ name: 'Ada' }, { name: 'Grace' }])
        .execute()
      await db
        .updateTable('bg_kysely_authors')
        .set({ name: 'Grace H.' })
        .where('name', '=', 'Grace')
        .execute()
      const names = await db.selectFrom('bg_kysely_authors').select('name').orderBy('name').execute()
      expect(names.map((r) => r.name)).toEqual(['Ada', 'Grace H.'])
      await db.deleteFrom('bg_kysely_authors').where('name', '=', 'Grace H.').execute()
      const { n } = await db
        .selectFrom('bg_kysely_authors')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
      expect(Number(n)).toBe(1)
    })

    it('keeps a transaction on one connection, commits it, and rolls back a failed one', async () => {
      const noise = Promise.all(Array.from({ length: 10 }, () => sql`SELECT 1`.execute(db)))
      const ids = await db.transaction().execute(async (trx) => {
        const first = await connectionIdOf(trx)
        await trx.insertInto('bg_kysely_authors').values({ name: 'committed' }).execute()
        return [first, await connectionIdOf(trx)]
      })
      await noise
      expect(new Set(ids).size).toBe(1)
      const failed = await db
        .transaction()
        .execute(async (trx) => {
          await trx.insertInto('bg_kysely_authors').values({ name: 'rolled-back' }).execute()
          throw new Error('roll back')
        })
        .catch((e: unknown) => e)
      expect((failed as Error).message).toBe('roll back')
      const names = (await db.selectFrom('bg_kysely_authors').select('name').execute()).map((r) => r.name)
      expect(names).toContain('committed')
      expect(names).not.toContain('rolled-back')
    })

    it("surfaces the driver's own errors", async () => {
      const err = (await db
        .insertInto('bg_kysely_authors')
        .values({ name: 'Ada' })
        .execute()
        .catch((e: unknown) => e)) as { code?: unknown; errno?: unknown }
      if (engine.name === 'pg') {
        expect(err).toBeInstanceOf(pg.DatabaseError)
        expect(err.code).toBe('23505')
      } else expect(err.errno).toBe(1062)
    })

    it('releases the deployment on destroy()', async () => {
      const solo = engine.dialect(`${bgdId}-solo`)
      await sql`SELECT 1`.execute(solo)
      expect(getStatus(`${bgdId}-solo`)?.phase).toBe('NOT_CREATED')
      await solo.destroy()
      expect(getStatus(`${bgdId}-solo`)).toBeUndefined()
    })

    it('a statement the library holds past bgConnectTimeoutMs fails with its typed error', async () => {
      const source = new RowsSource(BLUE, GREEN, engine.port)
      source.setPhase('CREATED')
      const id = `${bgdId}-held`
      const held = engine.dialect(id, BLUE, {
        metadataSource: source,
        lookup,
        bgConnectTimeoutMs: 300,
        bgBaselineMs: 50,
      })
      try {
        await sql`SELECT 1`.execute(held)
        await waitFor(() => getStatus(id)?.phase === 'CREATED', 5000, 'CREATED')
        source.setPhase('IN_PROGRESS')
        await waitFor(() => getStatus(id)?.phase === 'IN_PROGRESS', 5000, 'IN_PROGRESS')
        const err: unknown = await sql`SELECT 1`.execute(held).catch((e: unknown) => e)
        expect(isBlueGreenError(err) && err.code).toBe('SWITCHOVER_TIMEOUT')
      } finally {
        await held.destroy()
      }
    })
  })
}

describe('Blue/Green Kysely dialects', () => {
  it('refuse a pool that is not a routed one, naming the key', () => {
    expect(() => blueGreenPostgresDialect({ pool: new pg.Pool() as unknown as BlueGreenPgPool })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG', key: 'pool' }),
    )
    const promisePool = mysql.createPool({ host: '127.0.0.1' })
    try {
      expect(() => blueGreenMysqlDialect({ pool: promisePool as never })).toThrow(
        expect.objectContaining({ code: 'INVALID_CONFIG', key: 'pool' }),
      )
    } finally {
      void promisePool.end()
    }
  })
})
