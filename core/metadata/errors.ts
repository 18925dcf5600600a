/**
 * Classifies errors of the metadata existence and status queries (spec §2.8) from the error objects of `pg`
 * (`DatabaseError`: `code` is the SQLSTATE) and `mysql2` (`errno` number, `code` like `ER_NO_SUCH_TABLE`,
 * `fatal` when the connection is unusable) and from Node's socket errors (`code` like `ECONNRESET`).
 */

/**
 * - `not-created`: the metadata is absent or not readable by this user; the phase is NOT_CREATED and the
 *   connection stays usable.
 * - `connection`: the connection is broken; drop it and reconnect.
 * - `sql`: any other failure of the statement.
 */
export type StatusErrorKind = 'not-created' | 'connection' | 'sql'

/** Aurora PG raises this once the deployment is torn down; "occured" is AWS's spelling. */
const AURORA_METADATA_GONE = /an error occur+ed while retrieving the blue\/green fast switchover metadata/i

/**
 * MySQL: no such table (1146), table access denied (1142), syntax error (1064), database access denied (1044).
 * 1045 (access denied for a user) counts only when it names a table, as some proxies report table denials so.
 */
const MYSQL_NOT_CREATED = new Set([1146, 1142, 1064, 1044])

/** PG: class 42 (syntax error or access rule violation) and 3F000, raised for a missing `rds_tools` schema. */
const PG_NOT_CREATED = /^(?:42[0-9A-Z]{3}|3F000)$/

/** PG: class 08 (connection exception) and the server going away (57P01 admin, 57P02 crash, 57P03 starting). */
const PG_CONNECTION = /^(?:08[0-9A-Z]{3}|57P0[123])$/

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_SERVER_SHUTDOWN',
])

// pg reports a dead socket as plain Errors with these texts; mysql2 as "...closed state".
const CONNECTION_TEXT =
  /connection terminated|not queryable|timeout expired|query read timeout|closed state|socket hang up/i

/** How deep `cause` chains and `AggregateError.errors` are followed; wrappers rarely nest deeper. */
const MAX_DEPTH = 4

interface ErrorFacts {
  readonly code: string | undefined
  readonly errno: number | undefined
  readonly message: string
  readonly fatal: boolean
}

/**
 * Tells what a failed existence or status query means for the monitor.
 *
 * @example
 * ```ts
 * classifyStatusError({ code: '42P01', message: 'relation "mysql.rds_topology" does not exist' }) // 'not-created'
 * classifyStatusError({ code: 'ECONNRESET', errno: -104, message: 'read ECONNRESET' }) // 'connection'
 * classifyStatusError({ code: '57014', message: 'canceling statement due to statement timeout' }) // 'sql'
 * ```
 */
export function classifyStatusError(err: unknown): StatusErrorKind {
  const chain = errorChain(err, 0)
  if (chain.some(isNotCreated)) return 'not-created'
  if (chain.some(isConnectionError)) return 'connection'
  return 'sql'
}

/**
 * True when a connect failed for network reasons (refused, reset, timed out, name not found, server starting or
 * going away), as opposed to the server refusing this user (authentication, database access), which a user must
 * be told about. mysql2's `fatal` flag is not used here: it is set on authentication errors too.
 *
 * @example
 * ```ts
 * isNetworkError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:3306' }) // true
 * isNetworkError({ code: 'ER_ACCESS_DENIED_ERROR', errno: 1045, fatal: true, message: 'Access denied' }) // false
 * ```
 */
export function isNetworkError(err: unknown): boolean {
  return errorChain(err, 0).some((facts) => isConnectionError({ ...facts, fatal: false }))
}

function isNotCreated(facts: ErrorFacts): boolean {
  if (AURORA_METADATA_GONE.test(facts.message)) return true
  if (facts.errno !== undefined && MYSQL_NOT_CREATED.has(facts.errno)) return true
  if (facts.errno === 1045 && /\btable\b/i.test(facts.message)) return true
  return PG_NOT_CREATED.test(sqlState(facts))
}

function isConnectionError(facts: ErrorFacts): boolean {
  if (facts.fatal) return true
  if (facts.code !== undefined && NETWORK_CODES.has(facts.code)) return true
  if (PG_CONNECTION.test(sqlState(facts))) return true
  return CONNECTION_TEXT.test(facts.message)
}

/** The PG SQLSTATE, or ''. A positive errno marks a MySQL error, whose `code` is never a SQLSTATE. */
function sqlState(facts: ErrorFacts): string {
  const mysql = facts.errno !== undefined && facts.errno > 0
  return !mysql && facts.code !== undefined && /^[0-9A-Z]{5}$/.test(facts.code) ? facts.code : ''
}

/** The error, then its `cause` chain and, for `AggregateError`, its inner errors. */
function errorChain(err: unknown, depth: number): ErrorFacts[] {
  if (typeof err !== 'object' || err === null || depth > MAX_DEPTH) {
    return typeof err === 'string' ? [{ code: undefined, errno: undefined, message: err, fatal: false }] : []
  }
  const record = err as Readonly<Record<string, unknown>>
  const facts: ErrorFacts = {
    code: typeof record['code'] === 'string' ? record['code'] : undefined,
    errno: typeof record['errno'] === 'number' ? record['errno'] : undefined,
    message: typeof record['message'] === 'string' ? record['message'] : '',
    fatal: record['fatal'] === true,
  }
  const inner = Array.isArray(record['errors']) ? (record['errors'] as unknown[]) : []
  return [facts, ...[record['cause'], ...inner].flatMap((next) => errorChain(next, depth + 1))]
}
