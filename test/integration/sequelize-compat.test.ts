import mysql from 'mysql2/promise'
import pg from 'pg'
import type { ModelStatic, Model, Options, Transaction } from 'sequelize'
import { BaseError, DataTypes, DatabaseError, QueryTypes, Sequelize, UniqueConstraintError } from 'sequelize'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isBlueGreenError } from '../../core/errors.js'
import { getStatus } from '../../core/registry.js'
import { silentLogger } from '../../core/runtime.js'
import { mysqlModule } from '../../integrations/mysql2/index.js'
import { BlueGreenPgClient } from '../../integrations/pg/index.js'
import type { BlueGreenSequelizeInput } from '../../integrations/sequelize/index.js'
import { blueGreenSequelizeOptions } from '../../integrations/sequelize/index.js'
import { BLUE, GREEN, tableLookup, waitFor } from './helpers/names.js'
import { RowsSource } from './helpers/rows-source.js'

/**
 * Sequelize 6 through blueGreenSequelizeOptions on the machine's plain servers (no Blue/Green metadata: the
 * library must be invisible): sync, CRUD, associations, managed and unmanaged transactions on one connection,
 * Sequelize's own pool (max, validate, eviction), and errors in Sequelize's classes with the driver's (or the
 * library's) error as `parent` / `original`.
 */
const DB = 'bg_sequelize_compat'

interface Engine {
  readonly name: 'pg' | 'mysql'
  readonly base: BlueGreenSequelizeInput
  readonly port: number
  readonly connectionId: string
  admin(sql: string): Promise<void>
  closeAdmin(): Promise<void>
}

function pgEngine(): Engine {
  const admin = new pg.Pool({ host: '127.0.0.1', user: 'postgres', database: 'postgres', max: 1 })
  return {
    name: 'pg',
    base: { dialect: 'postgres', host: '127.0.0.1', port: 5432, username: 'postgres', database: DB },
    port: 5432,
    connectionId: 'SELECT pg_backend_pid() AS id',
    admin: async (sql) =>
      void (await admin.query(sql.replace(/DROP DATABASE IF EXISTS \w+/, '$& WITH (FORCE)'))),
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
    base: { dialect: 'mariadb', host: '127.0.0.1', port: 3306, username: 'root', password: '', database: DB },
    port: 3306,
    connectionId: 'SELECT CONNECTION_ID() AS id',
    admin: async (sql) => void (await admin.query(sql)),
    closeAdmin: () => admin.end(),
  }
}

interface AuthorRow {
  id: number
  name: string
}
type Author = Model<AuthorRow, Partial<AuthorRow>>

