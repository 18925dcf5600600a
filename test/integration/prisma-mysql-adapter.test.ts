import { PrismaMariaDb } from '@prisma/adapter-mariadb'
import type { SqlDriverAdapter, SqlQuery } from '@prisma/driver-adapter-utils'
import { ColumnTypeEnum } from '@prisma/driver-adapter-utils'
import mysql from 'mysql2/promise'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  BlueGreenConnectRejectedError,
  BlueGreenReadOnlyError,
  BlueGreenSwitchoverTimeoutError,
} from '../../core/errors.js'
import { PrismaBlueGreenMysql, supportsRelationJoins } from '../../integrations/prisma/index.js'
import { columnTypeOf, mapArg } from '../../integrations/prisma/mysql-conversion.js'
import { mysqlAdapterError } from '../../integrations/prisma/mysql-errors.js'
import { splitStatements } from '../../integrations/prisma/mysql-script.js'
import { dropScratch, MY_SCRATCH, resetMysqlScratch } from './prisma/fixtures.js'

const q = (sql: string, args: unknown[] = []): SqlQuery => ({
  sql,
  args,
  argTypes: args.map(() => ({ scalarType: 'unknown', arity: 'scalar' }) as const),
})

let pool: mysql.Pool
let ours: SqlDriverAdapter
let maria: SqlDriverAdapter

beforeAll(async () => {
  await resetMysqlScratch()
  pool = mysql.createPool({ ...MY_SCRATCH, connectionLimit: 3, jsonStrings: true })
  ours = await new PrismaBlueGreenMysql(pool).connect()
  maria = await new PrismaMariaDb({ ...MY_SCRATCH, connectionLimit: 2 }).connect()
})

afterAll(async () => {
  await ours.dispose()
  await maria.dispose()
  await pool.end()
  await dropScratch()
})

/** The DriverAdapterError payload an adapter throws for `query`. */
async function failure(adapter: SqlDriverAdapter, query: SqlQuery): Promise<unknown> {
  const err: unknown = await adapter.executeRaw(query).then(
    () => new Error('no error'),
    (e: unknown) => e,
  )
  return { name: (err as Error).name, cause: (err as { cause?: unknown }).cause }
}

