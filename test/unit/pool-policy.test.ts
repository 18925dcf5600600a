import { describe, expect, it } from 'vitest'
import { BlueGreenReadOnlyError } from '../../core/errors.js'
import type { DeploymentHandle } from '../../core/registry.js'
import type { BlueGreenSnapshot, Phase } from '../../core/types.js'
import type { ConnectionFacts } from '../../integrations/shared/blue-connections.js'
import type { DeploymentBinding } from '../../integrations/shared/deployment-binding.js'
import type { PoolAccess } from '../../integrations/shared/pool-policy.js'
import { PoolPolicy, isFencedConnect, retryCap } from '../../integrations/shared/pool-policy.js'
import { FakeClock } from '../helpers/fake-clock.js'

/**
 * The one pool policy every routed pool follows (pg-pool, mysql2, knex's tarn), on a fake pool: the checkout gate,
 * stale connections skipped within the retry cap, eviction by phase, and the fenced-connect retry.
 */
const BLUE = 'mydb.c9akciq32.us-east-1.rds.amazonaws.com'
const BLUE_IP = '10.0.0.1'
const GREEN_IP = '10.0.0.2'
const TARGET = { host: BLUE, port: 5432 }

function snapshot(phase: Phase): BlueGreenSnapshot {
  return {
    bgdId: 'policy',
    sequence: 1,
    phase,
    rollback: false,
    roleByHost: new Map([[BLUE, 'SOURCE']]),
    roleByIp: new Map([[BLUE_IP, 'SOURCE']]),
    ipByHost: new Map([[BLUE, BLUE_IP]]),
    correspondingHosts: new Map(),
    connectRoutes: [],
    executeRoutes: [],
    blueDnsUpdated: false,
    greenDnsRemoved: false,
    greenTopologyChanged: false,
    publishedAt: 0,
  } as unknown as BlueGreenSnapshot
}

interface Conn {
  readonly id: number
  readonly ip: string
  idle: boolean
}

