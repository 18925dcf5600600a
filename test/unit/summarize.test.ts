import { STARTING } from '../../core/status/armed.js'
import { describe, expect, it } from 'vitest'
import { PHASES } from '../../core/phases.js'
import type { Phase } from '../../core/phases.js'
import { decideConnect, decideExecute } from '../../core/routing/router.js'
import { summarize } from '../../core/status/summarize.js'
import type { Summary, SummaryInput } from '../../core/status/summarize.js'
import type { BlueGreenSnapshot, ConnectDecision } from '../../core/types.js'

const BLUE = 'db.example'
const GREEN = 'db-green-abc123.example'
const BLUE_IP = '10.0.0.1'
const GREEN_IP = '10.0.0.2'

/** One deployment: a blue writer paired with a green writer, both IPs captured while CREATED. */
function input(partial: Partial<SummaryInput>): SummaryInput {
  return {
    latestPhase: 'CREATED',
    rollback: false,
    timerExpired: false,
    releaseOnBlueDnsUpdate: true,
    blueDnsUpdated: false,
    greenDnsRemoved: false,
    greenTopologyChanged: false,
    completedWithoutSwitchover: false,
    roleByHost: new Map([
      [BLUE, 'SOURCE'],
      [GREEN, 'TARGET'],
    ]),
    ipByHost: new Map([
      [BLUE, BLUE_IP],
      [GREEN, GREEN_IP],
    ]),
    correspondingHosts: new Map([[BLUE, { blue: BLUE, green: GREEN }]]),
    portByRole: { SOURCE: 5432, TARGET: 5432 },
    ...partial,
  }
}

/** The summary as the router sees it. */
function asSnapshot(summary: Summary): BlueGreenSnapshot {
  return {
    bgdId: '1',
    sequence: 1,
    phase: summary.phase,
    rollback: false,
    roleByHost: summary.roleByHost,
    roleByIp: new Map(),
    ipByHost: new Map(),
    correspondingHosts: summary.correspondingHosts,
    connectRoutes: summary.connectRoutes,
    executeRoutes: summary.executeRoutes,
    blueDnsUpdated: false,
    greenDnsRemoved: false,
    greenTopologyChanged: false,
    publishedAt: 0,
    armed: STARTING,
  }
}

const PASS: ConnectDecision = { kind: 'pass' }
const HOLD: ConnectDecision = { kind: 'hold', reason: 'in-progress' }
const REJECT: ConnectDecision = { kind: 'reject' }
const TO_BLUE_IP: ConnectDecision = { kind: 'substitute', address: BLUE_IP, port: 5432, via: BLUE }
const TO_GREEN_IP: ConnectDecision = { kind: 'substitute', address: GREEN_IP, port: 5432, via: GREEN }

type Flag = boolean | '*'
interface Row {
  readonly phase: Phase | '*'
  readonly timer: Flag
  readonly rollback: Flag
  readonly blueDns: Flag
  readonly greenDns: Flag
  readonly greenTopo: Flag
  readonly published: Phase
  readonly blue: ConnectDecision
  readonly green: ConnectDecision
  /** Calls on existing connections held (both sides alike). */
  readonly held: boolean
}

const _ = '*' as const
// prettier-ignore
/**
 * The routing of every phase (rows are tried in order; `*` matches anything). POST's green routing depends on
 * the green flags: its own IP until the green topology changes, then rejected until green DNS is gone.
 */
