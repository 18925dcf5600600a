import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import { BlueGreenConfigError } from '../../core/errors.js'
import { redisStatusChannel } from '../../integrations/redis/index.js'
import type { RedisClientLike, RedisSubscriberLike } from '../../integrations/redis/index.js'

/** A node-redis look-alike: records commands, and its duplicates (subscribers). */
class FakeRedis extends EventEmitter implements RedisClientLike {
  isReady = true
  readonly commands: string[][] = []
  readonly subscribers: FakeSubscriber[] = []
  async sendCommand(args: string[]): Promise<unknown> {
    this.commands.push(args)
    return 1
  }
  duplicate(): FakeSubscriber {
    const subscriber = new FakeSubscriber()
    this.subscribers.push(subscriber)
    return subscriber
  }
}

class FakeSubscriber extends EventEmitter implements RedisSubscriberLike {
  refed = true
  destroyed = false
  readonly channels = new Map<string, (message: string) => void>()
  async connect(): Promise<void> {}
  async subscribe(channel: string, listener: (message: string) => void): Promise<void> {
    this.channels.set(channel, listener)
  }
  async unsubscribe(channel: string): Promise<void> {
    this.channels.delete(channel)
  }
  unref(): void {
    this.refed = false
  }
  destroy(): void {
    this.destroyed = true
  }
}

const lease = { epoch: 1, token: 't' }

describe('redisStatusChannel', () => {
  it('fails at once while the client is not connected, instead of queueing until Redis is back', async () => {
    const client = new FakeRedis()
    client.isReady = false
    const channel = redisStatusChannel(client)
    await expect(channel.acquireLease('orders', 2_000)).rejects.toThrow('not connected')
    await expect(channel.publish('orders', lease, '{}', 500)).rejects.toThrow('not connected')
    expect(client.commands).toEqual([])
  })

  it('keys share one hash tag per deployment, under the prefix', async () => {
    const client = new FakeRedis()
    await redisStatusChannel(client, { prefix: 'app' }).publish('orders', lease, '{}', 500)
    expect(client.commands[0]?.slice(2, 5)).toEqual(['2', 'app:{orders}:lease', 'app:{orders}:status'])
    expect(client.commands[0]?.at(-1)).toBe('app:{orders}:updates')
  })

  it('one unref-ed subscriber; a failure reaches every listener and destroys it; the last unsubscribe closes it', async () => {
    const client = new FakeRedis()
    const channel = redisStatusChannel(client)
    const heard: string[] = []
    const errors: string[] = []
    const listener = { status: (p: string) => heard.push(p), error: (e: Error) => errors.push(e.message) }
    const offA = await channel.subscribe('a', listener)
    const offB = await channel.subscribe('b', { ...listener })
    expect(client.subscribers).toHaveLength(1)
    const [subscriber] = client.subscribers
    expect(subscriber!.refed).toBe(false)
    subscriber!.channels.get('rds-bluegreen:{a}:updates')?.('hello')
    expect(heard).toEqual(['hello'])
    client.emit('error', new Error('Socket closed unexpectedly'))
    expect(errors).toEqual(['Socket closed unexpectedly', 'Socket closed unexpectedly'])
    subscriber!.emit('error', new Error('ECONNRESET'))
    expect(subscriber!.destroyed).toBe(true)
    offA()
    offB()
    expect(client.listenerCount('error')).toBe(0)
    expect(client.listenerCount('end')).toBe(0)
    await channel.subscribe('a', listener)
    expect(client.subscribers).toHaveLength(2)
    client.emit('end')
    expect(errors.at(-1)).toBe('the Redis client was closed')
    await channel.close()
    expect(client.subscribers[1]!.destroyed).toBe(true)
  })

  it('rejects what is not a node-redis client, naming the parameter', () => {
    let error: unknown
    try {
      redisStatusChannel({} as RedisClientLike)
    } catch (err) {
      error = err
    }
    expect(error).toBeInstanceOf(BlueGreenConfigError)
    expect((error as BlueGreenConfigError).key).toBe('client')
  })
})
