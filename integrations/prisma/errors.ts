import type { Error as AdapterErrorPayload } from '@prisma/driver-adapter-utils'
import { DriverAdapterError, isDriverAdapterError } from '@prisma/driver-adapter-utils'
import type { BlueGreenError, BlueGreenErrorCode } from '../../core/errors.js'
import { isBlueGreenError } from '../../core/errors.js'

/** Where the adapter connects, for Prisma's "Can't reach database server at host:port" message. */
export interface AdapterEndpoint {
  readonly host?: string | undefined
  readonly port?: number | undefined
}

/**
 * The Prisma error payload for one of our errors. A held-too-long call, a refused green connection and a
 * missing green counterpart are "database not reachable" (P1001). A statement that reached the old, read-only
 * blue server is a write conflict (P2034, the code Prisma's documentation tells applications to retry; inside an
 * interactive transaction the whole transaction must be retried, because its connection was discarded). Our
 * `code` and message travel as `originalCode`/`originalMessage`, so raw queries (P2010) name the cause and
 * {@link blueGreenCodeOf} can read it back.
 *
 * @example
 * ```ts
 * blueGreenErrorPayload(new BlueGreenConnectRejectedError({}), { host: 'db', port: 5432 })
 * // { kind: 'DatabaseNotReachable', host: 'db', port: 5432, originalCode: 'GREEN_REJECTED', originalMessage: '...' }
 * ```
 */
export function blueGreenErrorPayload(error: BlueGreenError, endpoint: AdapterEndpoint): AdapterErrorPayload {
  const original = { originalCode: error.code, originalMessage: `${error.name}: ${error.message}` }
  switch (error.code) {
    case 'SWITCHOVER_TIMEOUT':
    case 'GREEN_REJECTED':
    case 'CORRESPONDING_HOST_NOT_FOUND':
    case 'HOLD_ABORTED':
      return { kind: 'DatabaseNotReachable', ...definedEndpoint(endpoint), ...original }
    case 'READ_ONLY_CONNECTION':
    case 'TRANSACTION_INTERRUPTED':
      return { kind: 'TransactionWriteConflict', ...original }
    case 'INVALID_CONFIG':
      return { kind: 'InvalidInputValue', message: original.originalMessage, ...original }
  }
}

/**
 * Turns one of our errors into the `DriverAdapterError` Prisma's client understands; anything else is returned
 * unchanged (Prisma's adapters already classify driver errors).
 *
 * @example
 * ```ts
 * try { await inner.queryRaw(query) } catch (err) { throw toPrismaError(err, endpoint) }
 * ```
 */
export function toPrismaError(error: unknown, endpoint: AdapterEndpoint): unknown {
  if (!isBlueGreenError(error)) return error
  return new DriverAdapterError(blueGreenErrorPayload(error, endpoint))
}

/**
 * pg's own errors for a connection lost mid-statement carry no code, so Prisma's pg adapter passes them through
 * unclassified; they are "server has closed the connection" (P1017), which applications retry.
 *
 * @example
 * ```ts
 * pgConnectionLost(new Error('Connection terminated unexpectedly')) // DriverAdapterError { kind: 'ConnectionClosed' }
 * ```
 */
export function pgConnectionLost(error: unknown): unknown {
  if (!(error instanceof Error) || (error as { code?: unknown }).code !== undefined) return error
  if (!/^Connection terminated|connection error and is not queryable/.test(error.message)) return error
  return new DriverAdapterError({ kind: 'ConnectionClosed', originalMessage: error.message })
}

/** Calls `fn` and rethrows our errors (and pg's uncoded connection losses) as `DriverAdapterError`s. */
export async function mapped<T>(endpoint: AdapterEndpoint, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    throw pgConnectionLost(toPrismaError(err, endpoint))
  }
}

/**
 * The Blue/Green error code behind an error thrown by a Prisma client using one of our adapters (a
 * `PrismaClientKnownRequestError` whose `meta.driverAdapterError` we produced), or `undefined`.
 *
 * @example
 * ```ts
 * try { await prisma.order.create({ data }) } catch (err) {
 *   if (blueGreenCodeOf(err) === 'READ_ONLY_CONNECTION') return prisma.order.create({ data }) // safe to retry
 *   throw err
 * }
 * ```
 */
export function blueGreenCodeOf(error: unknown): BlueGreenErrorCode | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  if (isBlueGreenError(error)) return error.code
  const meta = (error as { meta?: unknown }).meta
  const candidate: unknown = isDriverAdapterError(error)
    ? error
    : typeof meta === 'object' && meta !== null
      ? (meta as { driverAdapterError?: unknown }).driverAdapterError
      : undefined
  // Prisma's own guard reads `.name` without a null check
  if (typeof candidate !== 'object' || candidate === null || !isDriverAdapterError(candidate))
    return undefined
  const code = candidate.cause.originalCode
  return code !== undefined && BLUE_GREEN_CODES.has(code) ? (code as BlueGreenErrorCode) : undefined
}

const BLUE_GREEN_CODES: ReadonlySet<string> = new Set<BlueGreenErrorCode>([
  'INVALID_CONFIG',
  'SWITCHOVER_TIMEOUT',
  'CORRESPONDING_HOST_NOT_FOUND',
  'GREEN_REJECTED',
  'READ_ONLY_CONNECTION',
  'TRANSACTION_INTERRUPTED',
])

/** The endpoint's known parts, for a `DatabaseNotReachable` payload. */
export function definedEndpoint(endpoint: AdapterEndpoint): { host?: string; port?: number } {
  return {
    ...(endpoint.host === undefined ? {} : { host: endpoint.host }),
    ...(endpoint.port === undefined ? {} : { port: endpoint.port }),
  }
}
