import { afterEach, describe, expect, it } from 'vitest'
import type { Coordinator } from '../../core/coordinator.js'
import { decideConnect } from '../../core/routing/router.js'
import { startCoordinator } from '../helpers/deployment.js'
import {
  BLUE,
  BLUE_IP,
  CLUSTER,
  DOMAIN,
  GREEN,
  GREEN_CLUSTER,
  GREEN_IP,
  auroraWorld,
  rdsInstanceWorld,
  row,
  setPhase,
} from '../helpers/fake-metadata.js'

/**
 * Issue 12 item 3 through the real monitors (fake metadata, fake DNS, fake clock): metadata that becomes visible
 * only mid-switchover still protects, and a cycle whose metadata froze does not restart as a late one.
 */
let running: Coordinator | undefined
afterEach(async () => {
  await running?.close()
  running = undefined
})

const BLUE_TARGET = { host: BLUE, port: 5432 }
// Polling while no deployment exists is compressed as in the lab, so late rows are seen within a second.
const OPTIONS = { bgBaselineMs: 200 }

describe('metadata first visible mid-switchover', () => {
  it('at IN_PROGRESS: holds, substitutes the green address in POST, completes without the timer', async () => {
    const world = rdsInstanceWorld()
    world.setAll([])
    const { coordinator, clock, logger } = startCoordinator(world, OPTIONS)
    running = coordinator
    await clock.advance(2_000)
    expect(coordinator.snapshot().phase).toBe('NOT_CREATED')
    setPhase(world, 'IN_PROGRESS')
    await clock.advance(1_000)
    let s = coordinator.snapshot()
    expect(s.phase).toBe('IN_PROGRESS')
    expect(s.roleByHost.get(BLUE)).toBe('SOURCE')
    expect(s.roleByHost.get(GREEN)).toBe('TARGET')
    // Green's own name was resolved late; nothing was recorded as a blue start address.
    expect([...s.ipByHost]).toEqual([[GREEN, GREEN_IP]])
    expect(decideConnect(s, BLUE_TARGET).kind).toBe('hold')
    // Besides the armed warning of the NOT_CREATED start ("no Blue/Green deployment exists"), one late warning.
    const warnings = logger.lines.filter((l) => l.level === 'warn').map((l) => l.message)
    expect(warnings.filter((m) => m.includes('protection started late'))).toEqual([
      expect.stringContaining('first seen at IN_PROGRESS: protection started late'),
    ])
    expect(warnings.filter((m) => !m.includes('not armed') && !m.includes('started late'))).toEqual([])
    // The cut, the rename and POST; blue DNS moves to green at the start of POST.
    world.cutAll()
    world.dns.set(BLUE, GREEN_IP)
    setPhase(world, 'POST', true)
    await clock.advance(1_000)
    s = coordinator.snapshot()
    expect(s.phase).toBe('POST')
    expect(decideConnect(s, BLUE_TARGET)).toMatchObject({ kind: 'substitute', address: GREEN_IP })
    expect(s.blueDnsUpdated).toBe(true)
    expect(s.greenTopologyChanged).toBe(true)
    setPhase(world, 'COMPLETED', true)
    await clock.advance(1_000)
    expect(coordinator.snapshot().phase).toBe('COMPLETED')
    expect(logger.find('did not finish within')).toEqual([])
    expect(logger.find('Switchover COMPLETED')).toHaveLength(1)
    // The late warning and the NOT_CREATED start's armed warning, nothing more.
    expect(logger.lines.filter((l) => l.level === 'warn')).toHaveLength(2)
  })

  it('at POST after the rename: blue names pass (no pair can be formed) and COMPLETED ends the cycle', async () => {
    const world = rdsInstanceWorld()
    world.setAll([])
    const { coordinator, clock, logger } = startCoordinator(world, OPTIONS)
    running = coordinator
    await clock.advance(2_000)
    setPhase(world, 'POST', true)
    await clock.advance(1_000)
    const s = coordinator.snapshot()
    expect(s.phase).toBe('POST')
    expect(s.roleByHost.get(BLUE)).toBe('SOURCE')
    expect(decideConnect(s, BLUE_TARGET).kind).toBe('pass')
    expect(s.ipByHost.size).toBe(0)
    expect(logger.find('after the green servers took over the blue names')).toHaveLength(1)
    setPhase(world, 'COMPLETED', true)
    await clock.advance(1_000)
    expect(coordinator.snapshot().phase).toBe('COMPLETED')
    expect(logger.find('did not finish within')).toEqual([])
  })

  it('at COMPLETED: nothing routed, no warning', async () => {
    const world = rdsInstanceWorld()
    world.setAll([])
    const { coordinator, clock, logger } = startCoordinator(world, OPTIONS)
    running = coordinator
    await clock.advance(2_000)
    world.dns.set(BLUE, GREEN_IP)
    setPhase(world, 'COMPLETED', true)
    await clock.advance(2_000)
    expect(coordinator.snapshot().phase).toBe('COMPLETED')
    expect(coordinator.snapshot().connectRoutes).toEqual([])
    expect(logger.lines.filter((l) => l.level === 'warn')).toEqual([])
  })
})

