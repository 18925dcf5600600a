import type { Clock } from '../../core/runtime.js'
import type { FakeClock } from './fake-clock.js'

/** A clock that counts the timers still pending, to prove that closing leaves none behind. */
export class CountingClock implements Clock {
  readonly #inner: FakeClock
  pending = 0
  constructor(inner: FakeClock) {
    this.#inner = inner
  }
  now(): number {
    return this.#inner.now()
  }
  wallNow(): number {
    return this.#inner.wallNow()
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return this.#inner.sleep(ms, signal)
  }
  timer(ms: number, fn: () => void): () => void {
    this.pending++
    let done = false
    const finish = (): void => {
      if (!done) this.pending--
      done = true
    }
    const cancel = this.#inner.timer(ms, () => {
      finish()
      fn()
    })
    return () => {
      finish()
      cancel()
    }
  }
}
