import type { Clock } from '../../core/runtime.js'

interface Pending {
  readonly at: number
  readonly fire: () => void
  cancelled: boolean
}

/** A clock that moves only when the test says so; `advance` fires due timers and lets promise chains settle. */
export class FakeClock implements Clock {
  #now = 0
  readonly #pending: Pending[] = []
  readonly wallStart = Date.UTC(2026, 10, 22, 12, 0, 0)

  now(): number {
    return this.#now
  }

  wallNow(): number {
    return this.wallStart + this.#now
  }

  timer(ms: number, fn: () => void): () => void {
    const entry: Pending = { at: this.#now + Math.max(0, ms), fire: fn, cancelled: false }
    this.#pending.push(entry)
    return () => {
      entry.cancelled = true
    }
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted === true) return resolve()
      const cancel = this.timer(ms, resolve)
      signal?.addEventListener(
        'abort',
        () => {
          cancel()
          resolve()
        },
        { once: true },
      )
    })
  }

  /** Moves time forward by `ms`, firing timers in order and flushing microtasks after each. */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms
    await flush()
    for (;;) {
      const next = this.#pending.filter((p) => !p.cancelled && p.at <= end).sort((a, b) => a.at - b.at)[0]
      if (next === undefined) break
      this.#now = Math.max(this.#now, next.at)
      next.cancelled = true
      this.#pending.splice(this.#pending.indexOf(next), 1)
      next.fire()
      await flush()
    }
    this.#now = end
    await flush()
  }
}

/** Lets every queued promise continuation run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve))
}
