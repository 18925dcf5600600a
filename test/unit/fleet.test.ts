import { afterEach, describe, expect, it } from 'vitest'
import { Coordinator } from '../../core/coordinator.js'
import { encodeStatus } from '../../core/fleet/wire.js'
import { resolveOptions } from '../../core/options.js'
import type { BlueGreenOptions } from '../../core/options.js'
import { routeConnect } from '../../core/routing/enforce.js'
import { CountingClock } from '../helpers/counting-clock.js'
import { MemoryLogger } from '../helpers/deployment.js'
import { FakeClock } from '../helpers/fake-clock.js'
import { BLUE, BLUE_IP, rdsInstanceWorld, setPhase } from '../helpers/fake-metadata.js'
import type { FakeWorld } from '../helpers/fake-metadata.js'
import { MemoryRedis } from '../helpers/memory-channel.js'
import type { MemoryChannel } from '../helpers/memory-channel.js'

interface Process {
  readonly coordinator: Coordinator
  readonly channel: MemoryChannel
  readonly logger: MemoryLogger
  readonly clock: CountingClock
}

const open: Coordinator[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()))
})

/** A fleet of `n` processes on one fake world, one fake clock and one in-memory Redis. */
function fleet(
  n: number,
  options: BlueGreenOptions = {},
): { world: FakeWorld; clock: FakeClock; redis: MemoryRedis; processes: Process[] } {
  const clock = new FakeClock()
  const world = rdsInstanceWorld()
  const redis = new MemoryRedis(clock)
  const processes: Process[] = []
  for (let i = 0; i < n; i++) processes.push(join(world, clock, redis, options))
  return { world, clock, redis, processes }
}

function join(
  world: FakeWorld,
  clock: FakeClock,
  redis: MemoryRedis,
  options: BlueGreenOptions = {},
  beforeStart?: (channel: MemoryChannel) => void,
): Process {
  const channel = redis.channel()
  beforeStart?.(channel)
  const logger = new MemoryLogger()
  const counting = new CountingClock(clock)
  const coordinator = new Coordinator({
    options: resolveOptions(
      { bgdId: 'fleet', bgIncreasedMs: 1000, bgHighMs: 100, ...options, statusChannel: channel },
      () => undefined,
    ),
    source: world,
    initialHost: { host: BLUE, port: 5432 },
    resolver: world,
    clock: counting,
    logger,
    random: () => 0,
  })
  coordinator.start()
  open.push(coordinator)
  return { coordinator, channel, logger, clock: counting }
}

const blue = { host: BLUE, port: 5432 }

