import { randomUUID } from 'node:crypto'
import { BlueGreenConfigError } from '../../core/errors.js'
import type {
  StatusChannel,
  StatusChannelLease,
  StatusChannelListener,
} from '../../core/fleet/status-channel.js'

/**
 * The fleet status channel over Redis (README, "Fleets: the Redis status channel"), with the official client
 * (node-redis v5). Per deployment: a lease key (`SET NX PX`, renewed and released only by its holder), an epoch
 * counter (`INCR`, in the same script as the grant, so epochs follow grants), the latest status in a key that
 * expires, and a pub/sub channel. The keys share a hash tag (`{bgdId}`) so Redis Cluster keeps them in one slot.
 * The subscriber is a duplicate of the application's client, unref'd, closed with the last subscription.
 */

/** The slice of a node-redis client this channel uses (described here, so the package needs no `redis` types). */
export interface RedisClientLike {
  readonly isReady: boolean
  sendCommand(args: string[]): Promise<unknown>
  duplicate(): RedisSubscriberLike
  on(event: 'error' | 'end', listener: (err: Error) => void): unknown
  off(event: 'error' | 'end', listener: (err: Error) => void): unknown
}

/** The slice of the duplicated client that subscribes. */
export interface RedisSubscriberLike {
  connect(): Promise<unknown>
  subscribe(channel: string, listener: (message: string) => void): Promise<unknown>
  unsubscribe(channel: string, listener: (message: string) => void): Promise<unknown>
  unref(): void
  destroy(): void
  on(event: 'error', listener: (err: Error) => void): unknown
}

/** Options of {@link redisStatusChannel}. */
export interface RedisStatusChannelOptions {
  /** Prefix of every key and channel name. Default `rds-bluegreen`. */
  readonly prefix?: string
}

/** A {@link StatusChannel} that can be closed (its subscriber connection; the application's client stays open). */
export interface RedisStatusChannel extends StatusChannel {
  close(): Promise<void>
}

