import { afterEach, describe, expect, it } from 'vitest'
import type { Coordinator } from '../../core/coordinator.js'
import { decideConnect, decideExecute } from '../../core/routing/router.js'
import type { FakeClock } from '../helpers/fake-clock.js'
import { startCoordinator } from '../helpers/deployment.js'
import type { MemoryLogger } from '../helpers/deployment.js'
import { BLUE, BLUE_IP, GREEN, GREEN_IP, OLD, rdsInstanceWorld, setPhase } from '../helpers/fake-metadata.js'
import type { FakeWorld } from '../helpers/fake-metadata.js'

let running: Coordinator | undefined
afterEach(async () => {
  await running?.close()
  running = undefined
})

function setup(options = {}): {
  world: FakeWorld
  coordinator: Coordinator
  clock: FakeClock
  logger: MemoryLogger
} {
  const world = rdsInstanceWorld()
  const started = startCoordinator(world, options)
  running = started.coordinator
  return { world, ...started }
}

const blue = { host: BLUE, port: 5432 }
const green = { host: GREEN, port: 5432 }

describe('Coordinator: a full RDS-instance switchover', () => {
  it('moves through every phase with the routing of spec §5.6 and logs the summary', async () => {
    const { world, coordinator, clock, logger } = setup()
    await clock.advance(50)
    expect(coordinator.snapshot().phase).toBe('CREATED')
    // The snapshot is taken from the round after CREATED (spec §5.7).
    await clock.advance(2_000)
    const created = coordinator.snapshot()
    expect(created.correspondingHosts.get(BLUE)?.green).toBe(GREEN)
    expect(created.ipByHost.get(BLUE)).toBe(BLUE_IP)
    expect(created.ipByHost.get(GREEN)).toBe(GREEN_IP)
    expect(decideConnect(created, blue)).toEqual({ kind: 'pass' })

    setPhase(world, 'PREPARATION')
    await clock.advance(1_000)
    const prep = coordinator.snapshot()
    expect(prep.phase).toBe('PREPARATION')
    expect(decideConnect(prep, blue)).toMatchObject({ kind: 'substitute', address: BLUE_IP })
    expect(decideConnect(prep, { host: BLUE.toUpperCase(), port: 5432 })).toMatchObject({
      kind: 'substitute',
    })

    setPhase(world, 'IN_PROGRESS')
    await clock.advance(100)
    const inProgress = coordinator.snapshot()
    expect(inProgress.phase).toBe('IN_PROGRESS')
    expect(decideConnect(inProgress, blue)).toMatchObject({ kind: 'hold' })
    expect(decideConnect(inProgress, green)).toMatchObject({ kind: 'hold' })
    expect(decideConnect(inProgress, { host: BLUE_IP, port: 5432 })).toMatchObject({ kind: 'hold' })
    expect(decideExecute(inProgress, blue)).toEqual({ kind: 'hold' })
    expect(decideConnect(inProgress, { host: 'other.example.com', port: 5432 })).toEqual({ kind: 'pass' })

    world.cutAll()
    setPhase(world, 'POST', true)
    await clock.advance(300)
    const post = coordinator.snapshot()
    expect(post.phase).toBe('POST')
    expect(decideConnect(post, blue)).toMatchObject({ kind: 'substitute', address: GREEN_IP, via: GREEN })
    expect(decideExecute(post, blue)).toEqual({ kind: 'pass' })

    world.dns.set(BLUE, GREEN_IP)
    world.dns.set(OLD, BLUE_IP)
    world.dns.delete(GREEN)
    await clock.advance(300)
    expect(coordinator.snapshot().blueDnsUpdated).toBe(true)
    // The green hosts carry their new names: green names are retired, never looked up again.
    expect(coordinator.snapshot().greenTopologyChanged).toBe(true)
    const greenLookups = world.lookups.filter((h) => h === GREEN).length
    // Still POST: the metadata has not said COMPLETED yet.
    expect(coordinator.snapshot().phase).toBe('POST')

    setPhase(world, 'COMPLETED', true)
    await clock.advance(300)
    const done = coordinator.snapshot()
    expect(done.phase).toBe('COMPLETED')
    expect(done.connectRoutes).toEqual([])
    expect(decideConnect(done, blue)).toEqual({ kind: 'pass' })
    expect(world.lookups.filter((h) => h === GREEN).length).toBe(greenLookups)

    const summary = logger.find('Blue/Green Deployment Switchover COMPLETED')
    expect(summary).toHaveLength(1)
    for (const event of [
      'CREATED',
      'PREPARATION',
      'IN_PROGRESS',
      'POST',
      'Blue DNS updated',
      'Green topology changed',
      'COMPLETED',
    ]) {
      expect(summary[0]).toContain(event)
    }
    expect(logger.find('target topology recognized')).toHaveLength(1)
  })

  it('holds no routing while NOT_CREATED and warns once when no metadata is readable', async () => {
    const { world, coordinator, clock, logger } = setup()
    world.setAll('unavailable')
    await clock.advance(200_000)
    expect(coordinator.snapshot().phase).toBe('NOT_CREATED')
    expect(coordinator.snapshot().roleByHost.size).toBe(0)
    expect(logger.find('No Blue/Green metadata')).toHaveLength(1)
    // Baseline polling: about one read per minute per monitor, not one per 100 ms.
    expect(world.statusReads).toBeLessThan(20)
  })
})
