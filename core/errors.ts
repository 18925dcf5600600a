import type { ExecuteKind, Phase } from './types.js'

/**
 * Every error code the library raises.
 *
 * @example
 * ```ts
 * if (isBlueGreenError(err) && err.code === 'SWITCHOVER_TIMEOUT') retryLater()
 * ```
 */
export type BlueGreenErrorCode =
  | 'INVALID_CONFIG'
  | 'SWITCHOVER_TIMEOUT'
  | 'CORRESPONDING_HOST_NOT_FOUND'
  | 'GREEN_REJECTED'
  | 'READ_ONLY_CONNECTION'
  | 'TRANSACTION_INTERRUPTED'
  | 'HOLD_ABORTED'

const BRAND = Symbol.for('rds-bluegreen.error')

interface BlueGreenErrorOptions {
  readonly bgdId?: string | undefined
  readonly phase?: Phase | undefined
  readonly cause?: unknown
}

/**
 * Base class of every error the library raises. `code` says what happened; `retryable` says whether running
 * the same operation again later can succeed. Recognise it across module copies with {@link isBlueGreenError}.
 *
 * @example
 * ```ts
 * try { await pool.query('select 1') } catch (err) {
 *   if (isBlueGreenError(err) && err.retryable) scheduleRetry()
 * }
 * ```
 */
export class BlueGreenError extends Error {
  override readonly name: string = 'BlueGreenError'
  readonly code: BlueGreenErrorCode
  readonly bgdId: string | undefined
  readonly phase: Phase | undefined
  readonly retryable: boolean
  readonly [BRAND] = true

  constructor(
    code: BlueGreenErrorCode,
    message: string,
    retryable: boolean,
    options: BlueGreenErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.bgdId = options.bgdId
    this.phase = options.phase
    this.retryable = retryable
  }
}

/**
 * True for any error raised by any copy (ESM or CommonJS) of this library; `instanceof` fails across copies.
 *
 * @example
 * ```ts
 * import { isBlueGreenError } from 'rds-bluegreen'
 * if (isBlueGreenError(err) && err.retryable) return retry()
 * ```
 */
export function isBlueGreenError(value: unknown): value is BlueGreenError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true
}

/**
 * A configuration value is invalid. `key` names the parameter as the user wrote it.
 *
 * @example
 * ```ts
 * resolveOptions({ bgConnectTimeoutMs: 0 }) // throws BlueGreenConfigError: key 'bgConnectTimeoutMs'
 * ```
 */
export class BlueGreenConfigError extends BlueGreenError {
  override readonly name = 'BlueGreenConfigError'
  readonly key: string

  constructor(key: string, message: string) {
    super('INVALID_CONFIG', `Invalid Blue/Green option '${key}': ${message}`, false)
    this.key = key
  }
}

/**
 * A connect or a call was held while the switchover was in progress and the hold timed out. Retryable; the
 * message is the AWS wrappers' text.
 *
 * @example
 * ```ts
 * if (err instanceof BlueGreenSwitchoverTimeoutError) console.warn(`held ${err.heldMs} ms`)
 * ```
 */
export class BlueGreenSwitchoverTimeoutError extends BlueGreenError {
  override readonly name = 'BlueGreenSwitchoverTimeoutError'
  readonly heldMs: number

  constructor(message: string, heldMs: number, options: BlueGreenErrorOptions) {
    super('SWITCHOVER_TIMEOUT', message, true, options)
    this.heldMs = heldMs
  }

  /** The AWS text for a held connect. */
  static connect(
    timeoutMs: number,
    heldMs: number,
    options: BlueGreenErrorOptions,
  ): BlueGreenSwitchoverTimeoutError {
    return new BlueGreenSwitchoverTimeoutError(
      `Blue/Green Deployment switchover is still in progress after ${timeoutMs} ms. Try to connect again later.`,
      heldMs,
      options,
    )
  }

  /** The AWS text for a held call. */
  static execute(
    timeoutMs: number,
    heldMs: number,
    kind: ExecuteKind,
    options: BlueGreenErrorOptions,
  ): BlueGreenSwitchoverTimeoutError {
    return new BlueGreenSwitchoverTimeoutError(
      `Blue/Green Deployment switchover is still in progress after ${timeoutMs} ms. Try '${kind}' again later.`,
      heldMs,
      options,
    )
  }
}

