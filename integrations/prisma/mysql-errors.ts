import type { Error as AdapterErrorPayload, MappedError } from '@prisma/driver-adapter-utils'
import { DriverAdapterError } from '@prisma/driver-adapter-utils'
import { isBlueGreenError } from '../../core/errors.js'
import type { AdapterEndpoint } from './errors.js'
import { blueGreenErrorPayload, definedEndpoint } from './errors.js'

/** A server error as mysql2 reports it. */
interface MysqlServerError {
  readonly errno: number
  readonly sqlMessage?: string | null
  readonly sqlState?: string | null
  readonly cause?: { readonly message?: string } | undefined
}

/** A socket-level failure (no server error number). */
interface MysqlSocketError {
  readonly code: string
  readonly fatal?: boolean
}

/**
 * The `DriverAdapterError` for anything the MySQL adapter's driver threw: our Blue/Green errors (see
 * `blueGreenErrorPayload`), MySQL server errors by number (the same kinds and fields as Prisma's MariaDB
 * adapter, plus 1205 lock wait timeout as a write conflict), and lost or refused connections. Anything else is
 * rethrown unchanged, as Prisma's adapters do.
 *
 * @example
 * ```ts
 * try { await pool.execute(options, values) } catch (err) { throw mysqlAdapterError(err, endpoint) }
 * ```
 */
export function mysqlAdapterError(error: unknown, endpoint: AdapterEndpoint): DriverAdapterError {
  if (error instanceof DriverAdapterError) return error
  if (isBlueGreenError(error)) return new DriverAdapterError(blueGreenErrorPayload(error, endpoint))
  if (isServerError(error)) {
    const payload: AdapterErrorPayload = {
      originalCode: String(error.errno),
      originalMessage: error.sqlMessage ?? 'N/A',
      ...mapServerError(error),
    }
    return new DriverAdapterError(payload)
  }
  const socket = isSocketError(error) ? mapSocketError(error, endpoint) : undefined
  if (socket !== undefined)
    return new DriverAdapterError({ ...socket, originalCode: (error as MysqlSocketError).code })
  throw error
}

/**
 * A MySQL server error number as a Prisma error kind.
 *
 * @example
 * ```ts
 * mapServerError({ errno: 1062, sqlMessage: "Duplicate entry '1' for key 'PRIMARY'" })
 * // { kind: 'UniqueConstraintViolation', constraint: { index: 'PRIMARY' }, table: undefined }
 * ```
 */
export function mapServerError(error: MysqlServerError): MappedError {
  const message = error.sqlMessage ?? undefined
  const words = message?.split(' ') ?? []
  switch (error.errno) {
    case 1062: {
      // "Duplicate entry 'x' for key 'table.index'" (MySQL 8) or "... for key 'index'" (MariaDB)
      const key = quoted(words.at(-1), "'")
      const parts = key?.split('.')
      const index = parts?.at(-1)
      return {
        kind: 'UniqueConstraintViolation',
        constraint: index === undefined ? undefined : { index },
        table: parts !== undefined && parts.length > 1 ? parts.slice(0, -1).join('.') : undefined,
      } as MappedError
    }
    case 1451:
    case 1452: {
      // "... a foreign key constraint fails (`db`.`t`, CONSTRAINT `fk` FOREIGN KEY (`col`) REFERENCES ..."
      const field = quoted(words.at(17), '`')
      return {
        kind: 'ForeignKeyConstraintViolation',
        constraint: field === undefined ? undefined : { fields: [field] },
      } as MappedError
    }
    case 1263: {
      const index = quoted(words.at(-1), "'")
      return {
        kind: 'NullConstraintViolation',
        constraint: index === undefined ? undefined : { index },
      } as MappedError
    }
    case 1264:
      return { kind: 'ValueOutOfRange', cause: message ?? 'N/A' }
    case 1364:
    case 1048: {
      // "Column 'x' cannot be null" / "Field 'x' doesn't have a default value"
      const field = quoted(words.at(1), "'")
      return {
        kind: 'NullConstraintViolation',
        constraint: field === undefined ? undefined : { fields: [field] },
      } as MappedError
    }
    case 1049:
      return { kind: 'DatabaseDoesNotExist', db: quoted(words.at(-1), "'") } as MappedError
    case 1007:
      return { kind: 'DatabaseAlreadyExists', db: quoted(words.at(3), "'") } as MappedError
    case 1044:
      return { kind: 'DatabaseAccessDenied', db: quoted(words.at(-1), "'") } as MappedError
    case 1045:
      // "Access denied for user 'u'@'host' (using password: YES)"
      return { kind: 'AuthenticationFailed', user: quoted(words.at(4)?.split('@')[0], "'") } as MappedError
    case 1146:
      return { kind: 'TableDoesNotExist', table: quoted(words.at(1), "'")?.split('.').at(-1) } as MappedError
    case 1054:
      return { kind: 'ColumnNotFound', column: quoted(words.at(2), "'") } as MappedError
    case 1406:
      return { kind: 'LengthMismatch', column: words.flatMap((word) => word.split("'")).at(6) } as MappedError
    case 1191:
      return { kind: 'MissingFullTextSearchIndex' }
    case 1213:
    case 1205:
      return { kind: 'TransactionWriteConflict' }
    case 1040:
    case 1203:
      return { kind: 'TooManyConnections', cause: message ?? 'N/A' }
    default:
      return {
        kind: 'mysql',
        code: error.errno,
        message: message ?? 'N/A',
        state: error.sqlState ?? 'N/A',
        cause: error.cause?.message,
      } as MappedError
  }
}

/** The text between the first pair of `mark`s in `word`, e.g. `'PRIMARY'` → `PRIMARY`. */
function quoted(word: string | undefined, mark: string): string | undefined {
  return word?.split(mark).at(1)
}

function isServerError(error: unknown): error is MysqlServerError {
  if (typeof error !== 'object' || error === null) return false
  const e = error as Record<string, unknown>
  return (
    typeof e['errno'] === 'number' &&
    e['errno'] > 0 &&
    (typeof e['sqlMessage'] === 'string' || e['sqlMessage'] === null) &&
    (typeof e['sqlState'] === 'string' || e['sqlState'] === null || e['sqlState'] === undefined)
  )
}

function isSocketError(error: unknown): error is MysqlSocketError {
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string'
}

function mapSocketError(error: MysqlSocketError, endpoint: AdapterEndpoint): MappedError | undefined {
  switch (error.code) {
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EHOSTUNREACH':
      return { kind: 'DatabaseNotReachable', ...definedEndpoint(endpoint) }
    case 'ETIMEDOUT':
      return { kind: 'SocketTimeout' }
    case 'ECONNRESET':
    case 'EPIPE':
    case 'PROTOCOL_CONNECTION_LOST':
      return { kind: 'ConnectionClosed' }
    default:
      return undefined
  }
}
