import { afterEach, describe, expect, it } from 'vitest'
import type { Coordinator } from '../../core/coordinator.js'
import type { MetadataConnection, MetadataSource, StatusReadResult } from '../../core/metadata/source.js'
import { SideMonitor } from '../../core/monitor/side-monitor.js'
import { resolveOptions } from '../../core/options.js'
import { FakeClock, flush } from '../helpers/fake-clock.js'
import { MemoryLogger, startCoordinator } from '../helpers/deployment.js'
import { BLUE, BLUE_IP, GREEN, GREEN_IP, OLD, rdsInstanceWorld, setPhase } from '../helpers/fake-metadata.js'

/**
 * Issue 15 item 1: while no deployment exists a monitor connects for its poll and closes afterwards; from
 * CREATED on it keeps its connection, through the switchover, until the metadata is gone again.
 */

let running: Coordinator | undefined
let counter = 0
afterEach(async () => {
  await running?.close()
  running = undefined
})

const uniqueId = (): string => `idle-${process.pid}-${++counter}`

describe('no idle monitoring connections (issue 15 item 1)', () => {
  it('metadata absent: each round connects, reads and closes; nothing is open between rounds', async () => {
    const world = rdsInstanceWorld()
    world.setAll('unavailable')
    const { coordinator, clock, logger } = startCoordinator(world, { bgdId: uniqueId(), bgBaselineMs: 1_000 })
    running = coordinator
    await clock.advance(0)
    const published: number[] = []
    coordinator.subscribe((snapshot) => published.push(snapshot.sequence))
    expect(world.statusReads).toBe(2)
    expect(world.connects).toHaveLength(2)
    expect(world.openConnections()).toBe(0)
    const armed = coordinator.snapshot().armed
    for (let round = 1; round <= 5; round++) {
      await clock.advance(500)
      expect(world.openConnections()).toBe(0)
      await clock.advance(500)
      expect(world.statusReads).toBe(2 + 2 * round)
      expect(world.connects).toHaveLength(2 + 2 * round)
      expect(world.openConnections()).toBe(0)
    }
    // The armed state and its WARN are those of a kept connection: one warning, no republish per round.
    expect(coordinator.snapshot().phase).toBe('NOT_CREATED')
    expect(coordinator.snapshot().armed).toEqual(armed)
    expect(published).toEqual([])
    expect(logger.lines.filter((l) => l.level === 'warn')).toHaveLength(1)
  })

  it('a new connection per round reports a new (equal) diagnosis: still one WARN and no republish', async () => {
    const world = rdsInstanceWorld()
    const open = world.connect.bind(world)
    const source: MetadataSource = {
      name: 'fresh-diagnosis',
      connect: async (target) => {
        const connection = await open(target)
        return {
          readStatus: async (): Promise<StatusReadResult> => {
            await connection.readStatus()
            const server = { engine: 'postgresql' as const, version: '16.4', user: 'app' }
            return { kind: 'unavailable', reason: 'no function', diagnosis: { problem: 'missing', server } }
          },
          isOpen: () => connection.isOpen(),
          close: () => connection.close(),
        }
      },
    }
    const { coordinator, clock, logger } = startCoordinator(
      Object.assign(world, { connect: source.connect }),
      { bgdId: uniqueId(), bgBaselineMs: 1_000 },
    )
    running = coordinator
    await clock.advance(0)
    const sequence = coordinator.snapshot().sequence
    await clock.advance(5_000)
    expect(world.statusReads).toBe(12)
    expect(world.openConnections()).toBe(0)
    expect(coordinator.snapshot().sequence).toBe(sequence)
    expect(logger.lines.filter((l) => l.level === 'warn')).toHaveLength(1)
  })

  it('from CREATED on the connection is kept, through the switchover and COMPLETED', async () => {
    const world = rdsInstanceWorld()
    const { coordinator, clock } = startCoordinator(world, { bgdId: uniqueId(), bgBaselineMs: 1_000 })
    running = coordinator
    await clock.advance(3_000)
    expect(coordinator.snapshot().phase).toBe('CREATED')
    const connects = world.connects.length
    expect(world.openConnections()).toBe(2)
    await clock.advance(10_000)
    expect(world.connects).toHaveLength(connects)
    for (const phase of ['PREPARATION', 'IN_PROGRESS'] as const) {
      setPhase(world, phase)
      await clock.advance(1_000)
      expect(world.openConnections()).toBe(2)
      expect(world.connects).toHaveLength(connects)
    }
  })

  it('closes again once the deployment is gone after COMPLETED, and keeps it when a new one appears', async () => {
    const world = rdsInstanceWorld()
    const { coordinator, clock } = startCoordinator(world, { bgdId: uniqueId(), bgBaselineMs: 1_000 })
    running = coordinator
    await clock.advance(3_000)
    setPhase(world, 'PREPARATION')
    await clock.advance(1_000)
    setPhase(world, 'IN_PROGRESS')
    await clock.advance(300)
    world.cutAll()
    setPhase(world, 'POST', true)
    world.dns.set(BLUE, GREEN_IP)
    world.dns.set(OLD, BLUE_IP)
    world.dns.delete(GREEN)
    await clock.advance(500)
    setPhase(world, 'COMPLETED', true)
    await clock.advance(500)
    expect(coordinator.snapshot().phase).toBe('COMPLETED')
    // COMPLETED metadata is a deployment: the connections stay over many baseline polls.
    const connects = world.connects.length
    await clock.advance(10_000)
    expect(world.openConnections()).toBe(2)
    expect(world.connects).toHaveLength(connects)
    // The deployment is deleted: the next round closes, and every later one closes after its read.
    world.setAll('unavailable')
    await clock.advance(1_000)
    expect(world.openConnections()).toBe(0)
    const reads = world.statusReads
    await clock.advance(3_000)
    expect(world.openConnections()).toBe(0)
    expect(world.statusReads - reads).toBe(6)
    // A new deployment: kept again from its first round.
    setPhase(world, 'CREATED')
    await clock.advance(1_000)
    expect(world.openConnections()).toBe(2)
  })

  it('a deployment that disappears while CREATED keeps its connections until NOT_CREATED is published', async () => {
    const world = rdsInstanceWorld()
    const { coordinator, clock } = startCoordinator(world, { bgdId: uniqueId(), bgBaselineMs: 1_000 })
    running = coordinator
    await clock.advance(3_000)
    world.setAll('unavailable')
    await clock.advance(5_000)
    // Still CREATED (the deletion debounce), polled every bgIncreasedMs: not worth a session per second.
    expect(coordinator.snapshot().phase).toBe('CREATED')
    expect(world.openConnections()).toBe(2)
    await clock.advance(60_000)
    expect(coordinator.snapshot().phase).toBe('NOT_CREATED')
    expect(world.openConnections()).toBe(0)
  })
})

