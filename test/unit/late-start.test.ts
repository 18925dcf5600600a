import { describe, expect, it } from 'vitest'
import type { Phase } from '../../core/phases.js'
import { decideConnect, decideExecute } from '../../core/routing/router.js'
import type { CoordinatorEffect, CoordinatorEvent, CoordinatorState } from '../../core/status/events.js'
import { initialState, reduce } from '../../core/status/reducer.js'
import type { BlueGreenSnapshot, InterimStatus, Role } from '../../core/types.js'
import { BLUE, BLUE_IP, GREEN, GREEN_IP } from '../helpers/fake-metadata.js'
import { interim, writer } from '../helpers/interim.js'

/**
 * Issue 12 item 3: a deployment first seen at IN_PROGRESS or later still protects (docs/design.md, "Late
 * metadata"). The reducer is fed what the monitors report after a late snapshot: blue names without start
 * addresses, green names with the addresses they resolve to now. No test fires the switchover timer: every
 * cycle must complete on the metadata and DNS alone.
 */
const CONFIG = { bgdId: 'late', switchoverTimeoutMs: 180_000, releaseOnBlueDnsUpdate: true }

/** The blue side after a late snapshot: names and topology, no start address; `now` is what BLUE resolves to. */
function blue(phase: Phase | undefined, late: Phase | undefined, now = BLUE_IP): InterimStatus {
  return interim(phase, {
    hostNames: new Set([BLUE]),
    startTopology: writer(BLUE),
    currentTopology: writer(BLUE),
    currentIpByHost: new Map([[BLUE, now]]),
    lateStart: late,
  })
}

/** The blue side once its rows carry only `-old1` names: no phase, nothing known. */
const blueRenamed = (): InterimStatus => interim(undefined)

interface GreenView {
  /** The green name's address was learned (false: its lookup has not answered yet). */
  readonly ip?: boolean
  /** The green name no longer resolves. */
  readonly removed?: boolean
  /** The green hosts now carry the blue names (current topology renamed). */
  readonly renamedNow?: boolean
}

/** The green side after a late snapshot taken before the rename. */
function green(phase: Phase, late: Phase, view: GreenView = {}): InterimStatus {
  const ip = view.ip ?? true
  return interim(phase, {
    hostNames: new Set([GREEN]),
    startTopology: writer(GREEN),
    currentTopology: view.renamedNow === true ? writer(BLUE) : writer(GREEN),
    startIpByHost: ip ? new Map([[GREEN, GREEN_IP]]) : new Map(),
    currentIpByHost: new Map(view.removed === true ? [[GREEN, undefined]] : ip ? [[GREEN, GREEN_IP]] : []),
    allTopologyChanged: view.renamedNow === true,
    allStartTopologyEndpointsRemoved: view.removed === true && ip,
    lateStart: late,
  })
}

/** The green side after a late snapshot taken after the rename: its rows carry the blue name. */
function greenRenamed(phase: Phase, late: Phase): InterimStatus {
  return interim(phase, {
    hostNames: new Set([BLUE]),
    startTopology: writer(BLUE),
    currentTopology: writer(BLUE),
    lateStart: late,
  })
}

/** Regular snapshots taken while CREATED. */
const blueRegular = (phase: Phase): InterimStatus =>
  interim(phase, {
    hostNames: new Set([BLUE]),
    startTopology: writer(BLUE),
    currentTopology: writer(BLUE),
    startIpByHost: new Map([[BLUE, BLUE_IP]]),
    currentIpByHost: new Map([[BLUE, BLUE_IP]]),
  })
const greenRegular = (phase: Phase): InterimStatus =>
  interim(phase, {
    hostNames: new Set([GREEN]),
    startTopology: writer(GREEN),
    currentTopology: writer(GREEN),
    startIpByHost: new Map([[GREEN, GREEN_IP]]),
    currentIpByHost: new Map([[GREEN, GREEN_IP]]),
  })

