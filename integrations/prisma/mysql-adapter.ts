import type {
  ConnectionInfo,
  IsolationLevel,
  SqlDriverAdapter,
  SqlQuery,
  SqlQueryable,
  SqlResultSet,
  Transaction,
  TransactionOptions,
} from '@prisma/driver-adapter-utils'
import type { AdapterEndpoint } from './errors.js'
import type { IntegerBinders } from './mysql-conversion.js'
import { columnTypeOf, mapArg, mapRow } from './mysql-conversion.js'
import { mysqlAdapterError } from './mysql-errors.js'
import { splitStatements } from './mysql-script.js'
import type {
  MysqlField,
  MysqlPool,
  MysqlPoolConnection,
  MysqlQueryable,
  MysqlQueryOptions,
  MysqlResultHeader,
} from './mysql-types.js'

/** The adapter name Prisma shows in its messages. */
export const MYSQL_ADAPTER_NAME = 'rds-bluegreen/prisma-mysql'

/** What every queryable of one adapter shares. */
export interface MysqlAdapterSettings {
  /** `execute` (binary protocol, prepared statements cached by mysql2) unless the text protocol is asked for. */
  readonly binary: boolean
  /** Integer bind types, when the pool's mysql2 accepts them. */
  readonly typed: IntegerBinders | undefined
  readonly endpoint: AdapterEndpoint
  /** Schema name for generated queries (Prisma's `schemaName`). */
  readonly database: string | undefined
  readonly supportsRelationJoins: boolean
  readonly onConnectionError: ((err: Error) => void) | undefined
}

/** MySQL's limit on placeholders in one prepared statement. */
const MAX_BIND_VALUES = 65_535

/** Statements shared by the adapter (over the pool) and its transactions (over one connection). */
class MysqlQueryRunner implements SqlQueryable {
  readonly provider = 'mysql'
  readonly adapterName = MYSQL_ADAPTER_NAME

  constructor(
    protected readonly client: MysqlQueryable,
    protected readonly settings: MysqlAdapterSettings,
  ) {}

  async queryRaw(query: SqlQuery): Promise<SqlResultSet> {
    const [result, fields] = await this.run(query)
    if (!Array.isArray(result)) {
      const insertId = (result as MysqlResultHeader | undefined)?.insertId
      const empty: SqlResultSet = { columnNames: [], columnTypes: [], rows: [] }
      return insertId === undefined ? empty : { ...empty, lastInsertId: insertId.toString() }
    }
    const meta: readonly MysqlField[] = fields ?? []
    const rows = result as readonly (readonly unknown[])[]
    return {
      columnNames: meta.map((field) => field.name),
      columnTypes: meta.map(columnTypeOf),
      rows: rows.map((row) => mapRow(row, meta, this.settings.binary)),
    }
  }

  async executeRaw(query: SqlQuery): Promise<number> {
    const [result] = await this.run(query)
    return Array.isArray(result) ? 0 : ((result as MysqlResultHeader | undefined)?.affectedRows ?? 0)
  }

  protected async run(query: SqlQuery): Promise<[unknown, readonly MysqlField[] | undefined]> {
    const { binary, typed } = this.settings
    const values = query.args.map((arg, i) => mapArg(arg, query.argTypes[i], binary ? typed : undefined))
    const options = statement(query.sql)
    try {
      return binary ? await this.client.execute(options, values) : await this.client.query(options, values)
    } catch (err) {
      throw mysqlAdapterError(err, this.settings.endpoint)
    }
  }

  /** A control statement (transactions, savepoints) over the text protocol: they cannot all be prepared. */
  protected async control(sql: string): Promise<void> {
    try {
      await this.client.query(statement(sql))
    } catch (err) {
      throw mysqlAdapterError(err, this.settings.endpoint)
    }
  }
}

/**
 * One transaction on one checked-out connection. Prisma sends no BEGIN/COMMIT itself (`usePhantomQuery`): the
 * adapter does, and releases the connection when the transaction ends.
 */
class MysqlTransaction extends MysqlQueryRunner implements Transaction {
  readonly options: TransactionOptions = { usePhantomQuery: true }
  readonly #connection: MysqlPoolConnection
  readonly #cleanup: () => void
  #ended = false