const ACQUIRE = `if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return redis.call('INCR', KEYS[2]) end return 0`
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`
const PUBLISH = `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3]) redis.call('PUBLISH', ARGV[4], ARGV[2]) return 1`

/**
 * A status channel over `client` (a connected node-redis v5 client, which stays the application's). Give it to
 * every deployment of every process of the fleet: `blueGreen: { statusChannel }`.
 *
 * @throws {BlueGreenConfigError} naming `client` or `prefix`.
 * @example
 * ```ts
 * import { createClient } from 'redis'
 * import { redisStatusChannel } from 'rds-bluegreen/redis'
 * const redis = await createClient({ url: process.env.REDIS_URL }).connect()
 * const pool = new BlueGreenPgPool({ host, blueGreen: { bgdId: 'orders', statusChannel: redisStatusChannel(redis) } })
 * ```
 */
export function redisStatusChannel(
  client: RedisClientLike,
  options: RedisStatusChannelOptions = {},
): RedisStatusChannel {
  if (typeof client?.sendCommand !== 'function' || typeof client.duplicate !== 'function')
    throw new BlueGreenConfigError('client', 'expected a node-redis client (createClient() from redis)')
  const prefix = options.prefix ?? 'rds-bluegreen'
  if (typeof prefix !== 'string' || prefix === '' || /\s/.test(prefix))
    throw new BlueGreenConfigError('prefix', 'expected a non-empty key prefix without spaces')
  const keys = (bgdId: string) => {
    const base = `${prefix}:{${bgdId}}`
    return {
      lease: `${base}:lease`,
      epoch: `${base}:epoch`,
      latest: `${base}:status`,
      updates: `${base}:updates`,
    }
  }
  const run = async (args: string[]): Promise<unknown> => {
    // A disconnected client would queue the command until Redis is back: fail now, the caller falls back.
    if (!client.isReady) throw new Error('the Redis client is not connected')
    return client.sendCommand(args)
  }
  const subscriptions = new Subscriptions(client)
  return {
    acquireLease: async (bgdId, ttlMs): Promise<StatusChannelLease | undefined> => {
      const k = keys(bgdId)
      const token = randomUUID()
      const epoch = Number(await run(['EVAL', ACQUIRE, '2', k.lease, k.epoch, token, String(ttlMs)]))
      return epoch > 0 ? { epoch, token } : undefined
    },
    renewLease: async (bgdId, lease, ttlMs) =>
      Number(await run(['EVAL', RENEW, '1', keys(bgdId).lease, lease.token, String(ttlMs)])) === 1,
    releaseLease: async (bgdId, lease) => {
      await run(['EVAL', RELEASE, '1', keys(bgdId).lease, lease.token])
    },
    publish: async (bgdId, lease, payload, ttlMs) => {
      const k = keys(bgdId)
      const args = [lease.token, payload, String(ttlMs), k.updates]
      return Number(await run(['EVAL', PUBLISH, '2', k.lease, k.latest, ...args])) === 1
    },
    latest: async (bgdId) => {
      const value = await run(['GET', keys(bgdId).latest])
      return typeof value === 'string' ? value : undefined
    },
    subscribe: (bgdId, listener) => subscriptions.add(keys(bgdId).updates, listener),
    close: async () => subscriptions.close(),
  }
}

/**
 * The subscriber connection shared by every subscription of one channel. A failure of either connection is told
 * to every listener; the failed subscriber is destroyed (no reconnect loop of ours outlives it) and the listeners
 * subscribe again when they want to.
 */
class Subscriptions {
  readonly #client: RedisClientLike
  readonly #listeners = new Set<StatusChannelListener>()
  /** The duplicate, from the moment it exists (a connect still retrying must be destroyable too). */
  #subscriber: RedisSubscriberLike | undefined
  #connected: Promise<RedisSubscriberLike> | undefined
  readonly #onError = (err: Error): void => {
    this.#drop()
    for (const listener of [...this.#listeners]) listener.error(err)
  }
  readonly #onClientError = (err: Error): void => {
    for (const listener of [...this.#listeners]) listener.error(err)
  }
  /** The application closed its client: nothing this channel says can be trusted to be fresh any more. */
  readonly #onClientEnd = (): void => this.#onClientError(new Error('the Redis client was closed'))

  constructor(client: RedisClientLike) {
    this.#client = client
  }

  async add(channel: string, listener: StatusChannelListener): Promise<() => void> {
    const subscriber = await this.#connection()
    const onMessage = (message: string): void => listener.status(message)
    await subscriber.subscribe(channel, onMessage)
    if (this.#listeners.size === 0) {
      this.#client.on('error', this.#onClientError)
      this.#client.on('end', this.#onClientEnd)
    }
    this.#listeners.add(listener)
    return () => {
      if (!this.#listeners.delete(listener)) return
      void subscriber.unsubscribe(channel, onMessage).catch(() => undefined)
      if (this.#listeners.size === 0) this.#close()
    }
  }

  async close(): Promise<void> {
    this.#listeners.clear()
    this.#close()
    return Promise.resolve()
  }

  #connection(): Promise<RedisSubscriberLike> {
    if (this.#connected !== undefined) return this.#connected
    const subscriber = this.#client.duplicate()
    subscriber.on('error', this.#onError)
    subscriber.unref()
    this.#subscriber = subscriber
    const connected = subscriber.connect().then(() => subscriber)
    this.#connected = connected
    connected.catch(() => {
      if (this.#connected === connected) this.#drop()
    })
    return connected
  }

  #close(): void {
    this.#client.off('error', this.#onClientError)
    this.#client.off('end', this.#onClientEnd)
    this.#drop()
  }

  #drop(): void {
    const subscriber = this.#subscriber
    this.#subscriber = undefined
    this.#connected = undefined
    try {
      subscriber?.destroy()
    } catch {
      // Already closed.
    }
  }
}