for (const engine of [pgEngine(), mysqlEngine()]) {
  describe(`Sequelize ${engine.base.dialect} through blueGreenSequelizeOptions`, () => {
    const bgdId = `sequelize-compat-${engine.name}`
    const validated: unknown[] = []
    const options = (extra: Partial<BlueGreenSequelizeInput> = {}): Options =>
      blueGreenSequelizeOptions({
        ...engine.base,
        logging: false,
        pool: {
          max: 3,
          min: 0,
          idle: 200,
          evict: 100,
          validate: (connection: unknown) => {
            validated.push(connection)
            return true
          },
        },
        blueGreen: { bgdId, logger: silentLogger },
        ...extra,
      })
    let sequelize: Sequelize
    let Authors: ModelStatic<Author>
    let Books: ModelStatic<Model>
    const connectionIdOf = async (transaction?: Transaction): Promise<number> => {
      const rows = await sequelize.query<{ id: number }>(engine.connectionId, {
        type: QueryTypes.SELECT,
        ...(transaction === undefined ? {} : { transaction }),
      })
      return Number(rows[0]?.id)
    }

    beforeAll(async () => {
      await engine.admin(`DROP DATABASE IF EXISTS ${DB}`)
      await engine.admin(`CREATE DATABASE ${DB}`)
      sequelize = new Sequelize(options())
      Authors = sequelize.define<Author>(
        'Author',
        {
          id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
          name: { type: DataTypes.STRING(64), allowNull: false, unique: true },
        },
        { tableName: 'bg_seq_authors', timestamps: false },
      )
      Books = sequelize.define(
        'Book',
        { title: DataTypes.STRING(64), year: DataTypes.INTEGER },
        { tableName: 'bg_seq_books' },
      )
      Authors.hasMany(Books, { foreignKey: 'authorId', as: 'books' })
      Books.belongsTo(Authors, { foreignKey: 'authorId' })
    })

    afterAll(async () => {
      await sequelize.close()
      await engine.admin(`DROP DATABASE IF EXISTS ${DB}`)
      await engine.closeAdmin()
    })

    it('sets the documented dialectModule and reaches the routed driver', async () => {
      await sequelize.authenticate()
      const built = options()
      if (engine.name === 'pg') {
        const module = built.dialectModule as { Client: typeof BlueGreenPgClient }
        expect(module.Client.prototype).toBeInstanceOf(BlueGreenPgClient)
        expect(validated.length === 0 || validated[0] instanceof BlueGreenPgClient).toBe(true)
      } else {
        // Bound into the module: Sequelize deep-clones dialectOptions, which would copy a logger or source.
        const module = built.dialectModule as typeof mysqlModule
        expect(module.createConnection).not.toBe(mysqlModule.createConnection)
        expect(module.createPool).toBe(mysqlModule.createPool)
        expect(built.dialect).toBe('mysql')
        expect(built.dialectOptions).toBeUndefined()
      }
      expect(getStatus(bgdId)?.phase).toBe('NOT_CREATED')
    })

    it('syncs models (creating tables and the foreign key) and runs CRUD with associations', async () => {
      await sequelize.sync({ force: true })
      const ada = await Authors.create({ name: 'Ada' })
      await Books.bulkCreate([
        { title: 'Notes', year: 1843, authorId: ada.get('id') },
        { title: 'Letters', year: null, authorId: ada.get('id') },
      ])
      await Books.update({ year: 1842 }, { where: { title: 'Letters' } })
      const found = await Authors.findOne({
        where: { name: 'Ada' },
        include: [{ model: Books, as: 'books' }],
        order: [[{ model: Books, as: 'books' }, 'year', 'ASC']],
      })
      const books = (found?.get('books') as Model[] | undefined) ?? []
      expect(books.map((b) => [b.get('title'), b.get('year')])).toEqual([
        ['Letters', 1842],
        ['Notes', 1843],
      ])
      await Books.destroy({ where: { title: 'Letters' } })
      expect(await Books.count()).toBe(1)
      await sequelize.sync({ alter: true })
      expect(await Authors.count()).toBe(1)
    })

    it('keeps a managed transaction on one connection, commits it, and rolls back a failed one', async () => {
      const noise = Promise.all(Array.from({ length: 10 }, () => sequelize.query('SELECT 1')))
      const ids = await sequelize.transaction(async (transaction) => {
        const first = await connectionIdOf(transaction)
        await Authors.create({ name: 'committed' }, { transaction })
        return [first, await connectionIdOf(transaction)]
      })
      await noise
      expect(new Set(ids).size).toBe(1)
      const failed = await sequelize
        .transaction(async (transaction) => {
          await Authors.create({ name: 'rolled-back' }, { transaction })
          throw new Error('roll back')
        })
        .catch((e: unknown) => e)
      expect((failed as Error).message).toBe('roll back')
      const unmanaged = await sequelize.transaction()
      await Authors.create({ name: 'unmanaged-rolled-back' }, { transaction: unmanaged })
      await unmanaged.rollback()
      const names = (await Authors.findAll()).map((a) => a.get('name'))
      expect(names).toContain('committed')
      expect(names).not.toContain('rolled-back')
      expect(names).not.toContain('unmanaged-rolled-back')
    })

    it("surfaces the driver's errors in Sequelize's classes, as parent and original", async () => {
      const err: unknown = await Authors.create({ name: 'Ada' }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(UniqueConstraintError)
      const parent = (err as UniqueConstraintError).parent as Error & { code?: unknown; errno?: unknown }
      expect(parent).toBe((err as UniqueConstraintError).original)
      if (engine.name === 'pg') expect(parent.code).toBe('23505')
      else expect(parent.errno).toBe(1062)
      const syntax: unknown = await sequelize.query('SELEC 1').catch((e: unknown) => e)
      expect(syntax).toBeInstanceOf(DatabaseError)
    })

    it("runs Sequelize's own pool: at most max connections, validate on every checkout, idle eviction", async () => {
      validated.length = 0
      const ids = await Promise.all(Array.from({ length: 12 }, () => connectionIdOf()))
      expect(new Set(ids).size).toBeLessThanOrEqual(3)
      expect(validated.length).toBeGreaterThan(0)
      const pool = (sequelize.connectionManager as unknown as { pool: { size: number } }).pool
      // idle 200 ms, evict every 100 ms: the idle connections go away.
      await new Promise((resolve) => setTimeout(resolve, 600))
      expect(pool.size).toBe(0)
      expect(await connectionIdOf()).toBeGreaterThan(0)
    })

    it("a statement the library holds past bgConnectTimeoutMs fails in Sequelize's class with ours as parent", async () => {
      const source = new RowsSource(BLUE, GREEN, engine.port)
      source.setPhase('CREATED')
      const held = new Sequelize(
        blueGreenSequelizeOptions({
          ...engine.base,
          host: BLUE,
          logging: false,
          pool: { max: 1, acquire: 5000 },
          blueGreen: {
            bgdId: `${bgdId}-held`,
            logger: silentLogger,
            metadataSource: source,
            lookup: tableLookup({ [BLUE.toLowerCase()]: '127.0.0.1', [GREEN.toLowerCase()]: '127.0.0.1' }),
            bgConnectTimeoutMs: 300,
            bgBaselineMs: 50,
          },
        }),
      )
      try {
        await held.query('SELECT 1')
        await waitFor(() => getStatus(`${bgdId}-held`)?.phase === 'CREATED', 5000, 'CREATED')
        source.setPhase('IN_PROGRESS')
        await waitFor(() => getStatus(`${bgdId}-held`)?.phase === 'IN_PROGRESS', 5000, 'IN_PROGRESS')
        const err: unknown = await held.query('SELECT 1').catch((e: unknown) => e)
        expect(err).toBeInstanceOf(BaseError)
        const parent = (err as DatabaseError).parent
        expect(parent).toBe((err as DatabaseError).original)
        expect(isBlueGreenError(parent) && parent.code).toBe('SWITCHOVER_TIMEOUT')
      } finally {
        await held.close()
      }
    })
  })
}

describe('blueGreenSequelizeOptions', () => {
  it('refuses pg-native and read replicas, naming the key', () => {
    expect(() => blueGreenSequelizeOptions({ dialect: 'postgres', native: true })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG', key: 'native' }),
    )
    expect(() =>
      blueGreenSequelizeOptions({
        dialect: 'mysql',
        replication: { read: [{ host: 'r' }], write: { host: 'w' } },
      }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG', key: 'replication' }))
  })
})
