/**
 * Process-wide "say it once" bookkeeping, shared by the ESM and the CommonJS copy of the library through
 * `globalThis`. The set is bounded: a key that changes on every poll (a host name that is new each time) must not
 * grow memory forever, so the oldest keys are forgotten first.
 */

const WARNED = Symbol.for('rds-bluegreen.warned')

/** How many distinct keys are remembered; older ones are forgotten first (a forgotten key may warn again). */
export const WARN_ONCE_CAPACITY = 1_000

function seenKeys(): Set<string> {
  const store = globalThis as unknown as Record<symbol, unknown>
  let seen = store[WARNED]
  if (!(seen instanceof Set)) {
    seen = new Set<string>()
    store[WARNED] = seen
  }
  return seen as Set<string>
}

/**
 * Calls `warn(message)` the first time `key` is seen in this process (among the last
 * {@link WARN_ONCE_CAPACITY} keys).
 *
 * @example
 * ```ts
 * warnOnce('version:2.0', 'unknown version 2.0', logger.warn) // logs
 * warnOnce('version:2.0', 'unknown version 2.0', logger.warn) // silent
 * ```
 */
export function warnOnce(key: string, message: string, warn: (message: string) => void): void {
  if (!rememberOnce(key)) return
  warn(message)
}

/**
 * Records `key`; true the first time (the caller should speak), false when it was already recorded.
 *
 * @example
 * ```ts
 * if (rememberOnce(`unavailable:${bgdId}`)) logger.warn('...')
 * ```
 */
export function rememberOnce(key: string): boolean {
  const set = seenKeys()
  if (set.has(key)) return false
  set.add(key)
  if (set.size > WARN_ONCE_CAPACITY) {
    const oldest = set.values().next().value
    if (oldest !== undefined) set.delete(oldest)
  }
  return true
}

/**
 * Forgets `key`, so the next {@link warnOnce} for it speaks again (a failure that recovered and came back).
 *
 * @example
 * ```ts
 * forgetOnce(`metadata-failing:${bgdId}`)
 * ```
 */
export function forgetOnce(key: string): void {
  seenKeys().delete(key)
}

/** Number of remembered keys (for tests). */
export function rememberedKeys(): number {
  return seenKeys().size
}