class World {
  readonly clock = new FakeClock()
  phase: Phase = 'CREATED'
  hold: Promise<void> | undefined
  /** The addresses new connections reach, in order (then GREEN_IP). */
  readonly dials: string[] = []
  readonly pool: Conn[] = []
  readonly discarded: number[] = []
  readonly closed: number[] = []
  readonly retired: number[] = []
  acquired = 0
  #next = 0
  readonly handle = {
    beforeExecute: () => this.hold,
    snapshot: () => snapshot(this.phase),
    clock: this.clock,
    options: { highMs: 50, connectTimeoutMs: 1000 },
  } as unknown as DeploymentHandle
  readonly binding = {
    handle: () => this.handle,
    init: { options: { dropBlueConnections: true } },
  } as unknown as DeploymentBinding
  readonly access: PoolAccess<Conn> = {
    acquire: () => {
      this.acquired++
      const conn = { id: ++this.#next, ip: this.dials.shift() ?? GREEN_IP, idle: false }
      this.pool.push(conn)
      return Promise.resolve(conn)
    },
    facts: (conn): ConnectionFacts => ({ target: TARGET, remoteAddress: conn.ip }),
    discard: (conn) => void this.discarded.push(conn.id),
    connections: () => this.pool.map((connection) => ({ connection, idle: connection.idle })),
    close: (conn) => void this.closed.push(conn.id),
    retire: (conn) => void this.retired.push(conn.id),
  }
}

describe('retryCap', () => {
  it('every slot once plus one fresh connection, 10 slots by default, at most 101', () => {
    expect(retryCap(4)).toBe(5)
    expect(retryCap(undefined)).toBe(11)
    expect(retryCap(0)).toBe(11)
    expect(retryCap(Number.NaN)).toBe(11)
    expect(retryCap(10_000)).toBe(101)
  })
})

describe('PoolPolicy', () => {
  it('leaves the checkout to the pool (undefined) before the switchover, and without a deployment', () => {
    const world = new World()
    expect(new PoolPolicy(world.binding, TARGET, 5, world.access).checkout()).toBeUndefined()
    const unbound = { handle: () => undefined, init: world.binding.init } as unknown as DeploymentBinding
    expect(new PoolPolicy(unbound, TARGET, 5, world.access).checkout()).toBeUndefined()
  })

  it('IN_PROGRESS: the checkout waits for the hold before it takes a slot', async () => {
    const world = new World()
    world.phase = 'IN_PROGRESS'
    let open: () => void = () => undefined
    world.hold = new Promise<void>((resolve) => (open = resolve))
    const policy = new PoolPolicy(world.binding, TARGET, 5, world.access)
    const checkout = policy.checkout()
    expect(checkout).toBeDefined()
    await world.clock.advance(10)
    expect(world.acquired).toBe(0)
    open()
    world.phase = 'POST'
    await expect(checkout).resolves.toMatchObject({ ip: GREEN_IP })
    expect(world.acquired).toBe(1)
  })

  it('POST: connections on an old blue IP are discarded and another is taken, at most `cap` in all', async () => {
    const world = new World()
    world.phase = 'POST'
    world.dials.push(BLUE_IP, BLUE_IP)
    const policy = new PoolPolicy(world.binding, TARGET, 5, world.access)
    await expect(policy.checkout()).resolves.toMatchObject({ id: 3, ip: GREEN_IP })
    expect(world.discarded).toEqual([1, 2])

    // A resolver that never moves: the application gets the last one after `cap` attempts instead of a spin.
    const stuck = new World()
    stuck.phase = 'POST'
    stuck.dials.push(...Array<string>(10).fill(BLUE_IP))
    const capped = new PoolPolicy(stuck.binding, TARGET, 3, stuck.access)
    await expect(capped.checkout()).resolves.toMatchObject({ id: 3, ip: BLUE_IP })
    expect(stuck.acquired).toBe(3)
    expect(stuck.discarded).toEqual([1, 2])
  })

  it('evict: IN_PROGRESS closes idle blue connections (dropBlueConnections) and retires busy ones', () => {
    const world = new World()
    world.pool.push({ id: 1, ip: BLUE_IP, idle: true }, { id: 2, ip: BLUE_IP, idle: false })
    world.pool.push({ id: 3, ip: GREEN_IP, idle: true })
    const policy = new PoolPolicy(world.binding, TARGET, 5, world.access)
    policy.evict(snapshot('CREATED'))
    expect([world.closed, world.retired]).toEqual([[], []])
    policy.evict(snapshot('IN_PROGRESS'))
    // The configured name is blue: in IN_PROGRESS every connection to it goes (green after the cut is a new one).
    expect(world.closed).toEqual([1, 3])
    expect(world.retired).toEqual([2])
  })

  it('evict from POST: only connections still on an old blue IP', () => {
    const world = new World()
    world.pool.push({ id: 1, ip: BLUE_IP, idle: true }, { id: 2, ip: GREEN_IP, idle: true })
    world.pool.push({ id: 3, ip: BLUE_IP, idle: false })
    new PoolPolicy(world.binding, TARGET, 5, world.access).evict(snapshot('POST'))
    expect(world.closed).toEqual([1])
    expect(world.retired).toEqual([3])
  })

  it('retryFenced: another connection after a pause until one is accepted; other errors are rethrown', async () => {
    const world = new World()
    world.phase = 'POST'
    const fenced = new BlueGreenReadOnlyError({ bgdId: 'policy', phase: 'POST', atConnect: true })
    expect(isFencedConnect(fenced)).toBe(true)
    expect(isFencedConnect(new Error('ECONNREFUSED'))).toBe(false)
    const policy = new PoolPolicy(world.binding, TARGET, 5, world.access)
    const other = new Error('password authentication failed')
    await expect(policy.retryFenced(other)).rejects.toBe(other)
    expect(world.acquired).toBe(0)

    const retried = policy.retryFenced(fenced)
    await world.clock.advance(49)
    expect(world.acquired).toBe(0)
    await world.clock.advance(1)
    await expect(retried).resolves.toMatchObject({ ip: GREEN_IP })
    expect(world.acquired).toBe(1)
  })

  it('retryFenced gives up with the fenced error at bgConnectTimeoutMs when every connection is refused', async () => {
    const world = new World()
    world.phase = 'POST'
    const fenced = new BlueGreenReadOnlyError({ bgdId: 'policy', phase: 'POST', atConnect: true })
    world.access.acquire = () => {
      world.acquired++
      return Promise.reject(fenced)
    }
    const policy = new PoolPolicy(world.binding, TARGET, 5, world.access)
    const outcome = policy.retryFenced(fenced).then(
      () => 'resolved',
      (err: unknown) => err,
    )
    await world.clock.advance(2000)
    expect(await outcome).toBe(fenced)
    // Pauses 50, 100, 200, 400, then capped by the 1 s deadline: a handful of attempts, not a spin.
    expect(world.acquired).toBeGreaterThanOrEqual(4)
    expect(world.acquired).toBeLessThanOrEqual(7)
  })
})
