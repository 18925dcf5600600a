import type { ArgType, ColumnType } from '@prisma/driver-adapter-utils'
import { ColumnTypeEnum, DriverAdapterError } from '@prisma/driver-adapter-utils'
import type { MysqlField } from './mysql-types.js'
import { BINARY_CHARSET, MysqlFlag, MysqlType } from './mysql-types.js'

// The conversions give the same values as Prisma's MariaDB adapter (over the `mariadb` driver) so that a Prisma
// client behaves identically over mysql2: same column types, same row values, same bound values.

const TEXT_LIKE: ReadonlySet<number> = new Set([
  MysqlType.VARCHAR,
  MysqlType.VAR_STRING,
  MysqlType.STRING,
  MysqlType.BLOB,
  MysqlType.TINY_BLOB,
  MysqlType.MEDIUM_BLOB,
  MysqlType.LONG_BLOB,
])

const DATETIME_LIKE: ReadonlySet<number> = new Set([
  MysqlType.TIMESTAMP,
  MysqlType.TIMESTAMP2,
  MysqlType.DATETIME,
  MysqlType.DATETIME2,
])

/**
 * Prisma's column type for one result column, from the MySQL type code, the UNSIGNED flag, the `binary`
 * character set (63: bytes, not text) and MariaDB's extended `json` format.
 *
 * @throws {DriverAdapterError} `UnsupportedNativeDataType` for a type Prisma cannot read.
 * @example
 * ```ts
 * columnTypeOf({ name: 'n', columnType: 3, flags: 32, characterSet: 63 }) // ColumnTypeEnum.Int64 (INT UNSIGNED)
 * ```
 */
export function columnTypeOf(field: MysqlField): ColumnType {
  const type = typeCode(field)
  switch (type) {
    case MysqlType.TINY:
    case MysqlType.SHORT:
    case MysqlType.INT24:
    case MysqlType.YEAR:
    case MysqlType.NULL:
      return ColumnTypeEnum.Int32
    case MysqlType.LONG:
      return hasFlag(field, MysqlFlag.UNSIGNED) ? ColumnTypeEnum.Int64 : ColumnTypeEnum.Int32
    case MysqlType.LONGLONG:
      return ColumnTypeEnum.Int64
    case MysqlType.FLOAT:
      return ColumnTypeEnum.Float
    case MysqlType.DOUBLE:
      return ColumnTypeEnum.Double
    case MysqlType.TIMESTAMP:
    case MysqlType.TIMESTAMP2:
    case MysqlType.DATETIME:
    case MysqlType.DATETIME2:
      return ColumnTypeEnum.DateTime
    case MysqlType.DATE:
    case MysqlType.NEWDATE:
      return ColumnTypeEnum.Date
    case MysqlType.TIME:
    case MysqlType.TIME2:
      return ColumnTypeEnum.Time
    case MysqlType.DECIMAL:
    case MysqlType.NEWDECIMAL:
      return ColumnTypeEnum.Numeric
    case MysqlType.ENUM:
      return ColumnTypeEnum.Enum
    case MysqlType.JSON:
      return ColumnTypeEnum.Json
    case MysqlType.BIT:
    case MysqlType.GEOMETRY:
      return ColumnTypeEnum.Bytes
  }
  if (TEXT_LIKE.has(type)) {
    if (field.extendedFormat === 'json') return ColumnTypeEnum.Json
    return field.characterSet === BINARY_CHARSET ? ColumnTypeEnum.Bytes : ColumnTypeEnum.Text
  }
  throw new DriverAdapterError({ kind: 'UnsupportedNativeDataType', type: `MYSQL_TYPE ${type}` })
}

/**
 * One row from mysql2 (`rowsAsArray`, `dateStrings`, `bigNumberStrings`) as Prisma expects it: DATETIME and
 * TIMESTAMP as ISO strings with `+00:00`, big integers as strings, JSON as its text, SET as an array of
 * members, binary-protocol TIME with six fraction digits (as the MariaDB driver prints it).
 *
 * @example
 * ```ts
 * mapRow(['2024-01-02 03:04:05.678', 7n], fields, true) // ['2024-01-02T03:04:05.678+00:00', '7']
 * ```
 */
export function mapRow(row: readonly unknown[], fields: readonly MysqlField[], binary: boolean): unknown[] {
  const out = new Array<unknown>(row.length)
  for (let i = 0; i < row.length; i++) {
    const value = row[i]
    const field = fields[i]
    out[i] =
      value === null || value === undefined || field === undefined ? value : mapValue(value, field, binary)
  }
  return out
}

