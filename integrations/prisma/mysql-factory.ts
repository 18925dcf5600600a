import type { SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils'
import mysql from 'mysql2'
import { mysqlConfigObject, mysqlTarget } from '../mysql2/config.js'
import type { BlueGreenMysqlPoolConfig } from '../mysql2/index.js'
import { createPool } from '../mysql2/index.js'
import type { AdapterEndpoint } from './errors.js'
import type { MysqlAdapterSettings } from './mysql-adapter.js'
import { MYSQL_ADAPTER_NAME, PrismaMysqlAdapter } from './mysql-adapter.js'
import type { IntegerBinders } from './mysql-conversion.js'
import type { MysqlPool } from './mysql-types.js'

/**
 * Options of {@link PrismaBlueGreenMysql} (the same names as Prisma's MariaDB adapter where they overlap).
 *
 * @example
 * ```ts
 * const options: PrismaBlueGreenMysqlOptions = { database: 'shop', onConnectionError: (err) => log(err) }
 * ```
 */
export interface PrismaBlueGreenMysqlOptions {
  /** Schema name used in generated queries (Prisma's `schemaName`); default: unqualified table names. */
  readonly database?: string
  /** Use mysql2's text protocol (`query`) instead of the binary protocol (`execute`, the default). */
  readonly useTextProtocol?: boolean
  /** Called with `'error'` events of connections checked out for transactions. */
  readonly onConnectionError?: (err: Error) => void
  /** End a pool you passed in when the adapter is disposed (default false). */
  readonly disposeExternalPool?: boolean
}

/** A mysql2 callback pool (`createPool` from `mysql2` or `rds-bluegreen/mysql2`): its promise view is used. */
interface CallbackPoolLike {
  promise(): unknown
  getConnection(callback: never): void
}

/** What we learn from the server once per factory. */
interface ServerFacts {
  readonly supportsRelationJoins: boolean
  readonly typed: IntegerBinders | undefined
}

/**
 * A Prisma 7 driver adapter factory for MySQL over mysql2 (Prisma's own MySQL adapter needs the `mariadb`
 * driver) that follows an RDS Blue/Green switchover. Column types, values, bound arguments and error kinds are
 * the same as Prisma's MariaDB adapter gives. Give it a mysql2 pool config (Blue/Green options in `blueGreen`)
 * and it creates and owns one routed pool per `connect()`, ended by `dispose()` (`$disconnect()`); or give it
 * an existing mysql2 pool, routed or plain, callback or promise, and end it yourself (unless
 * `disposeExternalPool`). Pools you pass should set `jsonStrings: true`, or JSON is parsed and re-serialised.
 *
 * @example
 * ```ts
 * import { PrismaClient } from './generated/prisma/client.js'
 * import { PrismaBlueGreenMysql } from 'rds-bluegreen/prisma'
 *
 * const adapter = new PrismaBlueGreenMysql({
 *   host: 'mydb.c9akciq32.us-east-1.rds.amazonaws.com',
 *   user: 'app',
 *   password: process.env.DB_PASSWORD,
 *   database: 'shop',
 *   connectionLimit: 10,
 *   blueGreen: { bgdId: 'shop' },
 * })
 * const prisma = new PrismaClient({ adapter })
 * ```
 */
export class PrismaBlueGreenMysql implements SqlDriverAdapterFactory {
  readonly provider = 'mysql'
  readonly adapterName = MYSQL_ADAPTER_NAME
  readonly #config: BlueGreenMysqlPoolConfig | undefined
  readonly #pool: MysqlPool | undefined
  readonly #options: PrismaBlueGreenMysqlOptions
  #facts: Promise<ServerFacts> | undefined

  constructor(
    poolOrConfig: MysqlPool | CallbackPoolLike | BlueGreenMysqlPoolConfig | string,
    options: PrismaBlueGreenMysqlOptions = {},
  ) {
    if (isPool(poolOrConfig)) {
      this.#pool = isCallbackPool(poolOrConfig) ? (poolOrConfig.promise() as MysqlPool) : poolOrConfig
    } else {
      this.#config = { ...mysqlConfigObject<BlueGreenMysqlPoolConfig>(poolOrConfig) }
    }
    this.#options = options
  }

  /** Opens an adapter over the given pool, or over a new routed pool that `dispose()` ends. */
  async connect(): Promise<PrismaMysqlAdapter> {
    const owned = this.#pool === undefined
    const pool =
      this.#pool ??
      (createPool({
        ...this.#config,
        jsonStrings: true,
      }).promise() as unknown as MysqlPool)
    const binary = this.#options.useTextProtocol !== true
    let facts: ServerFacts
    try {
      facts = await (this.#facts ??= probeServer(pool, binary))
    } catch (err) {
      this.#facts = undefined
      if (owned) await pool.end().catch(() => undefined)
      throw err
    }
    const settings: MysqlAdapterSettings = {
      binary,
      typed: facts.typed,
      endpoint: this.#endpoint(),
      database: this.#options.database,
      supportsRelationJoins: facts.supportsRelationJoins,
      onConnectionError: this.#options.onConnectionError,
    }
    const endsPool = owned || this.#options.disposeExternalPool === true
    return new PrismaMysqlAdapter(pool, settings, async () => {
      if (endsPool) await pool.end()
    })
  }

  #endpoint(): AdapterEndpoint {
    if (this.#config !== undefined) return mysqlTarget(this.#config as Readonly<Record<string, unknown>>)
    const config = (this.#pool as { pool?: { config?: { connectionConfig?: AdapterEndpoint } } }).pool?.config
    return { host: config?.connectionConfig?.host, port: config?.connectionConfig?.port }
  }
}

/**
 * Relation joins need MySQL ≥ 8.0.13 (not MariaDB), as Prisma's MariaDB adapter decides. Integer bind types are
 * used when this pool's mysql2 understands ours: a typed `?` must come back as the integer it carries.
 */
async function probeServer(pool: MysqlPool, binary: boolean): Promise<ServerFacts> {
  const [rows] = await pool.query({
    sql: 'SELECT VERSION()',
    rowsAsArray: true,
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
  })
  const version = (rows as unknown[][])[0]?.[0]
  const candidate = binary ? integerBinders() : undefined
  let typed: IntegerBinders | undefined
  if (candidate !== undefined) {
    const [echo] = await pool.execute(
      {
        sql: 'SELECT ?',
        rowsAsArray: true,
        dateStrings: true,
        supportBigNumbers: true,
        bigNumberStrings: true,
      },
      [candidate.LONG(7)],
    )
    typed = (echo as unknown[][])[0]?.[0] === 7 ? candidate : undefined
  }
  return { supportsRelationJoins: supportsRelationJoins(version), typed }
}

/**
 * Whether a server version string allows Prisma's relation joins (LATERAL joins: MySQL 8.0.13+, never MariaDB).
 *
 * @example
 * ```ts
 * supportsRelationJoins('8.0.36') // true
 * supportsRelationJoins('10.11.6-MariaDB') // false
 * ```
 */
export function supportsRelationJoins(version: unknown): boolean {
  if (typeof version !== 'string' || /mariadb/i.test(version)) return false
  const [major = 0, minor = 0, patch = 0] = (version.split('-')[0] ?? '')
    .split('.')
    .map((n) => parseInt(n, 10))
  return major > 8 || (major === 8 && (minor > 0 || patch >= 13))
}

function integerBinders(): IntegerBinders | undefined {
  const typed = (mysql as unknown as { TypedParameter?: Partial<IntegerBinders> }).TypedParameter
  return typeof typed?.LONG === 'function' &&
    typeof typed.LONGLONG === 'function' &&
    typeof typed.NEWDECIMAL === 'function'
    ? (typed as IntegerBinders)
    : undefined
}

function isPool(value: unknown): value is MysqlPool | CallbackPoolLike {
  return (
    typeof value === 'object' && value !== null && typeof (value as MysqlPool).getConnection === 'function'
  )
}

function isCallbackPool(value: MysqlPool | CallbackPoolLike): value is CallbackPoolLike {
  return typeof (value as CallbackPoolLike).promise === 'function'
}
