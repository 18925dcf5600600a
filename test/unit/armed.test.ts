import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ArmedEvent } from '../../core/channels.js'
import { CHANNELS } from '../../core/channels.js'
import type { Coordinator } from '../../core/coordinator.js'
import type { ArmedFacts } from '../../core/status/armed.js'
import { armedState } from '../../core/status/armed.js'
import { ARMING_GRACE_MS } from '../../core/status/armed-step.js'
import type { ArmedCode, HostPair, InterimStatus, Phase, Role } from '../../core/types.js'
import { startCoordinator } from '../helpers/deployment.js'
import type { FakeWorld } from '../helpers/fake-metadata.js'
import { BLUE, BLUE_IP, GREEN, GREEN_IP, rdsInstanceWorld, row, setPhase } from '../helpers/fake-metadata.js'
import { interim, writer } from '../helpers/interim.js'

const blue = interim('CREATED', { hostNames: new Set([BLUE]), startTopology: writer(BLUE) })
const green = interim('CREATED', { hostNames: new Set([GREEN]), startTopology: writer(GREEN) })
const PAIRED = new Map<string, HostPair>([[BLUE, { blue: BLUE, green: GREEN }]])
const IPS = new Map([
  [BLUE, BLUE_IP],
  [GREEN, GREEN_IP],
])
const NONE = new Map()
const sides = (...entries: [Role, InterimStatus][]): Map<Role, InterimStatus> => new Map(entries)

function facts(partial: Partial<ArmedFacts>): ArmedFacts {
  const read = new Set<Role>(['SOURCE', 'TARGET'])
  return {
    phase: 'CREATED',
    interim: NONE,
    pairs: NONE,
    ipByHost: IPS,
    unreadable: NONE,
    faults: NONE,
    read,
    ...partial,
  }
}

const missing = { reason: 'no function', diagnosis: { problem: 'missing' as const } }
const denied = {
  reason: 'denied',
  diagnosis: { problem: 'not-permitted' as const, server: { engine: 'mysql' as const, user: 'app@%' } },
}
const failing = { kind: 'failing' as const, detail: 'P0001: boom' }
const unreachable = {
  kind: 'unreachable' as const,
  detail: 'ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:5432',
}

/** The armed state's first obstacle wins: blue's fault, blue's metadata, the phase, then green. */
const TABLE: readonly [string, Partial<ArmedFacts>, ArmedCode][] = [
  ['nothing read yet', {}, 'starting'],
  [
    'blue never read: its hollow interim is no "no deployment"',
    { phase: 'NOT_CREATED', interim: sides(['SOURCE', blue]), read: new Set() },
    'starting',
  ],
  [
    'blue never connected',
    { interim: sides(['SOURCE', blue]), read: new Set(), faults: new Map([['SOURCE', unreachable]]) },
    'unreachable',
  ],
  [
    'a cut connection after a first read is no obstacle',
    {
      phase: 'IN_PROGRESS',
      interim: sides(['SOURCE', blue], ['TARGET', green]),
      pairs: PAIRED,
      faults: new Map([['SOURCE', unreachable]]),
    },
    'armed',
  ],
  ['blue cannot read the metadata', { unreadable: new Map([['SOURCE', missing]]) }, 'no-metadata'],
  [
    'a fault beats unreadable metadata (it is the newer news)',
    { unreadable: new Map([['SOURCE', missing]]), faults: new Map([['SOURCE', failing]]) },
    'metadata-failing',
  ],
  ['blue read, no deployment', { phase: 'NOT_CREATED', interim: sides(['SOURCE', blue]) }, 'no-deployment'],
  ['blue only', { interim: sides(['SOURCE', blue]) }, 'green-unknown'],
  [
    'a blue host without green counterpart',
    {
      interim: sides(['SOURCE', blue], ['TARGET', green]),
      pairs: new Map([[BLUE, { blue: BLUE, green: undefined }]]),
    },
    'green-unknown',
  ],
  [
    'green may not read its metadata',
    {
      interim: sides(['SOURCE', blue], ['TARGET', green]),
      pairs: PAIRED,
      unreadable: new Map([['TARGET', denied]]),
    },
    'not-permitted',
  ],
  ['both sides paired', { interim: sides(['SOURCE', blue], ['TARGET', green]), pairs: PAIRED }, 'armed'],
  [
    'paired during the switchover',
    { phase: 'IN_PROGRESS', interim: sides(['SOURCE', blue], ['TARGET', green]), pairs: PAIRED },
    'armed',
  ],
  ['after the switchover', { phase: 'COMPLETED', interim: sides(['SOURCE', blue]) }, 'switchover-over'],
]

