import { describe, expect, it } from 'vitest'
import { Coordinator } from '../../core/coordinator.js'
import { resolveOptions } from '../../core/options.js'
import type { BlueGreenOptions } from '../../core/options.js'
import type { InterimStatus, Phase } from '../../core/types.js'
import { FakeClock } from '../helpers/fake-clock.js'
import { MemoryLogger } from '../helpers/deployment.js'
import { BLUE, BLUE_IP, GREEN, GREEN_IP, rdsInstanceWorld } from '../helpers/fake-metadata.js'
import { interim, writer } from '../helpers/interim.js'

/**
 * The provider cases of the JDBC wrapper's BlueGreenStatusProviderTest (spec §9.1) and the regressions for the
 * Node wrapper's bugs (spec §10.1), fed straight into a coordinator whose monitors are not started.
 */
function coordinator(options: BlueGreenOptions = {}): {
  c: Coordinator
  clock: FakeClock
  logger: MemoryLogger
} {
  const clock = new FakeClock()
  const logger = new MemoryLogger()
  const world = rdsInstanceWorld()
  const c = new Coordinator({
    options: resolveOptions(options, () => undefined),
    source: world,
    initialHost: { host: BLUE, port: 5432 },
    resolver: world,
    clock,
    logger,
  })
  return { c, clock, logger }
}

const blueSide = (phase: Phase | undefined, extra: Partial<InterimStatus> = {}): InterimStatus =>
  interim(phase, {
    hostNames: new Set([BLUE]),
    startTopology: writer(BLUE),
    currentTopology: writer(BLUE),
    startIpByHost: new Map([[BLUE, BLUE_IP]]),
    currentIpByHost: new Map([[BLUE, BLUE_IP]]),
    ...extra,
  })
const greenSide = (phase: Phase | undefined, extra: Partial<InterimStatus> = {}): InterimStatus =>
  interim(phase, {
    hostNames: new Set([GREEN]),
    startTopology: writer(GREEN),
    currentTopology: writer(GREEN),
    startIpByHost: new Map([[GREEN, GREEN_IP]]),
    currentIpByHost: new Map([[GREEN, GREEN_IP]]),
    ...extra,
  })

function toInProgress(c: Coordinator): void {
  c.accept('SOURCE', blueSide('CREATED'))
  c.accept('TARGET', greenSide('CREATED'))
  c.accept('SOURCE', blueSide('IN_PROGRESS'))
  c.accept('TARGET', greenSide('IN_PROGRESS'))
}

describe('JDBC provider cases (spec §9.1)', () => {
  it('4: IN_PROGRESS without a blue DNS update holds calls', () => {
    const { c } = coordinator()
    toInProgress(c)
    expect(c.snapshot().phase).toBe('IN_PROGRESS')
    expect(c.snapshot().executeRoutes.length).toBeGreaterThan(0)
  })

  it('5: IN_PROGRESS with a blue DNS update is published as POST with no held calls', () => {
    const { c, logger } = coordinator()
    toInProgress(c)
    c.accept('SOURCE', blueSide('IN_PROGRESS', { allStartTopologyIpChanged: true }))
    expect(c.snapshot().phase).toBe('POST')
    expect(c.snapshot().executeRoutes).toEqual([])
    expect(logger.find('traffic released')).toHaveLength(1)
  })

  it('6: with bgReleaseOnBlueDnsUpdate=false it stays IN_PROGRESS', () => {
    const { c } = coordinator({ bgReleaseOnBlueDnsUpdate: false })
    toInProgress(c)
    c.accept('SOURCE', blueSide('IN_PROGRESS', { allStartTopologyIpChanged: true }))
    expect(c.snapshot().phase).toBe('IN_PROGRESS')
  })

  it('7: a rolling-back switchover is not released on a blue DNS update', () => {
    const { c } = coordinator()
    c.accept('SOURCE', blueSide('CREATED'))
    c.accept('TARGET', greenSide('CREATED'))
    c.accept('TARGET', greenSide('POST'))
    c.accept('TARGET', greenSide('IN_PROGRESS'))
    expect(c.snapshot().rollback).toBe(true)
    c.accept('SOURCE', blueSide('IN_PROGRESS', { allStartTopologyIpChanged: true }))
    expect(c.snapshot().phase).toBe('IN_PROGRESS')
  })

  it('8: green going IN_PROGRESS → NOT_CREATED is not a rollback (Node bug N11)', () => {
    const { c } = coordinator()
    toInProgress(c)
    c.accept('TARGET', greenSide('NOT_CREATED'))
    expect(c.snapshot().rollback).toBe(false)
    expect(c.snapshot().phase).toBe('IN_PROGRESS')
  })

  it('9: green going IN_PROGRESS → CREATED is a rollback to CREATED, with a ROLLED BACK summary', () => {
    const { c, logger } = coordinator()
    c.accept('SOURCE', blueSide('CREATED'))
    c.accept('TARGET', greenSide('CREATED'))
    c.accept('SOURCE', blueSide('PREPARATION'))
    toInProgress(c)
    c.accept('TARGET', greenSide('CREATED'))
    expect(c.snapshot().phase).toBe('CREATED')
    expect(c.snapshot().rollback).toBe(true)
    expect(c.snapshot().connectRoutes).toEqual([])
    const [summary] = logger.find('Blue/Green Deployment Switchover ROLLED BACK')
    expect(summary).toBeDefined()
    // Time zero of a rollback is PREPARATION (spec §7.3).
    expect(summary).toMatch(/\s0 ms\s+PREPARATION\n/)
    expect(summary).toContain('CREATED (rollback)')
  })

  it('10: blue going IN_PROGRESS → CREATED is ignored', () => {
    const { c } = coordinator()
    toInProgress(c)
    c.accept('SOURCE', blueSide('CREATED'))
    expect(c.snapshot().rollback).toBe(false)
    expect(c.snapshot().phase).toBe('IN_PROGRESS')
  })

  it('11: an unknown (null) interim phase leaves the phase unchanged', () => {
    const { c } = coordinator()
    toInProgress(c)
    c.accept('TARGET', greenSide(undefined))
    c.accept('SOURCE', blueSide(undefined))
    expect(c.snapshot().phase).toBe('IN_PROGRESS')
  })

  it('12: no deployment: NOT_CREATED with nothing routed', () => {
    const { c } = coordinator()
    c.accept('SOURCE', blueSide('NOT_CREATED'))
    c.accept('TARGET', greenSide('NOT_CREATED'))
    expect(c.snapshot().phase).toBe('NOT_CREATED')
    expect(c.snapshot().roleByHost.size).toBe(0)
    expect(c.snapshot().correspondingHosts.size).toBe(0)
  })
})

