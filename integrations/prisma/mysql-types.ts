/**
 * The slice of mysql2's promise API the MySQL adapter uses, described here instead of imported (Kysely's habit):
 * a plain `mysql2/promise` pool and our routed pool's `.promise()` both fit it.
 */

/** Column metadata of a result (mysql2 `FieldPacket`). */
export interface MysqlField {
  readonly name: string
  /** The MySQL type code (`MYSQL_TYPE_*`). */
  readonly columnType?: number | undefined
  readonly type?: number | undefined
  /** Column flags (UNSIGNED = 32, BINARY = 128, ENUM = 256, SET = 2048...). */
  readonly flags: number | readonly string[]
  /** Character set / collation id; 63 is `binary`. */
  readonly characterSet?: number | undefined
  /** MariaDB extended metadata: `json` for a JSON column (stored as LONGTEXT). */
  readonly extendedFormat?: string | undefined
}

/** What a data-changing statement returns (mysql2 `ResultSetHeader`). */
export interface MysqlResultHeader {
  readonly affectedRows?: number
  readonly insertId?: number | bigint | string
}

/** Per-statement options the adapter passes (all understood by mysql2 per query). */
export interface MysqlQueryOptions {
  readonly sql: string
  readonly rowsAsArray: true
  readonly dateStrings: true
  readonly supportBigNumbers: true
  readonly bigNumberStrings: true
  readonly timeout?: number
}

/** `[rows or header, fields]`, as mysql2's promise `query`/`execute` resolve. */
export type MysqlQueryResult = [unknown, readonly MysqlField[] | undefined]

/** Something that runs statements: a pool or a checked-out connection. */
export interface MysqlQueryable {
  query(options: MysqlQueryOptions, values?: readonly unknown[]): Promise<MysqlQueryResult>
  execute(options: MysqlQueryOptions, values?: readonly unknown[]): Promise<MysqlQueryResult>
}

/** A connection checked out of the pool for a transaction or a script. */
export interface MysqlPoolConnection extends MysqlQueryable {
  release(): void
  destroy?(): void
  on?(event: 'error', listener: (err: Error) => void): unknown
  off?(event: 'error', listener: (err: Error) => void): unknown
}

/**
 * A mysql2 promise pool (`mysql2/promise` `createPool`, or `pool.promise()`, routed or not).
 *
 * @example
 * ```ts
 * import mysql from 'mysql2/promise'
 * const pool: MysqlPool = mysql.createPool({ host, user, jsonStrings: true })
 * ```
 */
export interface MysqlPool extends MysqlQueryable {
  getConnection(): Promise<MysqlPoolConnection>
  end(): Promise<void>
}

/** mysql2 type codes the conversions need. */
export const MysqlType = {
  DECIMAL: 0,
  TINY: 1,
  SHORT: 2,
  LONG: 3,
  FLOAT: 4,
  DOUBLE: 5,
  NULL: 6,
  TIMESTAMP: 7,
  LONGLONG: 8,
  INT24: 9,
  DATE: 10,
  TIME: 11,
  DATETIME: 12,
  YEAR: 13,
  NEWDATE: 14,
  VARCHAR: 15,
  BIT: 16,
  TIMESTAMP2: 17,
  DATETIME2: 18,
  TIME2: 19,
  JSON: 245,
  NEWDECIMAL: 246,
  ENUM: 247,
  SET: 248,
  TINY_BLOB: 249,
  MEDIUM_BLOB: 250,
  LONG_BLOB: 251,
  BLOB: 252,
  VAR_STRING: 253,
  STRING: 254,
  GEOMETRY: 255,
} as const

/** Column flags. */
export const MysqlFlag = { UNSIGNED: 32, SET: 2048 } as const

/** The `binary` character set / collation id. */
export const BINARY_CHARSET = 63