describe('armedState', () => {
  it.each(TABLE.map(([name, partial, code]) => [name, code, partial] as const))(
    '%s → %s',
    (_, code, partial) => {
      const state = armedState(facts(partial))
      expect(state.code).toBe(code)
      expect(state.armed).toBe(code === 'armed')
    },
  )

  it('lists every pair with the addresses PREPARATION and POST dial', () => {
    const state = armedState(facts({ interim: sides(['SOURCE', blue], ['TARGET', green]), pairs: PAIRED }))
    expect(state).toMatchObject({
      reason: '1 blue host paired with its green counterpart',
      fix: undefined,
      pairs: [{ blue: BLUE, blueIp: BLUE_IP, green: GREEN, greenIp: GREEN_IP }],
    })
  })

  it("green's problem names the green instance", () => {
    const state = armedState(
      facts({
        interim: sides(['SOURCE', blue], ['TARGET', green]),
        pairs: PAIRED,
        unreadable: new Map([['TARGET', denied]]),
      }),
    )
    expect(state.reason).toMatch(`on the green instance ${GREEN}: mysql.rds_topology is not readable`)
    expect(state.fix).toMatch(/Run it on the green instance .* too/)
  })
})

let counter = 0
const events: ArmedEvent[] = []
const onArmed = (message: unknown): void => void events.push(message as ArmedEvent)
let running: Coordinator | undefined
beforeEach(() => {
  events.length = 0
  subscribe(CHANNELS.armed, onArmed)
})
afterEach(async () => {
  unsubscribe(CHANNELS.armed, onArmed)
  await running?.close()
  running = undefined
})

function start(world: FakeWorld): ReturnType<typeof startCoordinator> {
  const started = startCoordinator(world, { bgdId: `armed-${process.pid}-${++counter}`, bgBaselineMs: 1000 })
  running = started.coordinator
  return started
}

const levels = (lines: readonly { level: string; message: string }[], level: string): string[] =>
  lines.filter((l) => l.level === level).map((l) => l.message)