describe('Node wrapper regressions (spec §10.1)', () => {
  it('N5: an unchanged poll publishes nothing', () => {
    const { c } = coordinator()
    c.accept('SOURCE', blueSide('CREATED'))
    const sequence = c.snapshot().sequence
    c.accept('SOURCE', blueSide('CREATED'))
    c.accept('SOURCE', blueSide('CREATED'))
    expect(c.snapshot().sequence).toBe(sequence)
  })

  it('N6: a switchover first seen at IN_PROGRESS is held, not published as COMPLETED, and the timer starts there', async () => {
    const { c, clock, logger } = coordinator({ bgSwitchoverTimeoutMs: 5_000 })
    c.accept('SOURCE', blueSide('CREATED'))
    c.accept('TARGET', greenSide('CREATED'))
    c.accept('SOURCE', blueSide('IN_PROGRESS'))
    expect(c.snapshot().phase).toBe('IN_PROGRESS')
    await clock.advance(4_000)
    c.accept('SOURCE', blueSide('IN_PROGRESS'))
    expect(c.snapshot().phase).toBe('IN_PROGRESS')
    // The timer fires on its own, without a poll (JDBC #1920: stuck monitors must not hold traffic forever).
    await clock.advance(1_100)
    expect(c.snapshot().phase).toBe('COMPLETED')
    expect(c.snapshot().executeRoutes).toEqual([])
    expect(logger.find('did not finish within 5000 ms')).toHaveLength(1)
  })

  it('the switchover timer expiring during a rollback publishes CREATED', async () => {
    const { c, clock } = coordinator({ bgSwitchoverTimeoutMs: 1_000 })
    c.accept('SOURCE', blueSide('CREATED'))
    c.accept('TARGET', greenSide('CREATED'))
    c.accept('TARGET', greenSide('POST'))
    c.accept('TARGET', greenSide('IN_PROGRESS'))
    expect(c.snapshot().phase).toBe('IN_PROGRESS')
    await clock.advance(1_500)
    expect(c.snapshot().phase).toBe('CREATED')
  })

  it('N14: a second switchover in the same process is handled from scratch', () => {
    const { c, logger } = coordinator()
    for (let round = 0; round < 2; round++) {
      c.accept('SOURCE', blueSide('CREATED'))
      c.accept('TARGET', greenSide('CREATED'))
      c.accept('SOURCE', blueSide('PREPARATION'))
      c.accept('SOURCE', blueSide('POST', { allStartTopologyIpChanged: true }))
      c.accept('TARGET', greenSide('COMPLETED', { allStartTopologyEndpointsRemoved: true }))
      expect(c.snapshot().phase).toBe('COMPLETED')
    }
    expect(logger.find('Switchover COMPLETED')).toHaveLength(2)
  })

  it('COMPLETED without both DNS flips keeps steering blue connections (published as POST)', () => {
    const { c } = coordinator()
    c.accept('SOURCE', blueSide('CREATED'))
    c.accept('TARGET', greenSide('CREATED'))
    c.accept('SOURCE', blueSide('PREPARATION'))
    c.accept('TARGET', greenSide('COMPLETED'))
    expect(c.snapshot().phase).toBe('POST')
    expect(c.snapshot().connectRoutes.some((r) => r.match.host === BLUE)).toBe(true)
  })

  it('a switchover first seen at COMPLETED routes nothing and logs no summary', () => {
    const { c, logger } = coordinator()
    c.accept('SOURCE', blueSide('COMPLETED', { allStartTopologyIpChanged: true }))
    expect(c.snapshot().phase).toBe('COMPLETED')
    expect(c.snapshot().connectRoutes).toEqual([])
    expect(logger.find('Switchover COMPLETED')).toHaveLength(0)
    // A later deployment is still recognised.
    c.accept('SOURCE', blueSide('CREATED'))
    expect(c.snapshot().phase).toBe('CREATED')
  })

  it('frozen metadata (RDS PostgreSQL): both DNS flips complete a switchover stuck at IN_PROGRESS', () => {
    const { c, logger } = coordinator()
    toInProgress(c)
    c.accept('TARGET', greenSide('NOT_CREATED'))
    c.accept('SOURCE', blueSide('IN_PROGRESS', { allStartTopologyIpChanged: true }))
    expect(c.snapshot().phase).toBe('POST')
    c.accept('TARGET', greenSide('NOT_CREATED', { allStartTopologyEndpointsRemoved: true }))
    expect(c.snapshot().phase).toBe('COMPLETED')
    expect(logger.find('Switchover COMPLETED')).toHaveLength(1)
  })

  it('after the green topology changed, new green connections are rejected until green DNS is gone', () => {
    const { c } = coordinator()
    c.accept('SOURCE', blueSide('CREATED'))
    c.accept('TARGET', greenSide('CREATED'))
    c.accept('SOURCE', blueSide('POST'))
    const greenRoutes = (): unknown[] => c.snapshot().connectRoutes.filter((r) => r.match.role === 'TARGET')
    expect(greenRoutes()).toEqual([
      {
        match: { host: GREEN, role: 'TARGET' },
        decision: { kind: 'substitute', address: GREEN_IP, port: 5432, via: GREEN },
      },
    ])
    c.accept('TARGET', greenSide('POST', { currentTopology: writer(BLUE), allTopologyChanged: true }))
    expect(greenRoutes()).toEqual([{ match: { role: 'TARGET' }, decision: { kind: 'reject' } }])
    c.accept(
      'TARGET',
      greenSide('POST', {
        currentTopology: writer(BLUE),
        allTopologyChanged: true,
        allStartTopologyEndpointsRemoved: true,
      }),
    )
    expect(greenRoutes()).toEqual([])
  })
})

