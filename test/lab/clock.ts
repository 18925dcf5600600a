import { performance } from 'node:perf_hooks'

/** Milliseconds since the lab started; every log (ops, DNS, proxy, events) uses the same clock. */
export interface LabClock {
  now(): number
}

/**
 * A monotonic clock whose zero is the moment of creation.
 *
 * @example
 * const clock = createClock(); setTimeout(() => console.log(clock.now()), 10)
 */
export function createClock(): LabClock {
  const zero = performance.now()
  return Object.freeze({ now: () => Math.round((performance.now() - zero) * 10) / 10 })
}

/** A sleep whose timer never keeps the process alive. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)).unref())
}
