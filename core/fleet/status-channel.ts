/**
 * The shared status channel (README, "Fleets: the Redis status channel"): per deployment one process of a fleet
 * holds a lease and runs the two monitors, and publishes every status it computes; the others run no monitoring
 * connection and route from what they receive. The core only describes the channel; `rds-bluegreen/redis`
 * implements it over node-redis. Payloads are opaque strings here: the core encodes and validates them
 * (`core/fleet/wire.ts`), so a channel only stores and forwards text.
 */

/** A held lease: `epoch` increases with every grant (fencing), `token` proves the holder. */
export interface StatusChannelLease {
  readonly epoch: number
  readonly token: string
}

/** What a subscription reports: every payload published for the deployment, and any failure of the channel. */
export interface StatusChannelListener {
  status(payload: string): void
  /** The channel's connection failed: the subscriber stops trusting it at once. */
  error(err: Error): void
}

/**
 * A fleet-wide channel for one or more deployments. Every method may reject (the caller then falls back to its
 * own monitors); none may keep the process alive.
 *
 * @example
 * ```ts
 * import { redisStatusChannel } from 'rds-bluegreen/redis'
 * const blueGreen = { bgdId: 'orders', statusChannel: redisStatusChannel(redisClient) }
 * ```
 */
export interface StatusChannel {
  /** Takes the lease of `bgdId` for `ttlMs` when nobody holds it; `undefined` when another process does. */
  acquireLease(bgdId: string, ttlMs: number): Promise<StatusChannelLease | undefined>
  /** Extends a held lease; `false` when it lapsed or another process holds it now. */
  renewLease(bgdId: string, lease: StatusChannelLease, ttlMs: number): Promise<boolean>
  /** Gives a held lease up (nothing when it is not held by `lease` any more). */
  releaseLease(bgdId: string, lease: StatusChannelLease): Promise<void>
  /**
   * Publishes `payload` to the subscribers and keeps it as the latest for `ttlMs`, only while `lease` holds the
   * lease; `false` when it does not (nothing is published then).
   */
  publish(bgdId: string, lease: StatusChannelLease, payload: string, ttlMs: number): Promise<boolean>
  /** The latest payload kept, if any. */
  latest(bgdId: string): Promise<string | undefined>
  /** Subscribes to `bgdId`'s payloads; returns the unsubscribe function (which never throws). */
  subscribe(bgdId: string, listener: StatusChannelListener): Promise<() => void>
}

const METHODS = ['acquireLease', 'renewLease', 'releaseLease', 'publish', 'latest', 'subscribe'] as const

/**
 * Whether `value` has every method of a {@link StatusChannel} (options validation).
 *
 * @example
 * ```ts
 * isStatusChannel(redisStatusChannel(client)) // true
 * ```
 */
export function isStatusChannel(value: unknown): value is StatusChannel {
  if (typeof value !== 'object' || value === null) return false
  const record = value as Record<string, unknown>
  return METHODS.every((method) => typeof record[method] === 'function')
}