describe('metadata first visible in PREPARATION (Aurora)', () => {
  it("green's start topology is read on green, not from the blue server the green monitor began on", async () => {
    // Campaign seed 1981451225: rows first visible 201 ms into PREPARATION. The green monitor starts on the blue
    // cluster endpoint; while no deployment was visible it read blue's instance topology, and without CREATED
    // (whose rounds retake the snapshot) that became green's start topology: blue paired with itself, so POST
    // held until blue DNS moved (worker gap ~2 s against a 1.5 s bound).
    const world = auroraWorld()
    world.setAll([])
    const { coordinator, clock } = startCoordinator(world, OPTIONS, { host: CLUSTER, port: 5432 })
    running = coordinator
    await clock.advance(2_000)
    world.setAll([row(CLUSTER, 'SOURCE', 'PREPARATION'), row(GREEN_CLUSTER, 'TARGET', 'PREPARATION')])
    await clock.advance(1_000)
    const s = coordinator.snapshot()
    expect(s.phase).toBe('PREPARATION')
    const writer = `mydb-instance-1.${DOMAIN}`
    expect(s.correspondingHosts.get(writer)?.green).toBe(`mydb-instance-1-green-q3w4e5.${DOMAIN}`)
    expect(s.roleByHost.get(writer)).toBe('SOURCE')
    expect(s.correspondingHosts.get(CLUSTER)?.green).toBe(GREEN_CLUSTER)
  })
})

describe('metadata frozen at IN_PROGRESS (RDS PostgreSQL)', () => {
  it('after a regular cycle completed on DNS, the monitors do not start a late one over the frozen rows', async () => {
    const world = rdsInstanceWorld()
    const { coordinator, clock, logger } = startCoordinator(world, OPTIONS)
    running = coordinator
    await clock.advance(3_000)
    setPhase(world, 'IN_PROGRESS')
    await clock.advance(1_000)
    expect(coordinator.snapshot().phase).toBe('IN_PROGRESS')
    // The old blue keeps IN_PROGRESS for good; the new writer's rows are deleted; both DNS changes happen.
    world.cutAll()
    world.servers.set(BLUE_IP, [row(BLUE, 'SOURCE', 'IN_PROGRESS'), row(GREEN, 'TARGET', 'IN_PROGRESS')])
    world.servers.set(GREEN_IP, [])
    world.dns.set(BLUE, GREEN_IP)
    world.dns.delete(GREEN)
    await clock.advance(2_000)
    expect(coordinator.snapshot().phase).toBe('COMPLETED')
    await clock.advance(5_000)
    expect(coordinator.snapshot().phase).toBe('COMPLETED')
    expect(logger.find('first seen at')).toEqual([])
  })
})