describe('the armed signal of a coordinator (fake clock and metadata)', () => {
  it('one INFO when armed, the snapshot and the channel say so, and it stays armed through the switchover', async () => {
    const world = rdsInstanceWorld()
    const { coordinator, clock, logger } = start(world)
    await clock.advance(3_000)
    expect(coordinator.snapshot().armed).toMatchObject({
      armed: true,
      code: 'armed',
      pairs: [{ blue: BLUE, blueIp: BLUE_IP, green: GREEN, greenIp: GREEN_IP }],
    })
    const armedLines = logger.find('switchover protection armed')
    expect(armedLines).toEqual([
      `[bgdId: '${coordinator.bgdId}'] Blue/Green switchover protection armed (CREATED): ${BLUE} (${BLUE_IP}) -> ${GREEN} (${GREEN_IP}).`,
    ])
    expect(events.at(-1)).toMatchObject({ bgdId: coordinator.bgdId, armed: true, phase: 'CREATED' })
    for (const phase of ['PREPARATION', 'IN_PROGRESS'] as const) {
      setPhase(world, phase)
      await clock.advance(1_500)
      expect(coordinator.snapshot().phase).toBe(phase)
      expect(coordinator.snapshot().armed.armed).toBe(true)
    }
    expect(logger.find('switchover protection armed')).toHaveLength(1)
    expect(levels(logger.lines, 'warn')).toEqual([])
  })

  it('a missing grant: one WARN with the GRANT, once; fixed later: armed without a restart', async () => {
    const world = rdsInstanceWorld()
    world.setAll({ unavailable: 'denied', diagnosis: denied.diagnosis })
    const { coordinator, clock, logger } = start(world)
    await clock.advance(5_000)
    expect(coordinator.snapshot().armed).toMatchObject({ armed: false, code: 'not-permitted' })
    expect(levels(logger.lines, 'warn')).toEqual([
      `[bgdId: '${coordinator.bgdId}'] No Blue/Green metadata is readable (mysql.rds_topology is not readable by ` +
        "'app'@'%' (MySQL tells a user without the privilege no more, not even whether the table exists)); switchover " +
        "protection is not armed: connections are not routed until it is. Fix: GRANT SELECT ON mysql.rds_topology TO 'app'@'%';",
    ])
    expect(events.map((e) => e.code)).toEqual(['not-permitted'])
    setPhase(world, 'CREATED')
    await clock.advance(65_000) // the next baseline poll finds the rows
    expect(coordinator.snapshot().armed.armed).toBe(true)
    // Green's monitor reads a round later: a passing green-unknown (not warned), then armed.
    expect([...new Set(events.map((e) => e.code))]).toEqual(['not-permitted', 'green-unknown', 'armed'])
    expect(levels(logger.lines, 'warn')).toHaveLength(1)
  })

  it('a raising metadata query: the monitor-health warning only, armed code metadata-failing, then recovery', async () => {
    const world = rdsInstanceWorld()
    world.setAll(Object.assign(new Error('metadata function raised: boom'), { code: 'P0001' }))
    const { coordinator, clock, logger } = start(world)
    await clock.advance(2_000)
    expect(coordinator.snapshot().armed).toMatchObject({
      code: 'metadata-failing',
      reason: 'the metadata query fails (P0001: metadata function raised: boom)',
    })
    expect(levels(logger.lines, 'warn')).toHaveLength(1)
    expect(levels(logger.lines, 'warn')[0]).toContain('the metadata query fails (P0001')
    setPhase(world, 'CREATED')
    await clock.advance(40_000)
    expect(coordinator.snapshot().armed.armed).toBe(true)
    // Recovering never passed through "no deployment": the stale interim of the failed rounds is not judged.
    expect(events.map((e) => e.code)).not.toContain('no-deployment')
    expect(levels(logger.lines, 'warn')).toHaveLength(1)
  })

  it('a database the monitors cannot reach: "unreachable" warned after the grace, never "no deployment"', async () => {
    const world = rdsInstanceWorld()
    world.down.add(BLUE_IP)
    const { coordinator, clock, logger } = start(world)
    await clock.advance(ARMING_GRACE_MS - 2_000)
    expect(coordinator.snapshot().armed.code).toBe('unreachable')
    expect(levels(logger.lines, 'warn')).toEqual([])
    await clock.advance(3_000)
    expect(levels(logger.lines, 'warn')).toEqual([
      `[bgdId: '${coordinator.bgdId}'] Blue/Green switchover protection is not armed: the monitors cannot reach ` +
        'the database (ECONNREFUSED: connect ECONNREFUSED). Fix: check that this process can open connections to ' +
        'the database for its monitors: DNS, network, TLS (the `monitoring` options)',
    ])
    expect(events.map((e) => e.code)).not.toContain('no-deployment')
    world.down.delete(BLUE_IP)
    await clock.advance(3_000)
    expect(coordinator.snapshot().armed.armed).toBe(true)
  })

  it('green not in the metadata: not armed at once, warned only after the grace', async () => {
    const world = rdsInstanceWorld()
    world.setAll([row(BLUE, 'SOURCE', 'CREATED')])
    const { coordinator, clock, logger } = start(world)
    await clock.advance(ARMING_GRACE_MS - 2_000)
    expect(coordinator.snapshot().armed.code).toBe('green-unknown')
    expect(levels(logger.lines, 'warn')).toEqual([])
    await clock.advance(3_000)
    const warnings = levels(logger.lines, 'warn')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(
      /protection is not armed: the green side is not known yet.*Fix: this process must/,
    )
  })

  it.each<[string, Phase | 'rows-without-deployment']>([
    ['metadata with no deployment', 'rows-without-deployment'],
  ])('%s: one WARN saying no deployment exists', async () => {
    const world = rdsInstanceWorld()
    world.setAll([row(`other.${BLUE.split('.').slice(1).join('.')}`, 'TARGET', 'CREATED')].slice(0, 0))
    const { coordinator, clock, logger } = start(world)
    await clock.advance(3_000)
    expect(coordinator.snapshot().armed.code).toBe('no-deployment')
    expect(levels(logger.lines, 'warn')).toEqual([
      `[bgdId: '${coordinator.bgdId}'] Blue/Green switchover protection is not armed: no Blue/Green deployment ` +
        'exists for this database. Fix: create the Blue/Green deployment; RDS publishes its metadata once the ' +
        'deployment is available (this can take a while) and protection arms itself then, without a restart',
    ])
  })
})
