import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { describe, expect, it, vi } from 'vitest'
import { CHANNELS } from '../../core/channels.js'
import { Coordinator } from '../../core/coordinator.js'
import { resolveOptions } from '../../core/options.js'
import { routeConnect } from '../../core/routing/enforce.js'
import type { LookupFunction } from '../../core/runtime.js'
import { consoleLogger, lookupResolver, silentLogger, systemClock } from '../../core/runtime.js'
import { MemoryLogger } from '../helpers/deployment.js'
import { FakeClock, flush } from '../helpers/fake-clock.js'
import { BLUE, BLUE_IP, GREEN, GREEN_IP, rdsInstanceWorld } from '../helpers/fake-metadata.js'
import { interim, writer } from '../helpers/interim.js'

describe('systemClock', () => {
  it('sleeps on a timer that does not keep the process alive, and wakes early on abort', async () => {
    const spy = vi.spyOn(globalThis, 'setTimeout')
    const t0 = systemClock.now()
    await systemClock.sleep(20)
    expect(systemClock.now() - t0).toBeGreaterThanOrEqual(15)
    const handle = spy.mock.results.at(-1)?.value as NodeJS.Timeout
    expect(handle.hasRef()).toBe(false)
    spy.mockRestore()
    const controller = new AbortController()
    const pending = systemClock.sleep(60_000, controller.signal)
    controller.abort()
    await pending
    await systemClock.sleep(10, controller.signal)
    expect(Math.abs(systemClock.wallNow() - Date.now())).toBeLessThan(1000)
  })

  it('runs and cancels timers', async () => {
    let fired = 0
    systemClock.timer(5, () => fired++)
    const cancel = systemClock.timer(5, () => fired++)
    cancel()
    await new Promise((r) => setTimeout(r, 30))
    expect(fired).toBe(1)
  })
})

describe('lookupResolver', () => {
  const lookup =
    (answers: Record<string, string | { code: string }>): LookupFunction =>
    (host, _options, callback) => {
      const answer = answers[host]
      if (typeof answer === 'string') callback(null, answer, 4)
      else callback(Object.assign(new Error('lookup failed'), answer ?? { code: 'ENOTFOUND' }), '', 0)
    }

  it('answers the address, undefined for a name that is gone, and rejects when the answer is unknown', async () => {
    const resolver = lookupResolver(
      lookup({ a: '10.0.0.1', down: { code: 'EAI_AGAIN' }, nodata: { code: 'ENODATA' } }),
    )
    expect(await resolver.resolve('a')).toBe('10.0.0.1')
    expect(await resolver.resolve('missing')).toBeUndefined()
    expect(await resolver.resolve('nodata')).toBeUndefined()
    await expect(resolver.resolve('down')).rejects.toThrow('lookup failed')
    const throwing = lookupResolver(() => {
      throw new Error('bad lookup')
    })
    await expect(throwing.resolve('x')).rejects.toThrow('bad lookup')
  })

  it('defaults to dns.lookup', async () => {
    expect(await lookupResolver().resolve('localhost')).toMatch(/^(127\.0\.0\.1|::1)$/)
  })
})

describe('loggers', () => {
  it('the console logger prints warnings and info but not debug; the silent one prints nothing', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const info = vi.spyOn(console, 'info').mockImplementation(() => undefined)
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    consoleLogger.debug('d')
    consoleLogger.info('i')
    consoleLogger.warn('w')
    consoleLogger.error('e')
    silentLogger.debug('d')
    silentLogger.info('i')
    silentLogger.warn('w')
    silentLogger.error('e')
    expect([info.mock.calls.length, warn.mock.calls.length, error.mock.calls.length]).toEqual([1, 1, 1])
    vi.restoreAllMocks()
  })
})

describe('diagnostics channels', () => {
  it('publish phase changes, holds with their duration, and substitutions, without credentials', async () => {
    const events: [string, unknown][] = []
    const listeners = Object.values(CHANNELS).map((name) => {
      const listener = (message: unknown): void => void events.push([name, message])
      subscribe(name, listener)
      return [name, listener] as const
    })
    const clock = new FakeClock()
    const world = rdsInstanceWorld()
    const c = new Coordinator({
      options: resolveOptions({}),
      source: world,
      initialHost: { host: BLUE, port: 5432 },
      resolver: world,
      clock,
      logger: new MemoryLogger(),
    })
    const blueSide = (phase: 'CREATED' | 'IN_PROGRESS' | 'POST') =>
      interim(phase, {
        hostNames: new Set([BLUE]),
        startTopology: writer(BLUE),
        startIpByHost: new Map([[BLUE, BLUE_IP]]),
      })
    const greenSide = (phase: 'CREATED' | 'IN_PROGRESS' | 'POST') =>
      interim(phase, {
        hostNames: new Set([GREEN]),
        startTopology: writer(GREEN),
        startIpByHost: new Map([[GREEN, GREEN_IP]]),
      })
    c.accept('SOURCE', blueSide('CREATED'))
    c.accept('TARGET', greenSide('CREATED'))
    c.accept('SOURCE', blueSide('IN_PROGRESS'))
    const pending = routeConnect(c, clock, { host: BLUE, port: 5432 }, 10_000)
    await clock.advance(250)
    c.accept('SOURCE', blueSide('POST'))
    await flush()
    expect(await pending).toMatchObject({ kind: 'substitute', address: GREEN_IP })
    for (const [name, listener] of listeners) unsubscribe(name, listener)

    const names = events.map(([name]) => name)
    expect(names).toEqual(
      expect.arrayContaining([CHANNELS.phase, CHANNELS.holdStart, CHANNELS.holdEnd, CHANNELS.substitute]),
    )
    const end = events.find(([name]) => name === CHANNELS.holdEnd)?.[1]
    expect(end).toMatchObject({
      bgdId: '1',
      kind: 'connect',
      host: BLUE,
      outcome: 'released',
      durationMs: 250,
    })
    expect(JSON.stringify(events)).not.toMatch(/password/i)
    await c.close()
  })
})
