import { STARTING } from '../../core/status/armed.js'
import { describe, expect, it } from 'vitest'
import {
  BlueGreenConnectRejectedError,
  BlueGreenCorrespondingHostNotFoundError,
  BlueGreenSwitchoverTimeoutError,
  BlueGreenTransactionInterruptedError,
  isBlueGreenError,
} from '../../core/errors.js'
import { holdExecute, routeConnect } from '../../core/routing/enforce.js'
import type { SnapshotSource } from '../../core/routing/enforce.js'
import type { BlueGreenSnapshot, ConnectRoute, ExecuteRoute } from '../../core/types.js'
import { FakeClock, flush } from '../helpers/fake-clock.js'

/** A snapshot source whose snapshots the test publishes by hand, waking waiters like the coordinator does. */
class ManualSource implements SnapshotSource {
  readonly bgdId = '1'
  #snapshot: BlueGreenSnapshot
  readonly #waiters = new Set<() => void>()
  readonly #clock: FakeClock

  constructor(clock: FakeClock, connectRoutes: ConnectRoute[], executeRoutes: ExecuteRoute[] = []) {
    this.#clock = clock
    this.#snapshot = make(1, connectRoutes, executeRoutes)
  }
  snapshot(): BlueGreenSnapshot {
    return this.#snapshot
  }
  publish(connectRoutes: ConnectRoute[], executeRoutes: ExecuteRoute[] = []): void {
    this.#snapshot = make(this.#snapshot.sequence + 1, connectRoutes, executeRoutes)
    for (const w of [...this.#waiters]) w()
  }
  waitForChange(sequence: number, deadline: number): Promise<boolean> {
    if (sequence !== this.#snapshot.sequence) return Promise.resolve(true)
    return new Promise((resolve) => {
      const done = (v: boolean): void => {
        cancel()
        this.#waiters.delete(wake)
        resolve(v)
      }
      const wake = (): void => done(true)
      const cancel = this.#clock.timer(deadline - this.#clock.now(), () => done(false))
      this.#waiters.add(wake)
    })
  }
}

function make(
  sequence: number,
  connectRoutes: ConnectRoute[],
  executeRoutes: ExecuteRoute[],
): BlueGreenSnapshot {
  return {
    bgdId: '1',
    sequence,
    phase: 'IN_PROGRESS',
    rollback: false,
    roleByHost: new Map([['blue.example', 'SOURCE']]),
    roleByIp: new Map(),
    ipByHost: new Map(),
    correspondingHosts: new Map(),
    connectRoutes,
    executeRoutes,
    blueDnsUpdated: false,
    greenDnsRemoved: false,
    greenTopologyChanged: false,
    publishedAt: 0,
    armed: STARTING,
  }
}

const target = { host: 'blue.example', port: 5432 }
const hold: ConnectRoute = { match: { role: 'SOURCE' }, decision: { kind: 'hold', reason: 'in-progress' } }
const toGreen: ConnectRoute = {
  match: { role: 'SOURCE' },
  decision: { kind: 'substitute', address: '10.0.0.2', port: 5432, via: 'green.example' },
}

describe('routeConnect', () => {
  it('passes at once when nothing is routed', async () => {
    const clock = new FakeClock()
    expect(await routeConnect(new ManualSource(clock, []), clock, target, 1000)).toEqual({ kind: 'pass' })
  })

  it('a held connect is released the moment the next snapshot is published, with no polling', async () => {
    const clock = new FakeClock()
    const source = new ManualSource(clock, [hold])
    let plan: unknown
    const pending = routeConnect(source, clock, target, 30_000).then((p) => (plan = p))
    await clock.advance(5_000)
    expect(plan).toBeUndefined()
    source.publish([toGreen])
    await flush()
    expect(plan).toEqual({ kind: 'substitute', address: '10.0.0.2', port: 5432, via: 'green.example' })
    await pending
  })

  it('times out with the AWS message and a typed, retryable error', async () => {
    const clock = new FakeClock()
    const source = new ManualSource(clock, [hold])
    const pending = routeConnect(source, clock, target, 2_000).catch((e: unknown) => e)
    await clock.advance(2_001)
    const err = await pending
    expect(err).toBeInstanceOf(BlueGreenSwitchoverTimeoutError)
    expect(isBlueGreenError(err) && err.retryable).toBe(true)
    expect((err as Error).message).toBe(
      'Blue/Green Deployment switchover is still in progress after 2000 ms. Try to connect again later.',
    )
  })

  it('a blue host without a green pair times out with CORRESPONDING_HOST_NOT_FOUND', async () => {
    const clock = new FakeClock()
    const route: ConnectRoute = {
      match: {},
      decision: { kind: 'hold', reason: 'corresponding-host' },
    }
    const pending = routeConnect(new ManualSource(clock, [route]), clock, target, 100).catch(
      (e: unknown) => e,
    )
    await clock.advance(200)
    expect(await pending).toBeInstanceOf(BlueGreenCorrespondingHostNotFoundError)
  })

  it('rejects green names with a typed error', async () => {
    const clock = new FakeClock()
    const source = new ManualSource(clock, [{ match: {}, decision: { kind: 'reject' } }])
    await expect(routeConnect(source, clock, target, 100)).rejects.toBeInstanceOf(
      BlueGreenConnectRejectedError,
    )
  })
})

describe('holdExecute', () => {
  it('returns undefined synchronously when nothing is held', () => {
    const clock = new FakeClock()
    expect(holdExecute(new ManualSource(clock, []), clock, target, 1000, 'query')).toBeUndefined()
  })

  it('holds a call until the phase leaves IN_PROGRESS (Node bug N2)', async () => {
    const clock = new FakeClock()
    const source = new ManualSource(clock, [], [{ match: { role: 'SOURCE' } }])
    let released = false
    const pending = holdExecute(source, clock, target, 30_000, 'query')?.then(() => (released = true))
    expect(pending).toBeDefined()
    await clock.advance(1_000)
    expect(released).toBe(false)
    source.publish([], [])
    await flush()
    expect(released).toBe(true)
  })

  it('times out naming what was held', async () => {
    const clock = new FakeClock()
    const source = new ManualSource(clock, [], [{ match: { role: 'SOURCE' } }])
    const pending = holdExecute(source, clock, target, 500, 'query')?.catch((e: unknown) => e)
    await clock.advance(600)
    expect((await pending) as Error).toMatchObject({
      code: 'SWITCHOVER_TIMEOUT',
      message: "Blue/Green Deployment switchover is still in progress after 500 ms. Try 'query' again later.",
    })
  })

  it('fails a statement of a blue transaction opened before IN_PROGRESS at once, typed and retryable', async () => {
    const clock = new FakeClock()
    const source = new ManualSource(clock, [], [{ match: { role: 'SOURCE' } }])
    const pending = holdExecute(source, clock, target, 30_000, 'query', { transactionOpenedIn: 'CREATED' })
    const err = await pending?.catch((e: unknown) => e)
    expect(err).toBeInstanceOf(BlueGreenTransactionInterruptedError)
    expect(err).toMatchObject({ code: 'TRANSACTION_INTERRUPTED', retryable: true, phase: 'IN_PROGRESS' })
    expect(clock.now()).toBe(0)
  })
})