/** Addresses the snapshot attributes to blue (what pools evict as "the old blue server" from POST on). */
function blueStartIps(s: BlueGreenSnapshot): Set<string> {
  const ips = new Set<string>()
  for (const [ip, role] of s.roleByIp) if (role === 'SOURCE') ips.add(ip)
  for (const [host, role] of s.roleByHost) {
    const ip = role === 'SOURCE' ? s.ipByHost.get(host) : undefined
    if (ip !== undefined) ips.add(ip)
  }
  return ips
}

let mono = 0
const ev = (role: Role, status: InterimStatus): CoordinatorEvent => ({
  type: 'interim',
  role,
  interim: status,
  at: { mono: (mono += 10), wall: 1_700_000_000_000 + mono },
})
const nothing = (): CoordinatorEvent[] => [ev('SOURCE', interim(undefined)), ev('TARGET', interim(undefined))]

function run(events: readonly CoordinatorEvent[]): { state: CoordinatorState; effects: CoordinatorEffect[] } {
  let state = initialState(CONFIG, 0)
  const effects: CoordinatorEffect[] = []
  for (const event of events) {
    const step = reduce(state, event)
    state = step.state
    effects.push(...step.effects)
  }
  return { state, effects }
}

const warnings = (effects: readonly CoordinatorEffect[]): string[] =>
  effects.flatMap((e) => (e.type === 'log' && e.level === 'warn' ? [e.message] : []))
const infos = (effects: readonly CoordinatorEffect[]): string[] =>
  effects.flatMap((e) => (e.type === 'log' && e.level === 'info' ? [e.message] : []))

interface Row {
  readonly name: string
  readonly events: () => CoordinatorEvent[]
  readonly published: Phase
  /** What a new connection to the blue name does (`substitute` always means: to the green server). */
  readonly blue: 'pass' | 'hold' | 'substitute'
  readonly green: 'pass' | 'hold' | 'substitute' | 'reject'
  /** The late-start warning: none, or a text it contains. */
  readonly warn: string | undefined
}

const IP = 'IN_PROGRESS'
// prettier-ignore
const TABLE: readonly Row[] = [
  { name: 'first seen at PREPARATION: a regular start, blue goes to its own captured IP', events: () => [...nothing(), ev('SOURCE', blueRegular('PREPARATION')), ev('TARGET', greenRegular('PREPARATION'))], published: 'PREPARATION', blue: 'substitute', green: 'pass', warn: undefined },
  { name: 'first seen at IN_PROGRESS: both sides held', events: () => [...nothing(), ev('SOURCE', blue(IP, IP)), ev('TARGET', green(IP, IP))], published: IP, blue: 'hold', green: 'hold', warn: 'first seen at IN_PROGRESS: protection started late' },
  { name: 'first seen at IN_PROGRESS, then POST: blue goes to the green address learned late', events: () => [...nothing(), ev('SOURCE', blue(IP, IP)), ev('TARGET', green(IP, IP)), ev('TARGET', green('POST', IP, { renamedNow: true }))], published: 'POST', blue: 'substitute', green: 'reject', warn: 'blue addresses were not captured' },
  { name: 'first seen at POST before the rename', events: () => [...nothing(), ev('SOURCE', blue('POST', 'POST')), ev('TARGET', green('POST', 'POST'))], published: 'POST', blue: 'substitute', green: 'substitute', warn: 'first seen at POST' },
  { name: 'first seen at POST, green address not answered yet: blue waits for it', events: () => [...nothing(), ev('SOURCE', blue('POST', 'POST')), ev('TARGET', green('POST', 'POST', { ip: false }))], published: 'POST', blue: 'hold', green: 'pass', warn: 'first seen at POST' },
  { name: 'first seen at POST, green name already gone: blue passes (DNS)', events: () => [...nothing(), ev('SOURCE', blue('POST', 'POST', GREEN_IP)), ev('TARGET', green('POST', 'POST', { ip: false, removed: true }))], published: 'POST', blue: 'pass', green: 'pass', warn: 'first seen at POST' },
  { name: 'first seen at POST after the rename: no pair can be formed, blue passes', events: () => [...nothing(), ev('SOURCE', blueRenamed()), ev('TARGET', greenRenamed('POST', 'POST'))], published: 'POST', blue: 'pass', green: 'pass', warn: 'after the green servers took over the blue names' },
  { name: 'first seen at IN_PROGRESS after the rename: the blue name is held as blue', events: () => [...nothing(), ev('SOURCE', blueRenamed()), ev('TARGET', greenRenamed(IP, IP))], published: IP, blue: 'hold', green: 'pass', warn: 'after the green servers took over the blue names' },
  { name: 'first seen at COMPLETED: nothing routed, no warning', events: () => [...nothing(), ev('SOURCE', blue('COMPLETED', undefined, GREEN_IP)), ev('TARGET', interim('COMPLETED'))], published: 'COMPLETED', blue: 'pass', green: 'pass', warn: undefined },
  { name: 'blue DNS seen positively at IN_PROGRESS (frozen metadata): released to POST', events: () => [...nothing(), ev('SOURCE', blue(IP, IP)), ev('TARGET', green(IP, IP)), ev('SOURCE', blue(IP, IP, GREEN_IP))], published: 'POST', blue: 'substitute', green: 'substitute', warn: 'first seen at IN_PROGRESS' },
]

