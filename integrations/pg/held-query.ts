import type { Callback } from './query-forms.js'
import { failSubmittable } from './query-forms.js'

/** What a held call needs from its client: send it as usual, rescue it when the cut killed the connection. */
export interface HeldQueryHost {
  /** pg's own `query`, called on the client once the hold opens. */
  send(config: unknown, values?: unknown, callback?: unknown): unknown
  /** The orphaned-statement result (resent or interrupted), or `undefined` to send it here. */
  rescue(config: unknown, values: unknown): Promise<unknown> | undefined
  /** Reports a failed hold (exactly once) after discarding the connection when it was interrupted. */
  failHeld<T>(err: unknown, report: () => T): T
}

/**
 * A held call in every pg call form (Submittable, callback, config callback, promise): sent once the hold
 * opens, or failed through its own error path, exactly once.
 *
 * @example
 * ```ts
 * return heldQuery(host, hold, 'INSERT INTO t VALUES ($1)', [1], undefined) // a promise, as pg's query()
 * ```
 */
export function heldQuery(
  host: HeldQueryHost,
  hold: Promise<void>,
  config: unknown,
  values: unknown,
  callback: unknown,
): unknown {
  const record = typeof config === 'object' && config !== null ? (config as Record<string, unknown>) : {}
  if (typeof record['submit'] === 'function') {
    hold.then(
      () => host.send(config, values, callback),
      (err: unknown) => host.failHeld(err, () => failSubmittable(record, values, err)),
    )
    return config
  }
  const done = (
    typeof callback === 'function' ? callback : typeof values === 'function' ? values : undefined
  ) as Callback | undefined
  const own = typeof record['callback'] === 'function' ? (record['callback'] as Callback) : undefined
  const report = done ?? own
  if (report !== undefined) {
    hold.then(
      () => {
        const orphan = host.rescue(config, values)
        if (orphan === undefined) return host.send(config, values, callback)
        orphan.then(
          (result) => report(null, result),
          (err: unknown) => report(err),
        )
        return undefined
      },
      (err: unknown) => host.failHeld(err, () => report(err)),
    )
    return undefined
  }
  return hold.then(
    () => host.rescue(config, values) ?? (host.send(config, values) as Promise<unknown>),
    (err: unknown) =>
      host.failHeld(err, () => {
        throw err
      }),
  )
}
