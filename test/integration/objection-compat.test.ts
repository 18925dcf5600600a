import knex from 'knex'
import type { Knex } from 'knex'
import { Model, UniqueViolationError } from 'objection'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getStatus } from '../../core/registry.js'
import { silentLogger } from '../../core/runtime.js'
import { AwsBgMysql, AwsBgPg } from '../../integrations/knex/index.js'

/**
 * Objection sits on knex: `Model.knex(knex({ client: AwsBgPg, ... }))` is the whole adoption, with no code of ours
 * in between. On the machine's plain servers (no Blue/Green metadata: the library must be invisible): a knex
 * migration, models with a relation, graph inserts, eager loading, transactions on one connection, and
 * Objection's own error classes (db-errors) around the driver's error.
 */
const DB = 'bg_objection_compat'

class Author extends Model {
  static override tableName = 'bg_obj_authors'
  id!: number
  name!: string
  books?: Book[]
  static override get relationMappings() {
    return {
      books: {
        relation: Model.HasManyRelation,
        modelClass: Book,
        join: { from: 'bg_obj_authors.id', to: 'bg_obj_books.author_id' },
      },
    }
  }
}

class Book extends Model {
  static override tableName = 'bg_obj_books'
  id!: number
  title!: string
  author_id!: number
}

const engines = [
  {
    name: 'pg',
    client: AwsBgPg,
    admin: { host: '127.0.0.1', user: 'postgres', database: 'postgres' },
    connection: { host: '127.0.0.1', user: 'postgres', database: DB },
    drop: `DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`,
    connectionId: 'SELECT pg_backend_pid() AS id',
  },
  {
    name: 'mysql',
    client: AwsBgMysql,
    admin: { host: '127.0.0.1', user: 'root', password: '', database: 'test' },
    connection: { host: '127.0.0.1', user: 'root', password: '', database: DB },
    drop: `DROP DATABASE IF EXISTS ${DB}`,
    connectionId: 'SELECT CONNECTION_ID() AS id',
  },
] as const

const rowsOf = (result: unknown): { id: number }[] =>
  Array.isArray(result) ? (result[0] as { id: number }[]) : (result as { rows: { id: number }[] }).rows

for (const engine of engines) {
  describe(`Objection over knex with ${engine.client.name}`, () => {
    const bgdId = `objection-compat-${engine.name}`
    let admin: Knex
    let db: Knex

    beforeAll(async () => {
      admin = knex({ client: engine.name === 'pg' ? 'pg' : 'mysql2', connection: engine.admin })
      await admin.raw(engine.drop)
      await admin.raw(`CREATE DATABASE ${DB}`)
      db = knex({
        client: engine.client,
        connection: engine.connection,
        pool: { min: 0, max: 3 },
        blueGreen: { bgdId, logger: silentLogger },
      } as Knex.Config)
      Model.knex(db)
    })

    afterAll(async () => {
      await db.destroy()
      await admin.raw(engine.drop)
      await admin.destroy()
    })

    it('runs a knex migration and the models on the routed client', async () => {
      await db.schema.createTable('bg_obj_authors', (t) => {
        t.increments('id')
        t.string('name', 64).notNullable().unique()
      })
      await db.schema.createTable('bg_obj_books', (t) => {
        t.increments('id')
        t.string('title', 64).notNullable()
        t.integer('author_id').unsigned().references('bg_obj_authors.id')
      })
      await Author.query().insertGraph({
        name: 'Ada',
        books: [{ title: 'Notes' }, { title: 'Letters' }],
      } as never)
      await Book.query().patch({ title: 'Letters (2nd ed.)' }).where('title', 'Letters')
      const ada = await Author.query().findOne({ name: 'Ada' }).withGraphFetched('books').throwIfNotFound()
      expect(ada.books?.map((b) => b.title).sort()).toEqual(['Letters (2nd ed.)', 'Notes'])
      expect(await Book.query().delete().where('title', 'Notes')).toBe(1)
      expect(getStatus(bgdId)?.phase).toBe('NOT_CREATED')
    })

    it('keeps Model.transaction on one connection and rolls back a failed one', async () => {
      const ids = await Model.transaction(async (trx) => {
        const first = rowsOf(await trx.raw(engine.connectionId))[0]?.id
        await Author.query(trx).insert({ name: 'committed' })
        return [first, rowsOf(await trx.raw(engine.connectionId))[0]?.id]
      })
      expect(new Set(ids).size).toBe(1)
      const failed = await Author.transaction(async (trx) => {
        await Author.query(trx).insert({ name: 'rolled-back' })
        throw new Error('roll back')
      }).catch((e: unknown) => e)
      expect((failed as Error).message).toBe('roll back')
      const names = (await Author.query()).map((a) => a.name)
      expect(names).toContain('committed')
      expect(names).not.toContain('rolled-back')
    })

    it("maps the driver's error to Objection's own classes", async () => {
      const err: unknown = await Author.query()
        .insert({ name: 'Ada' })
        .catch((e: unknown) => e)
      expect(err).toBeInstanceOf(UniqueViolationError)
      const violation = err as InstanceType<typeof UniqueViolationError>
      expect((violation as unknown as { client: string }).client).toBe(
        engine.name === 'pg' ? 'postgres' : 'mysql',
      )
      const nativeError = violation.nativeError as { code?: unknown; errno?: unknown }
      if (engine.name === 'pg') expect(nativeError.code).toBe('23505')
      else expect(nativeError.errno).toBe(1062)
    })
  })
}
