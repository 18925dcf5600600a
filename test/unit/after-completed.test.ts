import { afterEach, describe, expect, it } from 'vitest'
import type { Coordinator } from '../../core/coordinator.js'
import type { Phase } from '../../core/phases.js'
import { DELETION_DEBOUNCE_MS } from '../../core/coordinator.js'
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

async function completeSwitchover(): Promise<{
  world: FakeWorld
  coordinator: Coordinator
  clock: FakeClock
  logger: MemoryLogger
}> {
  const world = rdsInstanceWorld()
  const started = startCoordinator(world)
  running = started.coordinator
  const { clock } = started
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
  expect(started.coordinator.snapshot().phase).toBe('COMPLETED')
  return { world, ...started }
}

describe('after COMPLETED (issue 11 item 8)', () => {
  it('the deployment deleted after the switchover: NOT_CREATED once, after the debounce', async () => {
    const { world, coordinator, clock, logger } = await completeSwitchover()
    const phases: Phase[] = [coordinator.snapshot().phase]
    coordinator.subscribe((snapshot) => {
      if (phases.at(-1) !== snapshot.phase) phases.push(snapshot.phase)
    })
    world.setAll([])
    await clock.advance(DELETION_DEBOUNCE_MS - 1_000)
    expect(coordinator.snapshot().phase).toBe('COMPLETED')
    await clock.advance(300_000)
    expect(phases).toEqual(['COMPLETED', 'NOT_CREATED'])
    expect(logger.find('deployment deleted')).toHaveLength(1)
  })

  it('a new deployment after a finished switchover is recognised', async () => {
    const { world, coordinator, clock } = await completeSwitchover()
    await clock.advance(120_000)
    setPhase(world, 'CREATED')
    await clock.advance(120_000)
    expect(coordinator.snapshot().phase).toBe('CREATED')
  })

  it('the phase stays COMPLETED over many baseline polls while the metadata keeps saying COMPLETED', async () => {
    const { coordinator, clock } = await completeSwitchover()
    const phases: Phase[] = [coordinator.snapshot().phase]
    coordinator.subscribe((snapshot) => {
      if (phases.at(-1) !== snapshot.phase) phases.push(snapshot.phase)
    })
    // Ten baseline polls (bgBaselineMs is 60 s in these tests).
    await clock.advance(600_000)
    expect(phases).toEqual(['COMPLETED'])
    expect(coordinator.snapshot().phase).toBe('COMPLETED')
  })
})