/**
 * In POST, a blue host had no green counterpart within the connect timeout. Retryable.
 *
 * @example
 * ```ts
 * if (isBlueGreenError(err) && err.code === 'CORRESPONDING_HOST_NOT_FOUND') retryLater()
 * ```
 */
export class BlueGreenCorrespondingHostNotFoundError extends BlueGreenError {
  override readonly name = 'BlueGreenCorrespondingHostNotFoundError'

  constructor(host: string, timeoutMs: number, options: BlueGreenErrorOptions) {
    super(
      'CORRESPONDING_HOST_NOT_FOUND',
      `Blue/Green Deployment switchover is still in progress and a corresponding node for '${host}' is not found after ${timeoutMs} ms. Try to connect again later.`,
      true,
      options,
    )
  }
}

/**
 * A new connection to a green host name was refused after the green topology changed (the green hosts now
 * carry the blue names). Retryable: connect to the blue name instead.
 *
 * @example
 * ```ts
 * if (err instanceof BlueGreenConnectRejectedError) useBlueEndpoint()
 * ```
 */
export class BlueGreenConnectRejectedError extends BlueGreenError {
  override readonly name = 'BlueGreenConnectRejectedError'

  constructor(options: BlueGreenErrorOptions) {
    super(
      'GREEN_REJECTED',
      "Blue/Green Deployment switchover is in progress. New connection can't be opened.",
      true,
      options,
    )
  }
}

/**
 * A statement failed with a read-only error on a connection to the old blue server during or after a
 * switchover. The connection was discarded; running the statement again opens one to the new writer.
 *
 * @example
 * ```ts
 * if (err instanceof BlueGreenReadOnlyError) return runAgain()
 * ```
 */
export class BlueGreenReadOnlyError extends BlueGreenError {
  override readonly name = 'BlueGreenReadOnlyError'

  /** `atConnect`: found when the connection was made (the server reported itself read-only), not by a statement. */
  constructor(options: BlueGreenErrorOptions & { readonly atConnect?: boolean }) {
    super(
      'READ_ONLY_CONNECTION',
      options.atConnect === true
        ? 'The new connection reached a server that no longer accepts writes (the old blue after a Blue/Green switchover, or a demoted writer); it was closed. Connect again.'
        : 'The connection reached a server that no longer accepts writes (the old blue after a Blue/Green switchover, or a demoted writer); it was discarded. Retry the statement.',
      true,
      options,
    )
  }
}

/**
 * A statement of a transaction that was opened on a blue connection before the switchover reached IN_PROGRESS.
 * Holding it would only delay a certain failure (the switchover cuts blue connections), so it fails at once and
 * the connection is discarded. Retryable: run the whole transaction again; it starts on a fresh connection
 * once the hold is over.
 *
 * @example
 * ```ts
 * if (err instanceof BlueGreenTransactionInterruptedError) return runTransactionAgain()
 * ```
 */
export class BlueGreenTransactionInterruptedError extends BlueGreenError {
  override readonly name = 'BlueGreenTransactionInterruptedError'

  /** `cut`: a statement the library held (it never reached the server) whose connection the switchover cut. */
  constructor(options: BlueGreenErrorOptions & { readonly cut?: boolean }) {
    super(
      'TRANSACTION_INTERRUPTED',
      options.cut === true
        ? 'The Blue/Green switchover cut the connection while this statement of a transaction was held (it never reached the server). Retry the transaction.'
        : 'The transaction was opened on a blue connection before the Blue/Green switchover started and cannot finish there; the connection was discarded. Retry the transaction.',
      true,
      options,
    )
  }
}

/**
 * A held connect ended early because its socket was closed meanwhile (pg-pool's `connectionTimeoutMillis` gave up
 * on it). Nobody waits for the connection any more, so it is not retryable.
 *
 * @example
 * ```ts
 * if (isBlueGreenError(err) && err.code === 'HOLD_ABORTED') return // the pool already gave up on this connect
 * ```
 */
export class BlueGreenHoldAbortedError extends BlueGreenError {
  override readonly name = 'BlueGreenHoldAbortedError'

  constructor(options: BlueGreenErrorOptions) {
    super(
      'HOLD_ABORTED',
      'The Blue/Green hold was aborted: the connection closed while it was held.',
      false,
      options,
    )
  }
}