describe('late start: phase first seen × rename × green address', () => {
  it.each(TABLE)('$name → $published', (row) => {
    const { state, effects } = run(row.events())
    const s = state.snapshot
    expect(s.phase).toBe(row.published)
    const blueDecision = decideConnect(s, { host: BLUE, port: 5432 })
    expect(blueDecision.kind).toBe(row.blue)
    if (blueDecision.kind === 'substitute' && row.published !== 'PREPARATION')
      expect(blueDecision.address).toBe(GREEN_IP)
    expect(decideConnect(s, { host: GREEN, port: 5432 }).kind).toBe(row.green)
    const warned = warnings(effects)
    if (row.warn === undefined) expect(warned).toEqual([])
    else {
      expect(warned).toHaveLength(1)
      expect(warned[0]).toContain(row.warn)
    }
    // Nothing captured late makes an address look like the old blue server's.
    if (row.published !== 'PREPARATION') expect(blueStartIps(s).size).toBe(0)
    expect(s.roleByIp.get(GREEN_IP) ?? 'TARGET').toBe('TARGET')
  })
})

describe('late start: completing the cycle without the switchover timer', () => {
  it('IN_PROGRESS first seen → POST → blue names on green → COMPLETED, one warning, one summary', () => {
    const { state, effects } = run([
      ...nothing(),
      ev('SOURCE', blue(IP, IP)),
      ev('TARGET', green(IP, IP)),
      ev('TARGET', green('POST', IP, { renamedNow: true })),
      ev('SOURCE', blue('POST', IP, GREEN_IP)),
      ev('TARGET', green('COMPLETED', IP, { renamedNow: true })),
    ])
    expect(state.snapshot.phase).toBe('COMPLETED')
    expect(state.snapshot.blueDnsUpdated).toBe(true)
    expect(warnings(effects)).toHaveLength(1)
    expect(infos(effects).filter((m) => m.includes('Switchover COMPLETED'))).toHaveLength(1)
    expect(effects.at(-1)).toEqual({ type: 'restart-monitors' })
  })

  it('until blue names resolve to green, COMPLETED metadata is still published as POST', () => {
    const { state } = run([
      ...nothing(),
      ev('SOURCE', blue(IP, IP)),
      ev('TARGET', green('COMPLETED', IP, { renamedNow: true })),
    ])
    expect(state.snapshot.phase).toBe('POST')
    expect(decideConnect(state.snapshot, { host: BLUE, port: 5432 })).toMatchObject({ address: GREEN_IP })
  })

  it('first seen after the rename: nothing can be observed, so COMPLETED metadata is COMPLETED', () => {
    const { state, effects } = run([
      ...nothing(),
      ev('SOURCE', blueRenamed()),
      ev('TARGET', greenRenamed('POST', 'POST')),
      ev('TARGET', greenRenamed('COMPLETED', 'POST')),
    ])
    expect(state.snapshot.phase).toBe('COMPLETED')
    expect(infos(effects).filter((m) => m.includes('Switchover COMPLETED'))).toHaveLength(1)
  })

  it('a statement on a blue connection first seen after the rename is treated as blue (held, or interrupted)', () => {
    const { state } = run([...nothing(), ev('SOURCE', blueRenamed()), ev('TARGET', greenRenamed(IP, IP))])
    const target = { host: BLUE, port: 5432 }
    expect(decideExecute(state.snapshot, target).kind).toBe('hold')
    expect(decideExecute(state.snapshot, target, { transactionOpenedIn: 'NOT_CREATED' }).kind).toBe(
      'interrupt',
    )
  })
})

