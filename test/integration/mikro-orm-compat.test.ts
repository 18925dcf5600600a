import type { EntityManager } from '@mikro-orm/core'
import { EntitySchema, MikroORM, UniqueConstraintViolationException } from '@mikro-orm/core'
import { PostgreSqlDriver } from '@mikro-orm/postgresql'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getStatus } from '../../core/registry.js'
import { silentLogger } from '../../core/runtime.js'
import { blueGreenPgDriverOptions } from '../../integrations/mikro-orm/index.js'
import { BlueGreenPgClient } from '../../integrations/pg/index.js'

/**
 * MikroORM 6.6 (@mikro-orm/postgresql) with `driverOptions: blueGreenPgDriverOptions(...)` on the machine's plain
 * PostgreSQL (no Blue/Green metadata: the library must be invisible): the schema generator (create, then update
 * for a new column), the entity manager and unit of work, `em.transactional` on one connection, and MikroORM's
 * own exception classes; every physical connection is a routed `BlueGreenPgClient`.
 */
const DB = 'bg_mikro_orm_compat'
const bgdId = 'mikro-orm-compat'

interface Author {
  id: number
  name: string
  born?: number | null
}
const fields = {
  id: { type: 'number', primary: true, autoincrement: true },
  name: { type: 'string', unique: true, length: 64 },
} as const
const AuthorV1 = new EntitySchema<Omit<Author, 'born'>>({
  name: 'Author',
  tableName: 'bg_mikro_authors',
  properties: fields,
})
const AuthorV2 = new EntitySchema<Author>({
  name: 'Author',
  tableName: 'bg_mikro_authors',
  properties: { ...fields, born: { type: 'number', nullable: true } },
})

const init = (schema: EntitySchema<Author> | EntitySchema<Omit<Author, 'born'>>): Promise<MikroORM> =>
  MikroORM.init({
    driver: PostgreSqlDriver,
    host: '127.0.0.1',
    port: 5432,
    user: 'postgres',
    dbName: DB,
    entities: [schema],
    pool: { min: 0, max: 3 },
    driverOptions: blueGreenPgDriverOptions({ bgdId, logger: silentLogger }),
    discovery: { warnWhenNoEntities: false },
  })

const admin = new pg.Pool({ host: '127.0.0.1', user: 'postgres', database: 'postgres', max: 1 })
let orm: MikroORM
// A raw execute joins the transaction only when given its context (without it MikroORM takes any pooled connection).
const backendPid = async (em: EntityManager): Promise<number> =>
  Number(
    (
      (await em
        .getConnection()
        .execute('SELECT pg_backend_pid() AS id', [], 'all', em.getTransactionContext())) as { id: number }[]
    )[0]?.id,
  )

beforeAll(async () => {
  await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`)
  await admin.query(`CREATE DATABASE ${DB}`)
  orm = await init(AuthorV1)
})

afterAll(async () => {
  await orm.close()
  await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`)
  await admin.end()
})

describe('MikroORM over the routed pg driver', () => {
  it('creates the schema, then updates it for a new column, on routed connections', async () => {
    await orm.schema.createSchema()
    const knex = (
      orm.em.getConnection() as unknown as {
        getKnex(): { client: { acquireRawConnection(): Promise<unknown> } }
      }
    ).getKnex()
    const raw = await knex.client.acquireRawConnection()
    expect(raw).toBeInstanceOf(BlueGreenPgClient)
    await (raw as BlueGreenPgClient).end()
    expect(getStatus(bgdId)?.phase).toBe('NOT_CREATED')
    await orm.close()
    orm = await init(AuthorV2)
    const diff = await orm.schema.getUpdateSchemaSQL()
    expect(diff).toContain('add column "born" int null')
    await orm.schema.updateSchema()
    expect(await orm.schema.getUpdateSchemaSQL()).toBe('')
  })

  it('runs the entity manager: persist, flush, find, update, remove', async () => {
    const em = orm.em.fork()
    em.persist([em.create(AuthorV2, { name: 'Ada', born: 1815 }), em.create(AuthorV2, { name: 'Grace' })])
    await em.flush()
    const grace = await em.findOneOrFail(AuthorV2, { name: 'Grace' })
    grace.born = 1906
    await em.flush()
    const check = orm.em.fork()
    expect(
      (await check.find(AuthorV2, {}, { orderBy: { name: 'asc' } })).map((a) => [a.name, a.born]),
    ).toEqual([
      ['Ada', 1815],
      ['Grace', 1906],
    ])
    check.remove(await check.findOneOrFail(AuthorV2, { name: 'Grace' }))
    await check.flush()
    expect(await orm.em.fork().count(AuthorV2)).toBe(1)
  })

  it('keeps em.transactional on one connection and rolls back a failed one', async () => {
    const noise = Promise.all(
      Array.from({ length: 10 }, () => orm.em.fork().getConnection().execute('SELECT 1')),
    )
    const pids = await orm.em.fork().transactional(async (em) => {
      const first = await backendPid(em)
      em.persist(em.create(AuthorV2, { name: 'committed' }))
      await em.flush()
      return [first, await backendPid(em)]
    })
    await noise
    expect(new Set(pids).size).toBe(1)
    const failed = await orm.em
      .fork()
      .transactional(async (em) => {
        em.persist(em.create(AuthorV2, { name: 'rolled-back' }))
        await em.flush()
        throw new Error('roll back')
      })
      .catch((e: unknown) => e)
    expect((failed as Error).message).toBe('roll back')
    const names = (await orm.em.fork().find(AuthorV2, {})).map((a) => a.name)
    expect(names).toContain('committed')
    expect(names).not.toContain('rolled-back')
  })

  it("surfaces the driver's error in MikroORM's exception classes", async () => {
    const err: unknown = await orm.em
      .fork()
      .insert(AuthorV2, { name: 'Ada' })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(UniqueConstraintViolationException)
    expect((err as { code?: unknown }).code).toBe('23505')
  })
})
