/**
 * Bounded waits for monitor operations. A timed-out operation fails with {@link MonitorTimeoutError}, whose
 * `ETIMEDOUT` code classifies it as a connection failure: the connection it ran on may be hung and is dropped.
 */

/** A monitor operation did not finish in time (or the monitor stopped while it ran). */
export class MonitorTimeoutError extends Error {
  override readonly name = 'MonitorTimeoutError'
  readonly code = 'ETIMEDOUT'
}

/**
 * Races `promise` against an unref'd timer and the stop signal; a result that arrives after either goes to
 * `onLate` (a late connection must still be closed). One abort listener per call, removed when it settles.
 *
 * @example
 * ```ts
 * const rows = await withTimeout(connection.readStatus(), 2_000, stopSignal)
 * ```
 */
export function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  stop: AbortSignal,
  onLate?: (value: T) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false
    const finish = (): void => {
      settled = true
      clearTimeout(timer)
      stop.removeEventListener('abort', onStop)
    }
    const give = (reason: string): void => {
      if (settled) return
      finish()
      reject(new MonitorTimeoutError(reason))
    }
    const onStop = (): void => give('monitor stopped')
    const timer = setTimeout(() => give(`monitoring operation timed out after ${ms} ms`), ms)
    timer.unref()
    if (stop.aborted) onStop()
    else stop.addEventListener('abort', onStop, { once: true })
    promise.then(
      (value) => {
        if (settled) return onLate?.(value)
        finish()
        resolve(value)
      },
      (err: unknown) => {
        if (settled) return
        finish()
        reject(err instanceof Error ? err : new Error(String(err)))
      },
    )
  })
}

/** Lets timers and I/O run between chunks of synchronous work. */
export function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}
