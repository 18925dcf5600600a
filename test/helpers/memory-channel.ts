import type {
  StatusChannel,
  StatusChannelLease,
  StatusChannelListener,
} from '../../core/fleet/status-channel.js'
import type { Clock } from '../../core/runtime.js'

/**
 * An in-memory stand-in for Redis shared by several "processes" of a unit test: leases with expiry on the
 * injected clock, an epoch counter, the latest payload, and pub/sub delivered on the microtask queue. Each process
 * gets its own view ({@link MemoryRedis.channel}), which a test can mute (its publishes are lost, as from a hung
 * leader) or cut (its connection fails).
 */
export class MemoryRedis {
  readonly #clock: Clock
  readonly #leases = new Map<string, { token: string; expiresAt: number }>()
  readonly #epochs = new Map<string, number>()
  readonly #latest = new Map<string, { payload: string; expiresAt: number }>()
  readonly #subscribers = new Map<string, Set<StatusChannelListener>>()
  #tokens = 0
  /** Every payload published, in order. */
  readonly published: { bgdId: string; payload: string }[] = []

  constructor(clock: Clock) {
    this.#clock = clock
  }

  /** One process's connection. */
  channel(): MemoryChannel {
    return new MemoryChannel(this)
  }

  holder(bgdId: string): string | undefined {
    const lease = this.#leases.get(bgdId)
    return lease === undefined || lease.expiresAt <= this.#clock.now() ? undefined : lease.token
  }

  subscriberCount(bgdId: string): number {
    return this.#subscribers.get(bgdId)?.size ?? 0
  }

  /** Delivers `payload` to every subscriber of `bgdId`, as anyone with access to Redis could. */
  broadcast(bgdId: string, payload: string): void {
    for (const listener of [...(this.#subscribers.get(bgdId) ?? [])])
      queueMicrotask(() => listener.status(payload))
  }

  acquire(bgdId: string, ttlMs: number): StatusChannelLease | undefined {
    if (this.holder(bgdId) !== undefined) return undefined
    const token = `t${++this.#tokens}`
    this.#leases.set(bgdId, { token, expiresAt: this.#clock.now() + ttlMs })
    const epoch = (this.#epochs.get(bgdId) ?? 0) + 1
    this.#epochs.set(bgdId, epoch)
    return { epoch, token }
  }

  renew(bgdId: string, lease: StatusChannelLease, ttlMs: number): boolean {
    if (this.holder(bgdId) !== lease.token) return false
    this.#leases.set(bgdId, { token: lease.token, expiresAt: this.#clock.now() + ttlMs })
    return true
  }

  release(bgdId: string, lease: StatusChannelLease): void {
    if (this.holder(bgdId) === lease.token) this.#leases.delete(bgdId)
  }

  publish(bgdId: string, lease: StatusChannelLease, payload: string, ttlMs: number, muted: boolean): boolean {
    if (this.holder(bgdId) !== lease.token) return false
    if (muted) return true
    this.#latest.set(bgdId, { payload, expiresAt: this.#clock.now() + ttlMs })
    this.published.push({ bgdId, payload })
    this.broadcast(bgdId, payload)
    return true
  }

  latest(bgdId: string): string | undefined {
    const kept = this.#latest.get(bgdId)
    return kept === undefined || kept.expiresAt <= this.#clock.now() ? undefined : kept.payload
  }

  subscribe(bgdId: string, listener: StatusChannelListener): () => void {
    const set = this.#subscribers.get(bgdId) ?? new Set()
    this.#subscribers.set(bgdId, set.add(listener))
    return () => set.delete(listener)
  }
}

/** One process's view of a {@link MemoryRedis}. */
export class MemoryChannel implements StatusChannel {
  readonly #redis: MemoryRedis
  readonly #listeners = new Set<StatusChannelListener>()
  /** Publishes are lost (a hung leader). */
  muted = false
  #down: Error | undefined
  /** Operations this view ran, by name. */
  readonly calls: string[] = []

  constructor(redis: MemoryRedis) {
    this.#redis = redis
  }

  /** The connection fails: subscribers hear the error, every operation rejects until {@link restore}. */
  cut(err = new Error('Socket closed unexpectedly')): void {
    this.#down = err
    for (const listener of this.#listeners) listener.error(err)
  }

  restore(): void {
    this.#down = undefined
  }

  async acquireLease(bgdId: string, ttlMs: number): Promise<StatusChannelLease | undefined> {
    return this.#run('acquireLease', () => this.#redis.acquire(bgdId, ttlMs))
  }

  async renewLease(bgdId: string, lease: StatusChannelLease, ttlMs: number): Promise<boolean> {
    return this.#run('renewLease', () => this.#redis.renew(bgdId, lease, ttlMs))
  }

  async releaseLease(bgdId: string, lease: StatusChannelLease): Promise<void> {
    return this.#run('releaseLease', () => this.#redis.release(bgdId, lease))
  }

  async publish(bgdId: string, lease: StatusChannelLease, payload: string, ttlMs: number): Promise<boolean> {
    return this.#run('publish', () => this.#redis.publish(bgdId, lease, payload, ttlMs, this.muted))
  }

  async latest(bgdId: string): Promise<string | undefined> {
    return this.#run('latest', () => this.#redis.latest(bgdId))
  }

  async subscribe(bgdId: string, listener: StatusChannelListener): Promise<() => void> {
    return this.#run('subscribe', () => {
      const guarded: StatusChannelListener = {
        status: (payload) => {
          if (this.#down === undefined) listener.status(payload)
        },
        error: (err) => listener.error(err),
      }
      this.#listeners.add(guarded)
      const off = this.#redis.subscribe(bgdId, guarded)
      return () => {
        this.#listeners.delete(guarded)
        off()
      }
    })
  }

  #run<T>(name: string, fn: () => T): T {
    this.calls.push(name)
    if (this.#down !== undefined) throw this.#down
    return fn()
  }
}
