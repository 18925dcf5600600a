import mysql from 'mysql2/promise'
import pg from 'pg'
import { DataSource } from 'typeorm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { activeDeployments, getStatus } from '../../core/registry.js'
import { silentLogger } from '../../core/runtime.js'
import { mysqlModule } from '../../integrations/mysql2/index.js'
import { BlueGreenPgPool, pgModule } from '../../integrations/pg/index.js'
import { blueGreenDataSourceOptions } from '../../integrations/typeorm/index.js'
import type { BlueGreenDataSourceInput } from '../../integrations/typeorm/index.js'
import type { Author, Book } from './typeorm/entities.js'
import { AuthorSchema, BookSchema } from './typeorm/entities.js'
import { createTablesMigration } from './typeorm/migrations.js'

/**
 * TypeORM through blueGreenDataSourceOptions on the machine's plain servers (no Blue/Green metadata: the library
 * must be invisible): SQL migrations, repositories, query builder, entity manager, nested transactions and query
 * runners on one connection, streams, and `destroy()` releasing the deployment.
 */
const DB = 'bg_typeorm_compat'

interface Engine {
  readonly name: 'pg' | 'mysql'
  readonly base: BlueGreenDataSourceInput
  readonly connectionId: string
  readonly sleep: string
  readonly driver: object
  admin(sql: string): Promise<void>
  closeAdmin(): Promise<void>
}

function pgEngine(): Engine {
  const admin = new pg.Pool({ host: '127.0.0.1', user: 'postgres', database: 'postgres', max: 1 })
  return {
    name: 'pg',
    base: {
      type: 'postgres',
      host: '127.0.0.1',
      port: 5432,
      username: 'postgres',
      database: DB,
      poolSize: 4,
    },
    connectionId: 'SELECT pg_backend_pid() AS id',
    sleep: 'SELECT pg_sleep(0.005)',
    driver: pgModule,
    admin: async (sql) =>
      void (await admin.query(sql.replace('DROP DATABASE IF EXISTS bg_typeorm_compat', '$& WITH (FORCE)'))),
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
    base: {
      type: 'mariadb',
      host: '127.0.0.1',
      port: 3306,
      username: 'root',
      password: '',
      database: DB,
      poolSize: 4,
    },
    connectionId: 'SELECT CONNECTION_ID() AS id',
    sleep: 'SELECT SLEEP(0.005)',
    driver: mysqlModule,
    admin: async (sql) => void (await admin.query(sql)),
    closeAdmin: () => admin.end(),
  }
}