describe('deployment deleted (spec §5.12)', () => {
  it('blue reporting no deployment for the debounce time resets to NOT_CREATED', async () => {
    const { c, clock, logger } = coordinator()
    c.accept('SOURCE', blueSide('CREATED'))
    c.accept('TARGET', greenSide('CREATED'))
    expect(c.snapshot().phase).toBe('CREATED')
    c.accept('SOURCE', blueSide('NOT_CREATED'))
    await clock.advance(10_000)
    c.accept('SOURCE', blueSide('NOT_CREATED'))
    expect(c.snapshot().phase).toBe('CREATED')
    await clock.advance(25_000)
    c.accept('SOURCE', blueSide('NOT_CREATED'))
    expect(c.snapshot().phase).toBe('NOT_CREATED')
    expect(c.snapshot().roleByHost.size).toBe(0)
    expect(logger.find('deployment deleted')).toHaveLength(1)
    // A recreated deployment is recognised from scratch.
    c.accept('SOURCE', blueSide('CREATED'))
    expect(c.snapshot().phase).toBe('CREATED')
  })

  it('a blue that reports the deployment again before the debounce keeps it', async () => {
    const { c, clock } = coordinator()
    c.accept('SOURCE', blueSide('CREATED'))
    c.accept('SOURCE', blueSide(undefined))
    await clock.advance(20_000)
    c.accept('SOURCE', blueSide('CREATED'))
    await clock.advance(20_000)
    c.accept('SOURCE', blueSide(undefined))
    expect(c.snapshot().phase).toBe('CREATED')
  })
})