  constructor(connection: MysqlPoolConnection, settings: MysqlAdapterSettings, cleanup: () => void) {
    super(connection, settings)
    this.#connection = connection
    this.#cleanup = cleanup
  }

  /** The isolation level applies to the next transaction only, so it is set before starting it. */
  async begin(isolationLevel: IsolationLevel | undefined): Promise<void> {
    if (isolationLevel !== undefined) await this.control(`SET TRANSACTION ISOLATION LEVEL ${isolationLevel}`)
    await this.control('START TRANSACTION')
  }

  commit(): Promise<void> {
    return this.#end('COMMIT')
  }

  rollback(): Promise<void> {
    return this.#end('ROLLBACK')
  }

  createSavepoint(name: string): Promise<void> {
    return this.control(`SAVEPOINT ${name}`)
  }

  rollbackToSavepoint(name: string): Promise<void> {
    return this.control(`ROLLBACK TO ${name}`)
  }

  releaseSavepoint(name: string): Promise<void> {
    return this.control(`RELEASE SAVEPOINT ${name}`)
  }

  async #end(sql: 'COMMIT' | 'ROLLBACK'): Promise<void> {
    if (this.#ended) return
    this.#ended = true
    try {
      await this.control(sql)
    } finally {
      this.#cleanup()
      this.#connection.release()
    }
  }
}

/**
 * Prisma's driver adapter over a mysql2 promise pool (plain or routed): statements on the pool, transactions on
 * a checked-out connection (`SET TRANSACTION ISOLATION LEVEL` before `START TRANSACTION`), scripts statement by
 * statement on one connection. Built by `PrismaBlueGreenMysql.connect()`.
 *
 * @example
 * ```ts
 * const adapter = await new PrismaBlueGreenMysql(pool).connect()
 * const tx = await adapter.startTransaction('SERIALIZABLE')
 * await tx.executeRaw({ sql: 'UPDATE t SET n = n + 1', args: [], argTypes: [] })
 * await tx.commit()
 * ```
 */
export class PrismaMysqlAdapter extends MysqlQueryRunner implements SqlDriverAdapter {
  readonly #pool: MysqlPool
  readonly #release: () => Promise<void>
  #disposed: Promise<void> | undefined

  constructor(pool: MysqlPool, settings: MysqlAdapterSettings, release: () => Promise<void>) {
    super(pool, settings)
    this.#pool = pool
    this.#release = release
  }

  async startTransaction(isolationLevel?: IsolationLevel): Promise<Transaction> {
    const connection = await this.#checkout()
    const listener = (err: Error): void => this.settings.onConnectionError?.(err)
    connection.on?.('error', listener)
    const cleanup = (): void => void connection.off?.('error', listener)
    const tx = new MysqlTransaction(connection, this.settings, cleanup)
    try {
      await tx.begin(isolationLevel)
      return tx
    } catch (err) {
      cleanup()
      connection.release()
      throw err
    }
  }

  async executeScript(script: string): Promise<void> {
    const connection = await this.#checkout()
    try {
      for (const sql of splitStatements(script)) {
        await connection.query(statement(sql)).catch((err: unknown) => {
          throw mysqlAdapterError(err, this.settings.endpoint)
        })
      }
    } finally {
      connection.release()
    }
  }

  getConnectionInfo(): ConnectionInfo {
    return {
      ...(this.settings.database === undefined ? {} : { schemaName: this.settings.database }),
      maxBindValues: MAX_BIND_VALUES,
      supportsRelationJoins: this.settings.supportsRelationJoins,
    }
  }

  dispose(): Promise<void> {
    return (this.#disposed ??= this.#release())
  }

  async #checkout(): Promise<MysqlPoolConnection> {
    try {
      return await this.#pool.getConnection()
    } catch (err) {
      throw mysqlAdapterError(err, this.settings.endpoint)
    }
  }
}

function statement(sql: string): MysqlQueryOptions {
  return { sql, rowsAsArray: true, dateStrings: true, supportBigNumbers: true, bigNumberStrings: true }
}