describe('PrismaBlueGreenMysql adapter over a plain mysql2/promise pool', () => {
  it('maps server errors to the same Prisma kinds and fields as the MariaDB adapter', async () => {
    await ours.executeRaw(q("INSERT INTO author (name) VALUES ('dup')"))
    const cases = [
      q("INSERT INTO author (name) VALUES ('dup')"), // 1062
      q("INSERT INTO post (title, author_id) VALUES ('x', 424242)"), // 1452
      q('INSERT INTO post (title, author_id) VALUES (NULL, 1)'), // 1048
      q('INSERT INTO post (title) VALUES (1)'), // 1364
      q('SELECT * FROM nope'), // 1146
      q('SELECT nope FROM author'), // 1054
      q(`INSERT INTO author (name) VALUES ('${'x'.repeat(100)}')`), // 1406
      q('CREATE DATABASE bg_prisma_diff'), // 1007
      q('SELEC 1'), // 1064 → kind mysql
    ]
    for (const query of cases) {
      const [mine, theirs] = [await failure(ours, query), await failure(maria, query)]
      expect({ sql: query.sql, error: mine }).toEqual({ sql: query.sql, error: theirs })
      expect(mine).toMatchObject({ name: 'DriverAdapterError' })
    }
  })

  it('reports connection-level server errors like the MariaDB adapter (1049 unknown database, 1045 bad password)', async () => {
    for (const config of [
      { ...MY_SCRATCH, database: 'bg_prisma_missing' },
      { ...MY_SCRATCH, password: 'wrong' },
    ]) {
      const bad = mysql.createPool({ ...config, connectionLimit: 1 })
      const real: unknown = await bad.query('SELECT 1').catch((e: unknown) => e)
      const mapped = mysqlAdapterError(real, {})
      expect(mapped.cause.kind).toBe(
        config.password === 'wrong' ? 'AuthenticationFailed' : 'DatabaseDoesNotExist',
      )
      expect(mapped.cause).toMatchObject(
        config.password === 'wrong' ? { user: 'root' } : { db: 'bg_prisma_missing' },
      )
      await bad.end()
    }
  })

  it('maps our errors: held too long and green rejection → DatabaseNotReachable, read-only → TransactionWriteConflict', () => {
    const endpoint = { host: 'mydb.example.com', port: 3306 }
    expect(
      mysqlAdapterError(BlueGreenSwitchoverTimeoutError.connect(300, 301, {}), endpoint).cause,
    ).toMatchObject({
      kind: 'DatabaseNotReachable',
      host: 'mydb.example.com',
      port: 3306,
      originalCode: 'SWITCHOVER_TIMEOUT',
    })
    expect(mysqlAdapterError(new BlueGreenConnectRejectedError({}), endpoint).cause).toMatchObject({
      kind: 'DatabaseNotReachable',
      originalCode: 'GREEN_REJECTED',
    })
    expect(mysqlAdapterError(new BlueGreenReadOnlyError({}), endpoint).cause).toMatchObject({
      kind: 'TransactionWriteConflict',
      originalCode: 'READ_ONLY_CONNECTION',
    })
    expect(
      mysqlAdapterError(
        Object.assign(new Error('lock'), { errno: 1205, sqlState: 'HY000', sqlMessage: 'Lock wait' }),
        {},
      ).cause,
    ).toMatchObject({ kind: 'TransactionWriteConflict', originalCode: '1205' })
    expect(
      mysqlAdapterError(Object.assign(new Error('refused'), { code: 'ECONNREFUSED', errno: -111 }), endpoint)
        .cause,
    ).toMatchObject({
      kind: 'DatabaseNotReachable',
      host: 'mydb.example.com',
    })
    const unknown = new TypeError('not a driver error')
    expect(() => mysqlAdapterError(unknown, endpoint)).toThrow(unknown)
  })

  it('column types and values match the MariaDB adapter for every MySQL type, unsigned and zero-fill included', async () => {
    await ours.executeScript(`
      DROP TABLE IF EXISTS types;
      CREATE TABLE types (ti TINYINT, si SMALLINT UNSIGNED, mi MEDIUMINT, i INT, iu INT UNSIGNED, b BIGINT,
        bu BIGINT UNSIGNED, y YEAR, f FLOAT, d DOUBLE, n DECIMAL(30,10), c CHAR(3), v VARCHAR(10), t TEXT, vb VARBINARY(4),
        bl BLOB, bn BINARY(2), bit8 BIT(8), e ENUM('a','b'), st SET('x','y'), dt DATETIME(6), ts TIMESTAMP(3) NULL,
        da DATE, tm TIME(3), tm0 TIME, j JSON, zf INT(6) ZEROFILL);
      INSERT INTO types VALUES (-128, 65535, -8388608, -2147483648, 4294967295, -9223372036854775808,
        18446744073709551615, 2155, 1.1, 2.2, '-12345678901234567890.0123456789', 'ab', 'v;x', 't', X'00FF0001',
        X'000000', X'0000', b'10000001', 'b', 'x,y', '2020-01-02 03:04:05.123456', '2020-01-02 03:04:05.120',
        '1000-01-01', '-838:59:59.000', '12:00:00', '{"k": [1, 2.50, "s"]}', 7);
      INSERT INTO types () VALUES ();
      INSERT INTO types (st, tm) VALUES ('', '00:00:00.001')`)
    const sql = 'SELECT * FROM types'
    const [mine, theirs] = [await ours.queryRaw(q(sql)), await maria.queryRaw(q(sql))]
    expect(mine).toEqual(theirs)
    expect(mine.columnTypes.slice(3, 7)).toEqual([
      ColumnTypeEnum.Int32,
      ColumnTypeEnum.Int64,
      ColumnTypeEnum.Int64,
      ColumnTypeEnum.Int64,
    ])
    expect(mine.rows[0]?.at(-1)).toBe(7)
    const withArgs = q('SELECT ? AS i, ? AS big, ? AS f, ? AS s, ? AS bt', [
      5,
      18446744073709551615n,
      0.25,
      'x',
      new Uint8Array([0, 1]),
    ])
    expect(await ours.queryRaw(withArgs)).toEqual(await maria.queryRaw(withArgs))
  })

  it('converts arguments as the MariaDB adapter does', () => {
    const at = new Date('2024-05-06T07:08:09.010Z')
    expect(mapArg(at, { scalarType: 'datetime', dbType: 'DATETIME', arity: 'scalar' })).toBe(
      '2024-05-06 07:08:09.010',
    )
    expect(mapArg(at.toISOString(), { scalarType: 'datetime', dbType: 'DATE', arity: 'scalar' })).toBe(
      '2024-05-06',
    )
    expect(mapArg(at, { scalarType: 'datetime', dbType: 'TIME', arity: 'scalar' })).toBe('07:08:09.010')
    expect(mapArg(new Date('2024-05-06T07:08:09Z'), { scalarType: 'datetime', arity: 'scalar' })).toBe(
      '2024-05-06 07:08:09',
    )
    expect(mapArg('9007199254740993', { scalarType: 'bigint', arity: 'scalar' })).toBe(9007199254740993n)
    expect(mapArg('AAH/', { scalarType: 'bytes', arity: 'scalar' })).toEqual(Buffer.from([0, 1, 255]))
    expect(mapArg(new Uint8Array([9]), { scalarType: 'bytes', arity: 'scalar' })).toEqual(Buffer.from([9]))
    expect(mapArg('1.50', { scalarType: 'decimal', arity: 'scalar' })).toBe('1.50')
    expect(mapArg(null, { scalarType: 'int', arity: 'scalar' })).toBeNull()
    expect(
      columnTypeOf({ name: 'x', columnType: 252, flags: 144, characterSet: 224, extendedFormat: 'json' }),
    ).toBe(ColumnTypeEnum.Json)
    expect(() => columnTypeOf({ name: 'x', columnType: 242, flags: 0 })).toThrow(/Unsupported|MYSQL_TYPE/)
  })

  it('executeScript runs several statements on one connection, semicolons in literals and comments kept', async () => {
    expect(splitStatements("SELECT ';'; -- a;b\nSELECT `x;y` FROM t; /* c; */ SELECT 'it''s;'")).toEqual([
      "SELECT ';'",
      '-- a;b\nSELECT `x;y` FROM t',
      "/* c; */ SELECT 'it''s;'",
    ])
    await ours.executeScript(
      "SET @bg_a = 'a;b'; CREATE TEMPORARY TABLE tmp_s (v TEXT); INSERT INTO tmp_s SELECT @bg_a; DROP TEMPORARY TABLE tmp_s",
    )
    await expect(ours.executeScript('SELECT 1; SELEC 2')).rejects.toMatchObject({
      cause: { kind: 'mysql', code: 1064 },
    })
  })

  it('transactions: isolation level before START TRANSACTION, commit, rollback, savepoints', async () => {
    const tx = await ours.startTransaction('SERIALIZABLE')
    expect(tx.options.usePhantomQuery).toBe(true)
    await tx.executeRaw(q("INSERT INTO author (name) VALUES ('tx1')"))
    const level = q(
      'SELECT trx_isolation_level FROM information_schema.innodb_trx WHERE trx_mysql_thread_id = CONNECTION_ID()',
    )
    expect((await tx.queryRaw(level)).rows).toEqual([['SERIALIZABLE']])
    await tx.createSavepoint?.('sp1')
    await tx.executeRaw(q("INSERT INTO author (name) VALUES ('tx2')"))
    await tx.rollbackToSavepoint?.('sp1')
    await tx.releaseSavepoint?.('sp1')
    await tx.commit()
    const rollback = await ours.startTransaction()
    await rollback.executeRaw(q("INSERT INTO author (name) VALUES ('tx3')"))
    await rollback.rollback()
    const names = await ours.queryRaw(q("SELECT name FROM author WHERE name LIKE 'tx%' ORDER BY name"))
    expect(names.rows).toEqual([['tx1']])
  })

  it('reports lastInsertId, affected rows, provider, name and connection info', async () => {
    const inserted = await ours.queryRaw(q("INSERT INTO author (name) VALUES ('last')"))
    expect(Number(inserted.lastInsertId)).toBeGreaterThan(0)
    const noop = q("UPDATE author SET name = name WHERE name LIKE 'tx%'") // matched rows, as the mariadb driver counts
    expect(await ours.executeRaw(noop)).toBe(await maria.executeRaw(noop))
    expect(await ours.executeRaw(q("UPDATE author SET name = CONCAT(name, '!') WHERE name = 'last'"))).toBe(1)
    expect(ours.provider).toBe('mysql')
    expect(ours.adapterName).toBe('rds-bluegreen/prisma-mysql')
    expect(ours.getConnectionInfo?.()).toEqual({ maxBindValues: 65535, supportsRelationJoins: false })
    expect([
      supportsRelationJoins('8.0.13'),
      supportsRelationJoins('8.0.12'),
      supportsRelationJoins('10.11.6-MariaDB'),
    ]).toEqual([true, false, false])
  })

  it('dispose leaves a pool it was given open, and ends one it created', async () => {
    const given = await new PrismaBlueGreenMysql(pool).connect()
    await given.dispose()
    expect((await ours.queryRaw(q('SELECT 1'))).rows).toEqual([[1]])
    const owned = await new PrismaBlueGreenMysql({
      ...MY_SCRATCH,
      connectionLimit: 1,
      blueGreen: { bgdId: 'prisma-owned-mysql' },
    }).connect()
    await owned.queryRaw(q('SELECT 1'))
    await owned.dispose()
    await expect(owned.queryRaw(q('SELECT 1'))).rejects.toThrow(/closed|Pool is closed/i)
  })
})