function mapValue(value: unknown, field: MysqlField, binary: boolean): unknown {
  const type = typeCode(field)
  if (DATETIME_LIKE.has(type)) return isoDateTime(String(value))
  if (typeof value === 'bigint') return value.toString()
  // a pool configured with `decimalNumbers` returns DECIMAL as numbers; Prisma wants the text
  if (typeof value === 'number')
    return type === MysqlType.DECIMAL || type === MysqlType.NEWDECIMAL ? String(value) : value
  if (typeof value === 'string') {
    if (type === MysqlType.TIME || type === MysqlType.TIME2) return binary ? sixDigitTime(value) : value
    if (hasFlag(field, MysqlFlag.SET)) return value === '' ? [] : value.split(',')
    return value
  }
  // JSON a pool without `jsonStrings` already parsed
  if (typeof value === 'object' && !(value instanceof Uint8Array) && isJsonColumn(field))
    return JSON.stringify(value)
  return value
}

function isoDateTime(value: string): string {
  return new Date(`${value}Z`).toISOString().replace(/(\.000)?Z$/, '+00:00')
}

/** `12:34:56.789` → `12:34:56.789000`; a time without fraction stays as it is. */
function sixDigitTime(value: string): string {
  const dot = value.indexOf('.')
  if (dot < 0) return value
  const fraction = value.slice(dot + 1)
  return fraction.length >= 6 ? value : `${value.slice(0, dot + 1)}${fraction.padEnd(6, '0')}`
}

function isJsonColumn(field: MysqlField): boolean {
  return typeCode(field) === MysqlType.JSON || field.extendedFormat === 'json'
}

function typeCode(field: MysqlField): number {
  return field.columnType ?? field.type ?? MysqlType.NULL
}

function hasFlag(field: MysqlField, flag: number): boolean {
  const { flags } = field
  if (typeof flags === 'number') return (flags & flag) !== 0
  return flags.includes(flag === MysqlFlag.UNSIGNED ? 'UNSIGNED' : 'SET')
}

/**
 * Integer wire types for bound values (mysql2's `TypedParameter` factories, binary protocol only). Without them
 * mysql2 binds every number as DOUBLE and a BigInt as text; with them integers are bound as the MariaDB driver
 * binds them (INT for 32-bit numbers, BIGINT for BigInts, DECIMAL from 2^63 up), so `SELECT ?` has the same
 * result type.
 */
export interface IntegerBinders {
  readonly LONG: (value: number) => unknown
  readonly LONGLONG: (value: bigint) => unknown
  readonly NEWDECIMAL: (value: string) => unknown
}

const INT32_MIN = -2147483648
const INT32_MAX = 2147483647
const INT64_LIMIT = 2n ** 63n

/**
 * One Prisma argument as the value mysql2 binds: BigInt for `bigint`, DATETIME/DATE/TIME text in UTC for
 * dates (by the column's `dbType`), a Buffer for bytes (base64 text or any typed array).
 *
 * @example
 * ```ts
 * mapArg('2024-01-02T03:04:05.678Z', { scalarType: 'datetime', dbType: 'DATE', arity: 'scalar' }) // '2024-01-02'
 * ```
 */
export function mapArg(arg: unknown, argType: ArgType | undefined, typed?: IntegerBinders): unknown {
  if (arg === null || arg === undefined) return null
  const scalar = argType?.scalarType
  if (typeof arg === 'string' && scalar === 'bigint') return bindBigInt(BigInt(arg), typed)
  if (typeof arg === 'bigint') return bindBigInt(arg, typed)
  if (typeof arg === 'number') {
    return typed !== undefined && Number.isInteger(arg) && arg >= INT32_MIN && arg < INT32_MAX
      ? typed.LONG(arg)
      : arg
  }
  const date =
    arg instanceof Date ? arg : typeof arg === 'string' && scalar === 'datetime' ? new Date(arg) : undefined
  if (date !== undefined) {
    const dbType = argType?.dbType
    if (dbType === 'TIME' || dbType === 'TIME2') return formatTime(date)
    if (dbType === 'DATE' || dbType === 'NEWDATE') return formatDate(date)
    return `${formatDate(date)} ${formatTime(date)}`
  }
  if (typeof arg === 'string' && scalar === 'bytes') return Buffer.from(arg, 'base64')
  if (ArrayBuffer.isView(arg)) return Buffer.from(arg.buffer, arg.byteOffset, arg.byteLength)
  return arg
}

function bindBigInt(value: bigint, typed: IntegerBinders | undefined): unknown {
  if (typed === undefined) return value
  return value >= INT64_LIMIT ? typed.NEWDECIMAL(value.toString()) : typed.LONGLONG(value)
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0')

function formatDate(date: Date): string {
  return `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`
}

function formatTime(date: Date): string {
  const ms = date.getUTCMilliseconds()
  const base = `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`
  return ms === 0 ? base : `${base}.${pad(ms, 3)}`
}