/** One side's monitor over connections whose `close` the test controls. */
function monitorWith(
  close: () => Promise<void>,
  monitoring: Record<string, unknown> = {},
): {
  monitor: SideMonitor
  clock: FakeClock
  connects: () => number
  reads: () => number
} {
  let connects = 0
  let reads = 0
  const clock = new FakeClock()
  const monitor = new SideMonitor({
    role: 'SOURCE',
    bgdId: uniqueId(),
    initialHost: { host: BLUE, port: 5432 },
    source: {
      name: 'closing',
      connect: async (): Promise<MetadataConnection> => {
        connects++
        return {
          readStatus: async () => {
            reads++
            return { kind: 'unavailable', reason: 'no metadata' }
          },
          isOpen: () => true,
          close,
        }
      },
    },
    resolver: { resolve: async () => BLUE_IP },
    clock,
    logger: new MemoryLogger(),
    options: resolveOptions({ bgBaselineMs: 1_000, monitoring }, () => undefined),
    onInterim: () => undefined,
    onUnavailable: () => undefined,
  })
  return { monitor, clock, connects: () => connects, reads: () => reads }
}

describe('closing an idle monitoring connection', () => {
  it.each([
    ['rejects', () => Promise.reject(new Error('close failed'))],
    [
      'throws before returning a promise',
      (): Promise<void> => {
        throw new Error('close threw')
      },
    ],
  ])('a close that %s never ends the loop', async (_, close) => {
    const { monitor, clock, connects, reads } = monitorWith(close)
    monitor.start()
    await clock.advance(0)
    await clock.advance(3_000)
    expect(reads()).toBe(4)
    expect(connects()).toBe(4)
    await monitor.stop()
  })

  it('stop() while a close hangs returns at once', async () => {
    let closing = 0
    const { monitor, clock } = monitorWith(() => {
      closing++
      return new Promise<void>(() => undefined)
    })
    monitor.start()
    await flush()
    expect(closing).toBe(1)
    // The hung close is bounded by stop(): nothing of the fake clock has to pass.
    let stopped = false
    const stopping = monitor.stop().then(() => {
      stopped = true
    })
    await flush()
    expect(stopped).toBe(true)
    await stopping
    await clock.advance(60_000)
    expect(closing).toBe(1)
  })

  it('a close that hangs is given up after the monitoring timeout and the next round runs', async () => {
    const hang = (): Promise<void> => new Promise<void>(() => undefined)
    const { monitor, clock, connects } = monitorWith(hang, { connectTimeoutMs: 30 })
    monitor.start()
    await clock.advance(0)
    expect(connects()).toBe(1)
    // Monitor timeouts run on real, unref'd timers: 30 ms for the close, then the 1 s baseline sleep.
    await new Promise((resolve) => setTimeout(resolve, 100))
    await clock.advance(1_000)
    expect(connects()).toBe(2)
    await monitor.stop()
  })
})