const TABLE: readonly Row[] = [
  { phase: 'NOT_CREATED', timer: _, rollback: _, blueDns: _, greenDns: _, greenTopo: _, published: 'NOT_CREATED', blue: PASS, green: PASS, held: false },
  { phase: 'CREATED', timer: _, rollback: _, blueDns: _, greenDns: _, greenTopo: _, published: 'CREATED', blue: PASS, green: PASS, held: false },
  // The switchover timer expired: routing is dropped.
  { phase: _, timer: true, rollback: true, blueDns: _, greenDns: _, greenTopo: _, published: 'CREATED', blue: PASS, green: PASS, held: false },
  { phase: _, timer: true, rollback: false, blueDns: _, greenDns: _, greenTopo: _, published: 'COMPLETED', blue: PASS, green: PASS, held: false },
  { phase: 'PREPARATION', timer: _, rollback: _, blueDns: _, greenDns: _, greenTopo: _, published: 'PREPARATION', blue: TO_BLUE_IP, green: PASS, held: false },
  // Blue DNS already points at green: released early (as POST, or COMPLETED once green DNS is gone too).
  { phase: 'IN_PROGRESS', timer: _, rollback: false, blueDns: true, greenDns: true, greenTopo: _, published: 'COMPLETED', blue: PASS, green: PASS, held: false },
  { phase: 'IN_PROGRESS', timer: _, rollback: false, blueDns: true, greenDns: false, greenTopo: true, published: 'POST', blue: TO_GREEN_IP, green: REJECT, held: false },
  { phase: 'IN_PROGRESS', timer: _, rollback: false, blueDns: true, greenDns: false, greenTopo: false, published: 'POST', blue: TO_GREEN_IP, green: TO_GREEN_IP, held: false },
  { phase: 'IN_PROGRESS', timer: _, rollback: _, blueDns: _, greenDns: _, greenTopo: _, published: 'IN_PROGRESS', blue: HOLD, green: HOLD, held: true },
  { phase: 'POST', timer: _, rollback: _, blueDns: _, greenDns: _, greenTopo: false, published: 'POST', blue: TO_GREEN_IP, green: TO_GREEN_IP, held: false },
  { phase: 'POST', timer: _, rollback: _, blueDns: _, greenDns: false, greenTopo: true, published: 'POST', blue: TO_GREEN_IP, green: REJECT, held: false },
  { phase: 'POST', timer: _, rollback: _, blueDns: _, greenDns: true, greenTopo: true, published: 'POST', blue: TO_GREEN_IP, green: PASS, held: false },
  // COMPLETED in the metadata, but DNS not flipped yet: keep steering as in POST.
  { phase: 'COMPLETED', timer: _, rollback: _, blueDns: true, greenDns: true, greenTopo: _, published: 'COMPLETED', blue: PASS, green: PASS, held: false },
  { phase: 'COMPLETED', timer: _, rollback: _, blueDns: true, greenDns: _, greenTopo: true, published: 'COMPLETED', blue: PASS, green: PASS, held: false },
  { phase: 'COMPLETED', timer: _, rollback: _, blueDns: _, greenDns: _, greenTopo: false, published: 'POST', blue: TO_GREEN_IP, green: TO_GREEN_IP, held: false },
  { phase: 'COMPLETED', timer: _, rollback: _, blueDns: _, greenDns: false, greenTopo: true, published: 'POST', blue: TO_GREEN_IP, green: REJECT, held: false },
  { phase: 'COMPLETED', timer: _, rollback: _, blueDns: _, greenDns: true, greenTopo: true, published: 'POST', blue: TO_GREEN_IP, green: PASS, held: false },
]

const fits = (flag: Flag, value: boolean): boolean => flag === '*' || flag === value
const BOOLS = [false, true] as const
const cases = PHASES.flatMap((phase) =>
  BOOLS.flatMap((timer) =>
    BOOLS.flatMap((rollback) =>
      BOOLS.flatMap((blueDns) =>
        BOOLS.flatMap((greenDns) =>
          BOOLS.map((greenTopo) => ({ phase, timer, rollback, blueDns, greenDns, greenTopo })),
        ),
      ),
    ),
  ),
)

describe('summarize: every phase × timer × rollback × DNS flags', () => {
  it.each(cases)('%o', (c) => {
    const row = TABLE.find(
      (r) =>
        (r.phase === '*' || r.phase === c.phase) &&
        // NOT_CREATED and CREATED ignore the timer: it cannot run there.
        fits(r.timer, c.timer) &&
        fits(r.rollback, c.rollback) &&
        fits(r.blueDns, c.blueDns) &&
        fits(r.greenDns, c.greenDns) &&
        fits(r.greenTopo, c.greenTopo),
    )
    expect(row, 'a table row for every combination').toBeDefined()
    if (row === undefined) return
    const summary = summarize(
      input({
        latestPhase: c.phase,
        timerExpired: c.timer,
        rollback: c.rollback,
        blueDnsUpdated: c.blueDns,
        greenDnsRemoved: c.greenDns,
        greenTopologyChanged: c.greenTopo,
      }),
    )
    const snapshot = asSnapshot(summary)
    expect(summary.phase).toBe(row.published)
    expect(decideConnect(snapshot, { host: BLUE, port: 5432 })).toEqual(row.blue)
    expect(decideConnect(snapshot, { host: GREEN, port: 5432 })).toEqual(row.green)
    expect(decideExecute(snapshot, { host: BLUE, port: 5432 }).kind).toBe(row.held ? 'hold' : 'pass')
    expect(decideExecute(snapshot, { host: GREEN, port: 5432 }).kind).toBe(row.held ? 'hold' : 'pass')
    // Released early exactly when IN_PROGRESS is published as something else.
    expect(summary.releasedOnBlueDns).toBe(
      c.phase === 'IN_PROGRESS' && !c.timer && row.published !== 'IN_PROGRESS',
    )
    // Nothing takes part in routing before a deployment exists.
    expect(summary.roleByHost.size).toBe(c.phase === 'NOT_CREATED' ? 0 : 2)
  })
})

