import type { ResolvedOptions } from '../options.js'
import { isSwitchoverRunning } from '../phases.js'
import type { Phase } from '../phases.js'
import type { Clock } from '../runtime.js'

/** How long a lease lasts without renewal; the leader renews it every third of that. */
export const LEASE_TTL_MS = 2_000
/** Longest wait for one channel operation; a slower channel counts as failed. */
export const CHANNEL_TIMEOUT_MS = 1_000
/** The least staleness tolerated during a switchover, whatever the polling interval. */
export const MIN_SWITCHOVER_STALE_MS = 500

type Intervals = Pick<ResolvedOptions, 'baselineMs' | 'increasedMs' | 'highMs' | 'channelStaleMs'>

/**
 * The monitors' polling interval in `phase`.
 *
 * @example
 * ```ts
 * intervalMs(DEFAULT_OPTIONS, 'IN_PROGRESS') // 100
 * ```
 */
export function intervalMs(options: Intervals, phase: Phase): number {
  if (isSwitchoverRunning(phase)) return options.highMs
  return phase === 'CREATED' ? options.increasedMs : options.baselineMs
}

/**
 * How long a follower trusts a status of `phase` without a fresh one: `bgChannelStaleMs`, or 3 × the polling
 * interval of `phase` (at least 500 ms during a switchover). The leader keeps its latest status that long.
 *
 * @example
 * ```ts
 * staleMs(DEFAULT_OPTIONS, 'IN_PROGRESS') // 500
 * staleMs(DEFAULT_OPTIONS, 'CREATED') // 3000
 * ```
 */
export function staleMs(options: Intervals, phase: Phase): number {
  if (options.channelStaleMs !== undefined) return options.channelStaleMs
  const stale = 3 * intervalMs(options, phase)
  return isSwitchoverRunning(phase) ? Math.max(MIN_SWITCHOVER_STALE_MS, stale) : stale
}

/**
 * How often the leader repeats an unchanged status: three times per staleness period (by default once per
 * polling interval, every 166 ms during a switchover).
 *
 * @example
 * ```ts
 * heartbeatMs(DEFAULT_OPTIONS, 'CREATED') // 1000
 * ```
 */
export function heartbeatMs(options: Intervals, phase: Phase): number {
  return Math.max(20, Math.floor(staleMs(options, phase) / 3))
}

/**
 * `operation`, failing with an error when it takes longer than {@link CHANNEL_TIMEOUT_MS} on `clock`.
 *
 * @example
 * ```ts
 * const payload = await timed(clock, channel.latest('orders'))
 * ```
 */
export function timed<T>(clock: Clock, operation: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const cancel = clock.timer(CHANNEL_TIMEOUT_MS, () =>
      reject(new Error(`no answer within ${CHANNEL_TIMEOUT_MS} ms`)),
    )
    operation.then(
      (value) => {
        cancel()
        resolve(value)
      },
      (err: unknown) => {
        cancel()
        reject(err instanceof Error ? err : new Error(String(err)))
      },
    )
  })
}
