import { isBlueGreenError } from '../../core/errors.js'
import type { Clock } from '../../core/runtime.js'

/** The longest pause between two attempts (the first is `bgHighMs`, then it doubles). */
export const MAX_RETRY_PAUSE_MS = 1_000

/** What one attempt of a retried statement ran into. */
export type AttemptOutcome<T> =
  | { readonly kind: 'done'; readonly value: T }
  /** The server refused the statement before running it (read-only), or no connection could be made: again. */
  | { readonly kind: 'again'; readonly error: unknown }
  /** Anything else, including a connection lost after the statement was sent: it may have run, never again. */
  | { readonly kind: 'failed'; readonly error: unknown }

/** Bounds of a retry: until `deadline` (clock ms), pausing `firstPauseMs` then doubling up to 1 s. */
export interface RetryBounds {
  readonly clock: Clock
  readonly deadline: number
  readonly firstPauseMs: number
}

/**
 * Runs `attempt` until it is done or fails for good, pausing between attempts (unref'd timers); after the
 * deadline the last "again" error is thrown (the original read-only error when nothing better is known). Each
 * attempt opens its own connection, so DNS is asked again every time (issue 12 item 2).
 *
 * @example
 * ```ts
 * const rows = await retryUntil(bounds, readOnlyError, async () => {
 *   const fresh = await openFresh().catch((error: unknown) => undefined)
 *   return fresh === undefined ? { kind: 'again', error } : run(fresh)
 * })
 * ```
 */
export async function retryUntil<T>(
  bounds: RetryBounds,
  original: unknown,
  attempt: () => Promise<AttemptOutcome<T>>,
): Promise<T> {
  let pause = Math.max(1, bounds.firstPauseMs)
  let last: unknown = original
  for (;;) {
    const outcome = await attempt()
    if (outcome.kind === 'done') return outcome.value
    if (outcome.kind === 'failed') throw outcome.error
    if (isBlueGreenError(outcome.error) || !isBlueGreenError(last)) last = outcome.error
    const left = bounds.deadline - bounds.clock.now()
    if (left <= 0) throw last
    await bounds.clock.sleep(Math.min(pause, left))
    pause = Math.min(pause * 2, MAX_RETRY_PAUSE_MS)
  }
}

/**
 * Whether an error met while opening a fresh connection is worth another attempt: the library's own
 * retryable errors (a fenced server, a held connect that timed out is not), and network errors.
 *
 * @example
 * ```ts
 * openFresh().catch((error) => (connectRetryable(error) ? again(error) : failed(error)))
 * ```
 */
export function connectRetryable(error: unknown): boolean {
  if (isBlueGreenError(error)) return error.code === 'READ_ONLY_CONNECTION'
  const code = (error as { code?: unknown } | null)?.code
  return (
    typeof code === 'string' &&
    /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN)$/.test(code)
  )
}

const retryConfigs = new WeakSet<object>()

/**
 * Marks a driver config as the one of a connection the library opens to send a refused statement again: such a
 * connection maps read-only errors but never retries in turn.
 *
 * @example
 * ```ts
 * new BlueGreenPgClient(retryConnectionConfig(copy))
 * ```
 */
export function retryConnectionConfig<T extends object>(config: T): T {
  retryConfigs.add(config)
  return config
}

/**
 * Whether `config` was marked by {@link retryConnectionConfig}.
 *
 * @example
 * ```ts
 * const retries = !isRetryConnection(input)
 * ```
 */
export function isRetryConnection(config: unknown): boolean {
  return typeof config === 'object' && config !== null && retryConfigs.has(config)
}