for (const engine of [pgEngine(), mysqlEngine()]) {
  describe(`TypeORM ${engine.base.type} through blueGreenDataSourceOptions`, () => {
    const bgdId = `typeorm-compat-${engine.name}`
    const options = (id = bgdId, extra?: object) =>
      blueGreenDataSourceOptions({
        ...engine.base,
        entities: [AuthorSchema, BookSchema],
        migrations: [createTablesMigration(engine.name)],
        ...(extra === undefined ? {} : { extra }),
        blueGreen: { bgdId: id, logger: silentLogger },
      })
    let ds: DataSource
    const connectionIdOf = async (run: (sql: string) => Promise<unknown>): Promise<number> =>
      Number(((await run(engine.connectionId)) as { id: number }[])[0]?.id)

    beforeAll(async () => {
      await engine.admin(`DROP DATABASE IF EXISTS ${DB}`)
      await engine.admin(`CREATE DATABASE ${DB}`)
      ds = await new DataSource(options()).initialize()
    })

    afterAll(async () => {
      if (ds.isInitialized) await ds.destroy()
      await engine.admin(`DROP DATABASE IF EXISTS ${DB}`)
      await engine.closeAdmin()
    })

    it('sets the documented driver option and passes the Blue/Green options through extra', () => {
      const built = options(bgdId, { max: 3, blueGreen: { bgHighMs: 60 } })
      expect(built.driver).toBe(engine.driver)
      expect(built.extra).toEqual({ max: 3, blueGreen: { bgHighMs: 60, bgdId, logger: silentLogger } })
      expect(getStatus(bgdId)?.phase).toBe('NOT_CREATED')
      if (engine.name === 'pg') {
        expect((ds.driver as unknown as { master: unknown }).master).toBeInstanceOf(BlueGreenPgPool)
      }
    })

    it('runs SQL migrations once', async () => {
      const applied = await ds.runMigrations()
      expect(applied.map((m) => m.name)).toEqual(['CreateTables1767225600000'])
      expect(await ds.showMigrations()).toBe(false)
      expect(await ds.runMigrations()).toEqual([])
    })

    it('runs repositories, relations, the query builder and the entity manager', async () => {
      const authors = ds.getRepository<Author>(AuthorSchema)
      const ada = await authors.save({ name: 'Ada' })
      await ds.getRepository<Book>(BookSchema).save([
        { title: 'Notes', year: 1843, author: ada },
        { title: 'Letters', year: null, author: ada },
      ])
      await ds
        .createQueryBuilder()
        .update(BookSchema)
        .set({ year: 1842 })
        .where('title = :t', { t: 'Letters' })
        .execute()
      const found = await authors.findOne({
        where: { name: 'Ada' },
        relations: { books: true },
        order: { books: { year: 'ASC' } },
      })
      expect(found?.books?.map((b) => [b.title, b.year])).toEqual([
        ['Letters', 1842],
        ['Notes', 1843],
      ])
      const joined = await ds
        .getRepository<Book>(BookSchema)
        .createQueryBuilder('b')
        .innerJoin('b.author', 'a')
        .where('a.name = :name', { name: 'Ada' })
        .orderBy('b.title')
        .getMany()
      expect(joined.map((b) => b.title)).toEqual(['Letters', 'Notes'])
      expect(await ds.manager.count(BookSchema)).toBe(2)
    })

    it('keeps a transaction and its nested savepoints on one connection', async () => {
      const noise = Promise.all(Array.from({ length: 20 }, () => ds.query(engine.sleep)))
      const ids = await ds.transaction(async (manager) => {
        const seen = [await connectionIdOf((sql) => manager.query(sql))]
        await manager.save(AuthorSchema, { name: 'outer' })
        await manager
          .transaction(async (inner) => {
            await inner.save(AuthorSchema, { name: 'inner-rolled-back' })
            throw new Error('roll back the savepoint')
          })
          .catch(() => undefined)
        await manager.transaction(async (inner) => {
          await inner.save(AuthorSchema, { name: 'inner-kept' })
          seen.push(await connectionIdOf((sql) => inner.query(sql)))
        })
        return seen
      })
      await noise
      await ds
        .transaction(async (manager) => {
          await manager.save(AuthorSchema, { name: 'all-rolled-back' })
          throw new Error('roll back everything')
        })
        .catch(() => undefined)
      expect(new Set(ids).size).toBe(1)
      const names = (await ds.manager.find(AuthorSchema)).map((a) => a.name)
      expect(names).toEqual(expect.arrayContaining(['outer', 'inner-kept']))
      expect(names).not.toContain('inner-rolled-back')
      expect(names).not.toContain('all-rolled-back')
    })

    it('runs query runners: explicit transactions, rollback, streams', async () => {
      const runner = ds.createQueryRunner()
      await runner.connect()
      try {
        const first = await connectionIdOf((sql) => runner.query(sql))
        await runner.startTransaction()
        await runner.manager.save(AuthorSchema, { name: 'runner-rolled-back' })
        expect(await connectionIdOf((sql) => runner.query(sql))).toBe(first)
        await runner.rollbackTransaction()
        expect(await runner.manager.countBy(AuthorSchema, { name: 'runner-rolled-back' })).toBe(0)
        const stream = await runner.stream('SELECT name FROM bg_authors ORDER BY name')
        const streamed: string[] = []
        for await (const row of stream) streamed.push((row as { name: string }).name)
        expect(streamed).toContain('Ada')
      } finally {
        await runner.release()
      }
    })

    it('keeps one deployment per bgdId and releases it on destroy()', async () => {
      const before = activeDeployments()
      const other = await new DataSource(options()).initialize()
      expect(activeDeployments()).toBe(before)
      await other.destroy()
      expect(getStatus(bgdId)).toBeDefined()
      const solo = await new DataSource(options(`${bgdId}-solo`)).initialize()
      await solo.query('SELECT 1')
      expect(getStatus(`${bgdId}-solo`)?.phase).toBe('NOT_CREATED')
      expect(activeDeployments()).toBe(before + 1)
      await solo.destroy()
      expect(getStatus(`${bgdId}-solo`)).toBeUndefined()
      expect(activeDeployments()).toBe(before)
    })
  })
}

describe('blueGreenDataSourceOptions', () => {
  it('refuses MySQL replication, which TypeORM runs on an unrouted pool cluster', () => {
    const replicated = {
      type: 'mysql' as const,
      replication: { master: { host: 'a' }, slaves: [{ host: 'b' }] },
    }
    expect(() => blueGreenDataSourceOptions(replicated)).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG', key: 'replication' }),
    )
  })
})