describe('late start: rollback and the next switchover', () => {
  it('green going back to AVAILABLE while late is a rollback to CREATED', () => {
    const { state, effects } = run([
      ...nothing(),
      ev('SOURCE', blue(IP, IP)),
      ev('TARGET', green(IP, IP)),
      ev('TARGET', greenRegular('CREATED')),
    ])
    expect(state.snapshot.phase).toBe('CREATED')
    expect(state.snapshot.rollback).toBe(true)
    expect(infos(effects).filter((m) => m.includes('ROLLED BACK'))).toHaveLength(1)
  })

  it('blue going back to AVAILABLE while late (green never reported a phase) is a rollback too', () => {
    const { state } = run([...nothing(), ev('SOURCE', blue(IP, IP)), ev('SOURCE', blueRegular('CREATED'))])
    expect(state.snapshot.phase).toBe('CREATED')
    expect(state.snapshot.rollback).toBe(true)
  })

  it('blue going back to AVAILABLE in a regular cycle is still ignored (JDBC case 10)', () => {
    const { state } = run([
      ev('SOURCE', blueRegular('CREATED')),
      ev('TARGET', greenRegular('CREATED')),
      ev('SOURCE', blueRegular(IP)),
      ev('SOURCE', blueRegular('CREATED')),
    ])
    expect(state.snapshot.phase).toBe(IP)
  })

  it('the switchover after a late one is protected from CREATED, with no second warning', () => {
    const { state, effects } = run([
      ...nothing(),
      ev('SOURCE', blue(IP, IP)),
      ev('TARGET', green(IP, IP)),
      ev('TARGET', green('POST', IP, { renamedNow: true })),
      ev('SOURCE', blue('POST', IP, GREEN_IP)),
      ev('TARGET', green('COMPLETED', IP, { renamedNow: true })),
      // Fresh monitors after the cycle, then a new deployment.
      ev('SOURCE', blueRegular('CREATED')),
      ev('TARGET', greenRegular('CREATED')),
      ev('SOURCE', blueRegular('PREPARATION')),
    ])
    expect(state.snapshot.phase).toBe('PREPARATION')
    expect(decideConnect(state.snapshot, { host: BLUE, port: 5432 })).toMatchObject({ address: BLUE_IP })
    expect(warnings(effects)).toHaveLength(1)
    expect(state.cycle.late).toBeUndefined()
  })

  it('green alone late while blue took a regular snapshot: no warning, blue still has its start address', () => {
    const { state, effects } = run([
      ev('SOURCE', blueRegular('CREATED')),
      ev('SOURCE', blueRegular(IP)),
      ev('TARGET', green(IP, IP)),
    ])
    expect(state.snapshot.phase).toBe(IP)
    expect(warnings(effects)).toEqual([])
    expect(blueStartIps(state.snapshot).has(BLUE_IP)).toBe(true)
  })
})