describe('fleet: one leader per deployment', () => {
  it('the first process leads and runs the monitors; the others follow with no monitoring connection', async () => {
    const { world, clock, redis, processes } = fleet(3)
    await clock.advance(50)
    expect(processes.map((p) => p.coordinator.fleetRole)).toEqual(['leader', 'follower', 'follower'])
    // Nothing is published before the leader's monitors read: followers never apply an empty 'starting' state.
    expect(redis.published.length).toBeGreaterThan(0)
    expect(redis.published.filter((p) => p.payload.includes('"code":"starting"'))).toEqual([])
    expect(processes.map((p) => p.coordinator.runningMonitors)).toEqual([2, 0, 0])
    await clock.advance(2_000)
    expect(world.openConnections()).toBe(2)
    expect(processes.map((p) => p.coordinator.snapshot().phase)).toEqual(['CREATED', 'CREATED', 'CREATED'])
  })

  it('followers apply the published status and route from it: captured IPs in PREPARATION, holds in IN_PROGRESS', async () => {
    const { world, clock, processes } = fleet(2)
    const [, follower] = processes
    await clock.advance(2_050)
    setPhase(world, 'PREPARATION')
    await clock.advance(1_000)
    const prep = follower!.coordinator.snapshot()
    expect(prep.phase).toBe('PREPARATION')
    expect(prep.ipByHost.get(BLUE)).toBe(BLUE_IP)
    expect(await routeConnect(follower!.coordinator, clock, blue, 1_000)).toMatchObject({
      kind: 'substitute',
      address: BLUE_IP,
    })
    setPhase(world, 'IN_PROGRESS')
    await clock.advance(100)
    expect(follower!.coordinator.snapshot().phase).toBe('IN_PROGRESS')
    let routed: unknown
    void routeConnect(follower!.coordinator, clock, blue, 30_000).then((r) => (routed = r))
    await clock.advance(150)
    expect(routed).toBeUndefined()
    setPhase(world, 'POST')
    await clock.advance(150)
    expect(follower!.coordinator.snapshot().phase).toBe('POST')
    expect(routed).toBeDefined()
    expect(follower!.coordinator.runningMonitors).toBe(0)
  })

  it('a status from an older epoch is ignored', async () => {
    const { world, clock, redis, processes } = fleet(2)
    const [leader, follower] = processes
    await clock.advance(2_050)
    setPhase(world, 'IN_PROGRESS')
    await clock.advance(1_100)
    expect(leader!.coordinator.snapshot().phase).toBe('IN_PROGRESS')
    const epoch = 1
    const forged = { ...follower!.coordinator.snapshot(), phase: 'COMPLETED' as const, sequence: 10_000 }
    redis.broadcast('fleet', encodeStatus(forged, epoch - 1))
    await clock.advance(10)
    expect(follower!.coordinator.snapshot().phase).toBe('IN_PROGRESS')
    // The same status under the current epoch is applied: the test above could fail.
    redis.broadcast('fleet', encodeStatus(forged, epoch))
    await clock.advance(10)
    expect(follower!.coordinator.snapshot().phase).toBe('COMPLETED')
  })

  it('a payload that does not fit the format is ignored with one warning', async () => {
    const { clock, redis, processes } = fleet(2)
    await clock.advance(50)
    const before = processes[1]!.coordinator.snapshot()
    redis.broadcast('fleet', '{"v":1,"bgdId":"fleet","epoch":99}')
    redis.broadcast('fleet', 'not json')
    await clock.advance(10)
    expect(processes[1]!.coordinator.snapshot()).toBe(before)
    expect(processes[1]!.logger.find('cannot read')).toHaveLength(1)
  })
})