describe('summarize: the cases beside the table', () => {
  it('with bgReleaseOnBlueDnsUpdate=false, IN_PROGRESS holds whatever DNS says', () => {
    const summary = summarize(
      input({
        latestPhase: 'IN_PROGRESS',
        blueDnsUpdated: true,
        greenDnsRemoved: true,
        releaseOnBlueDnsUpdate: false,
      }),
    )
    expect(summary.phase).toBe('IN_PROGRESS')
    expect(decideConnect(asSnapshot(summary), { host: BLUE, port: 5432 })).toEqual(HOLD)
  })

  it('a deployment first seen at COMPLETED routes nothing, whatever the DNS flags', () => {
    const summary = summarize(input({ latestPhase: 'COMPLETED', completedWithoutSwitchover: true }))
    expect(summary.phase).toBe('COMPLETED')
    expect(summary.connectRoutes).toEqual([])
  })

  it('in POST a blue host without a green counterpart is held until one is known', () => {
    const summary = summarize(
      input({ latestPhase: 'POST', correspondingHosts: new Map([[BLUE, { blue: BLUE, green: undefined }]]) }),
    )
    expect(decideConnect(asSnapshot(summary), { host: BLUE, port: 5432 })).toEqual({
      kind: 'hold',
      reason: 'corresponding-host',
    })
  })

  it('in POST a green counterpart without a captured IP is dialled by name, on the green port', () => {
    const summary = summarize(
      input({
        latestPhase: 'POST',
        ipByHost: new Map([[BLUE, BLUE_IP]]),
        portByRole: { SOURCE: 5432, TARGET: 6543 },
      }),
    )
    const snapshot = asSnapshot(summary)
    expect(decideConnect(snapshot, { host: BLUE, port: 5432 })).toEqual({
      kind: 'substitute',
      address: GREEN,
      port: 6543,
      via: GREEN,
    })
    // A green host without a captured IP has no routing of its own.
    expect(decideConnect(snapshot, { host: GREEN, port: 6543 })).toEqual(PASS)
  })

  it('a blue host without a pairing entry takes no part in PREPARATION or POST routing', () => {
    for (const latestPhase of ['PREPARATION', 'POST'] as const) {
      const summary = summarize(input({ latestPhase, correspondingHosts: new Map() }))
      expect(decideConnect(asSnapshot(summary), { host: BLUE, port: 5432 })).toEqual(PASS)
    }
  })

  it('every per-host route is added once, matching every port of its host', () => {
    const summary = summarize(input({ latestPhase: 'POST' }))
    expect(summary.connectRoutes.map((r) => r.match)).toEqual([
      { host: BLUE, role: 'SOURCE' },
      { host: GREEN, role: 'TARGET' },
    ])
    expect(decideConnect(asSnapshot(summary), { host: BLUE, port: 6432 })).toEqual(TO_GREEN_IP)
  })
})

describe('summarize: after a late start (docs/design.md, "Late metadata")', () => {
  const HOLD_FOR_PAIR: ConnectDecision = { kind: 'hold', reason: 'corresponding-host' }
  const late = (
    partial: Partial<NonNullable<SummaryInput['late']>> = {},
  ): NonNullable<SummaryInput['late']> => ({
    blueDnsObservable: true,
    greenRetirementObservable: true,
    pendingGreen: new Set(),
    ...partial,
  })
  // No blue start address after a late start: only green's own was captured.
  const greenOnly = new Map([[GREEN, GREEN_IP]])
  // prettier-ignore
  const LATE: readonly {
    readonly name: string
    readonly input: Partial<SummaryInput>
    readonly published: Phase
    readonly blue: ConnectDecision
  }[] = [
    { name: 'POST with the green address: substituted', input: { latestPhase: 'POST', ipByHost: greenOnly, late: late() }, published: 'POST', blue: TO_GREEN_IP },
    { name: 'POST, green address pending: held for it', input: { latestPhase: 'POST', ipByHost: new Map(), late: late({ pendingGreen: new Set([GREEN]) }) }, published: 'POST', blue: HOLD_FOR_PAIR },
    { name: 'POST, green address never to come: passes', input: { latestPhase: 'POST', ipByHost: new Map(), late: late() }, published: 'POST', blue: PASS },
    { name: 'POST, no counterpart: passes (no hold for a pair that cannot form)', input: { latestPhase: 'POST', correspondingHosts: new Map([[BLUE, { blue: BLUE, green: undefined }]]), late: late() }, published: 'POST', blue: PASS },
    { name: 'COMPLETED, blue DNS unobservable, green retired: COMPLETED', input: { latestPhase: 'COMPLETED', ipByHost: greenOnly, greenTopologyChanged: true, late: late({ blueDnsObservable: false }) }, published: 'COMPLETED', blue: PASS },
    { name: 'COMPLETED, nothing observable: COMPLETED', input: { latestPhase: 'COMPLETED', ipByHost: new Map(), late: late({ blueDnsObservable: false, greenRetirementObservable: false }) }, published: 'COMPLETED', blue: PASS },
    { name: 'COMPLETED, blue DNS observable and not updated: still POST', input: { latestPhase: 'COMPLETED', ipByHost: greenOnly, greenTopologyChanged: true, late: late() }, published: 'POST', blue: TO_GREEN_IP },
    { name: 'COMPLETED, green retirement observable and not seen: still POST', input: { latestPhase: 'COMPLETED', ipByHost: greenOnly, blueDnsUpdated: true, late: late() }, published: 'POST', blue: TO_GREEN_IP },
  ]
  it.each(LATE)('$name', (row) => {
    const summary = summarize(input(row.input))
    expect(summary.phase).toBe(row.published)
    expect(decideConnect(asSnapshot(summary), { host: BLUE, port: 5432 })).toEqual(row.blue)
  })
})