describe('fleet: safety first', () => {
  it('a follower that hears nothing fresh for bgChannelStaleMs starts its own monitors', async () => {
    const { world, clock, processes } = fleet(2)
    const [leader, follower] = processes
    await clock.advance(2_050)
    setPhase(world, 'IN_PROGRESS')
    await clock.advance(1_100)
    expect(follower!.coordinator.snapshot().phase).toBe('IN_PROGRESS')
    leader!.channel.muted = true
    // 3 × bgHighMs = 300 ms, raised to the 500 ms floor during a switchover; heartbeats come every 166 ms, so
    // the last one was heard at most that long before the mute.
    await clock.advance(300)
    expect(follower!.coordinator.runningMonitors).toBe(0)
    await clock.advance(300)
    expect(follower!.coordinator.fleetRole).toBe('fallback')
    expect(follower!.coordinator.runningMonitors).toBe(2)
    expect(follower!.logger.find('no fresh status for 500 ms')).toHaveLength(1)
    setPhase(world, 'POST')
    await clock.advance(300)
    expect(follower!.coordinator.snapshot().phase).toBe('POST')
  })

  it('followers look for themselves while the leader cannot read the metadata', async () => {
    const { world, clock, processes } = fleet(2)
    const [leader, follower] = processes
    await clock.advance(2_050)
    world.setAll(Object.assign(new Error('function rds_tools.show_topology() raised'), { code: 'P0001' }))
    await clock.advance(3_000)
    expect(leader!.coordinator.snapshot().armed.code).toBe('metadata-failing')
    expect(follower!.coordinator.fleetRole).toBe('fallback')
    expect(follower!.coordinator.runningMonitors).toBe(2)
    expect(follower!.logger.find('the fleet leader cannot read the metadata')).toHaveLength(1)
  })

  it('bgChannelStaleMs fixes the staleness', async () => {
    const { clock, processes } = fleet(2, { bgChannelStaleMs: 5_000 })
    await clock.advance(2_050)
    processes[0]!.channel.muted = true
    await clock.advance(4_500)
    expect(processes[1]!.coordinator.fleetRole).toBe('follower')
    await clock.advance(1_000)
    expect(processes[1]!.coordinator.fleetRole).toBe('fallback')
  })

  it('a follower whose Redis connection fails starts its own monitors at once', async () => {
    const { clock, processes } = fleet(2)
    const [, follower] = processes
    await clock.advance(2_050)
    expect(follower!.coordinator.runningMonitors).toBe(0)
    follower!.channel.cut()
    await clock.advance(1)
    expect(follower!.coordinator.fleetRole).toBe('fallback')
    expect(follower!.coordinator.runningMonitors).toBe(2)
    expect(follower!.logger.find('status channel failed: Socket closed unexpectedly')).toHaveLength(1)
  })

  it('a process whose channel never answers monitors on its own', async () => {
    const { world, clock, redis } = fleet(0)
    const alone = join(world, clock, redis, {}, (channel) => channel.cut())
    await clock.advance(50)
    expect(alone.coordinator.fleetRole).toBe('fallback')
    expect(alone.coordinator.runningMonitors).toBe(2)
  })

  it('the leader gives the lease up when it stops, and a follower takes over at once', async () => {
    const { world, clock, redis, processes } = fleet(3)
    const [leader, ...followers] = processes
    await clock.advance(2_050)
    await leader!.coordinator.close()
    await clock.advance(1)
    expect(redis.holder('fleet')).not.toBe('t1')
    // The leader said it resigned: a follower takes the lease at once, before any follower goes stale.
    await clock.advance(150)
    const roles = followers.map((p) => p.coordinator.fleetRole).sort()
    expect(roles).toEqual(['follower', 'leader'])
    expect(followers.flatMap((p) => p.logger.find('monitors on its own'))).toEqual([])
    const next = followers.find((p) => p.coordinator.fleetRole === 'leader')!
    expect(next.coordinator.runningMonitors).toBe(2)
    setPhase(world, 'PREPARATION')
    await clock.advance(1_100)
    expect(followers.map((p) => p.coordinator.snapshot().phase)).toEqual(['PREPARATION', 'PREPARATION'])
  })

  it('a leader that dies without a word is replaced once its lease lapses', async () => {
    const { clock, processes } = fleet(2)
    const [leader, follower] = processes
    await clock.advance(2_050)
    // Hung: no renewals, no publishes, nothing said.
    leader!.channel.cut()
    await clock.advance(4_500)
    expect(follower!.coordinator.fleetRole).toBe('leader')
    expect(follower!.coordinator.runningMonitors).toBe(2)
  })

  it('a leader whose lease lapsed stops leading', async () => {
    const { clock, processes, redis } = fleet(1)
    const [leader] = processes
    await clock.advance(50)
    expect(leader!.coordinator.fleetRole).toBe('leader')
    // Another process takes the lease while this one's renewals fail.
    leader!.channel.cut()
    await clock.advance(2_100)
    expect(redis.acquire('fleet', 60_000)).toBeDefined()
    leader!.channel.restore()
    await clock.advance(700)
    expect(leader!.coordinator.fleetRole).not.toBe('leader')
    expect(leader!.coordinator.runningMonitors).toBe(2)
  })

  it('a fallback process follows again once a leader is heard and no switchover runs here', async () => {
    const { clock, processes } = fleet(2)
    const [, follower] = processes
    await clock.advance(2_050)
    follower!.channel.cut()
    await clock.advance(10)
    expect(follower!.coordinator.runningMonitors).toBe(2)
    follower!.channel.restore()
    await clock.advance(3_000)
    expect(follower!.coordinator.fleetRole).toBe('follower')
    expect(follower!.coordinator.runningMonitors).toBe(0)
  })

  it('stop is immediate: no timer, no subscription, no lease left', async () => {
    const { clock, redis, processes } = fleet(2)
    await clock.advance(2_050)
    await Promise.all(processes.map((p) => p.coordinator.close()))
    expect(processes.map((p) => p.clock.pending)).toEqual([0, 0])
    expect(redis.subscriberCount('fleet')).toBe(0)
    expect(redis.holder('fleet')).toBeUndefined()
    const calls = processes.map((p) => p.channel.calls.length)
    await clock.advance(10_000)
    expect(processes.map((p) => p.channel.calls.length)).toEqual(calls)
  })
})
