import { describe, expect, it } from 'vitest'
import type { Phase } from '../../core/phases.js'
import { decideConnect } from '../../core/routing/router.js'
import type { Instant } from '../../core/status/cycle.js'
import type { CoordinatorEffect, CoordinatorEvent, CoordinatorState } from '../../core/status/events.js'
import { DELETION_DEBOUNCE_MS, initialState, reduce } from '../../core/status/reducer.js'
import type { InterimStatus, Role } from '../../core/types.js'
import { interim, writer } from '../helpers/interim.js'

const BLUE = 'db.example'
const GREEN = 'db-green-abc123.example'
const BLUE_IP = '10.0.0.1'
const GREEN_IP = '10.0.0.2'
const TIMEOUT = 180_000
const CONFIG = { bgdId: '1', switchoverTimeoutMs: TIMEOUT, releaseOnBlueDnsUpdate: true }

interface Flags {
  readonly blueDns?: boolean
  readonly greenDns?: boolean
  readonly greenTopo?: boolean
}

function side(role: Role, phase: Phase | undefined, flags: Flags = {}): InterimStatus {
  const host = role === 'SOURCE' ? BLUE : GREEN
  const ip = role === 'SOURCE' ? BLUE_IP : GREEN_IP
  return interim(phase, {
    hostNames: new Set([host]),
    startTopology: writer(host),
    currentTopology: writer(host),
    startIpByHost: new Map([[host, ip]]),
    currentIpByHost: new Map([[host, ip]]),
    allStartTopologyIpChanged: role === 'SOURCE' && flags.blueDns === true,
    allStartTopologyEndpointsRemoved: role === 'TARGET' && flags.greenDns === true,
    allTopologyChanged: role === 'TARGET' && flags.greenTopo === true,
  })
}

const at = (mono: number): Instant => ({ mono, wall: 1_700_000_000_000 + mono })

/** Runs events from a fresh state; returns the final state and every effect, in order. */
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

let clock = 0
const report = (role: Role, phase: Phase | undefined, flags: Flags = {}): CoordinatorEvent => ({
  type: 'interim',
  role,
  interim: side(role, phase, flags),
  at: at((clock += 10)),
})
const both = (phase: Phase, flags: Flags = {}): CoordinatorEvent[] => [
  report('SOURCE', phase, flags),
  report('TARGET', phase, flags),
]

/** Both sides known at CREATED (and IN_PROGRESS before COMPLETED); with `rollback`, green then goes back. */
function prelude(phase: Phase, rollback: boolean): CoordinatorEvent[] {
  const events = [...both('CREATED')]
  if (phase === 'NOT_CREATED' || phase === 'CREATED') return events
  // COMPLETED counts as a switchover only after a running phase was seen.
  if (!rollback) return phase === 'COMPLETED' ? [...events, ...both('IN_PROGRESS')] : events
  // Green reporting an earlier phase than before is a rollback.
  return [...events, ...both('POST'), report('TARGET', 'PREPARATION')]
}

interface Row {
  readonly name: string
  readonly phase: Phase
  readonly rollback: boolean
  readonly reporter: Role
  readonly flags: Flags
  readonly published: Phase
  readonly blue: string
  readonly green: string
}

// prettier-ignore
/** One side reports `phase` (the other stays where the prelude left it); what the reducer publishes. */
const TABLE: readonly Row[] = [
  { name: 'blue alone at CREATED', phase: 'CREATED', rollback: false, reporter: 'SOURCE', flags: {}, published: 'CREATED', blue: 'pass', green: 'pass' },
  { name: 'blue at PREPARATION', phase: 'PREPARATION', rollback: false, reporter: 'SOURCE', flags: {}, published: 'PREPARATION', blue: 'substitute', green: 'pass' },
  { name: 'green at PREPARATION', phase: 'PREPARATION', rollback: false, reporter: 'TARGET', flags: {}, published: 'PREPARATION', blue: 'substitute', green: 'pass' },
  { name: 'blue at IN_PROGRESS', phase: 'IN_PROGRESS', rollback: false, reporter: 'SOURCE', flags: {}, published: 'IN_PROGRESS', blue: 'hold', green: 'hold' },
  { name: 'green at IN_PROGRESS', phase: 'IN_PROGRESS', rollback: false, reporter: 'TARGET', flags: {}, published: 'IN_PROGRESS', blue: 'hold', green: 'hold' },
  { name: 'blue at IN_PROGRESS with blue DNS flipped', phase: 'IN_PROGRESS', rollback: false, reporter: 'SOURCE', flags: { blueDns: true }, published: 'POST', blue: 'substitute', green: 'substitute' },
  { name: 'green at IN_PROGRESS with green DNS gone (blue DNS not yet)', phase: 'IN_PROGRESS', rollback: false, reporter: 'TARGET', flags: { greenDns: true }, published: 'IN_PROGRESS', blue: 'hold', green: 'hold' },
  { name: 'blue at POST', phase: 'POST', rollback: false, reporter: 'SOURCE', flags: {}, published: 'POST', blue: 'substitute', green: 'substitute' },
  { name: 'green at POST with its topology renamed', phase: 'POST', rollback: false, reporter: 'TARGET', flags: { greenTopo: true }, published: 'POST', blue: 'substitute', green: 'reject' },
  { name: 'green at POST renamed and its DNS gone', phase: 'POST', rollback: false, reporter: 'TARGET', flags: { greenTopo: true, greenDns: true }, published: 'POST', blue: 'substitute', green: 'pass' },
  { name: 'blue at COMPLETED before DNS flipped', phase: 'COMPLETED', rollback: false, reporter: 'SOURCE', flags: {}, published: 'POST', blue: 'substitute', green: 'substitute' },
  { name: 'blue at COMPLETED with blue DNS flipped (green not retired)', phase: 'COMPLETED', rollback: false, reporter: 'SOURCE', flags: { blueDns: true }, published: 'POST', blue: 'substitute', green: 'substitute' },
  { name: 'green at COMPLETED renamed (blue DNS not flipped)', phase: 'COMPLETED', rollback: false, reporter: 'TARGET', flags: { greenTopo: true }, published: 'POST', blue: 'substitute', green: 'reject' },
  { name: 'green at NOT_CREATED during a switchover (not a rollback, Node bug N11)', phase: 'NOT_CREATED', rollback: false, reporter: 'TARGET', flags: {}, published: 'CREATED', blue: 'pass', green: 'pass' },
  { name: 'rolling back: green at PREPARATION', phase: 'PREPARATION', rollback: true, reporter: 'TARGET', flags: {}, published: 'PREPARATION', blue: 'substitute', green: 'pass' },
  { name: 'rolling back: blue DNS flipped does not release', phase: 'IN_PROGRESS', rollback: true, reporter: 'SOURCE', flags: { blueDns: true }, published: 'PREPARATION', blue: 'substitute', green: 'pass' },
  { name: 'rolling back: green back at CREATED ends the cycle', phase: 'CREATED', rollback: true, reporter: 'TARGET', flags: {}, published: 'CREATED', blue: 'pass', green: 'pass' },
  { name: 'rolling back: blue reporting a later phase is ignored', phase: 'POST', rollback: true, reporter: 'SOURCE', flags: {}, published: 'PREPARATION', blue: 'substitute', green: 'pass' },
]

describe('reduce: phase × reporting side × DNS flags × rollback', () => {
  it.each(TABLE)('$name → $published', (row) => {
    const { state } = run([...prelude(row.phase, row.rollback), report(row.reporter, row.phase, row.flags)])
    expect(state.snapshot.phase).toBe(row.published)
    expect(decideConnect(state.snapshot, { host: BLUE, port: 5432 }).kind).toBe(row.blue)
    expect(decideConnect(state.snapshot, { host: GREEN, port: 5432 }).kind).toBe(row.green)
  })
})

const types = (effects: readonly CoordinatorEffect[]): string[] => effects.map((e) => e.type)
const logs = (effects: readonly CoordinatorEffect[]): string[] =>
  effects.flatMap((e) => (e.type === 'log' ? [e.message] : []))

describe('reduce: effects', () => {
  it('is pure: the input state is not changed and the same step gives the same result', () => {
    const { state } = run(both('CREATED'))
    const before = JSON.stringify(state, (_, v: unknown) => (v instanceof Map ? [...v] : v))
    const event = report('SOURCE', 'IN_PROGRESS')
    const first = reduce(state, event)
    const second = reduce(state, event)
    expect(JSON.stringify(state, (_, v: unknown) => (v instanceof Map ? [...v] : v))).toBe(before)
    expect(second).toEqual(first)
  })

  it('an unchanged poll publishes nothing', () => {
    const { state } = run(both('CREATED'))
    const again = reduce(state, { ...report('SOURCE', 'CREATED') })
    expect(again.effects).toEqual([])
    expect(again.state.snapshot).toBe(state.snapshot)
  })

  it('a phase change logs, publishes with the phase event, and tells the monitors how to poll', () => {
    const { state } = run(both('CREATED'))
    const { effects } = reduce(state, report('SOURCE', 'IN_PROGRESS'))
    expect(types(effects)).toEqual(['schedule-timer', 'control-monitors', 'log', 'publish'])
    expect(effects[0]).toEqual({ type: 'schedule-timer', delayMs: TIMEOUT + 1 })
    expect(effects[1]).toMatchObject({ control: { rate: 'HIGH', useIpAddress: true }, resetCollected: false })
    expect(effects[3]).toMatchObject({
      notify: true,
      phaseChange: { bgdId: '1', phase: 'IN_PROGRESS', previous: 'CREATED', rollback: false },
    })
  })

  it('the timer fires: routing is dropped with one warning, and the cycle is not reset over stale metadata', () => {
    const { state } = run([...both('CREATED'), report('SOURCE', 'IN_PROGRESS')])
    const early = reduce(state, { type: 'timer-fired', at: at(clock + TIMEOUT - 100) })
    expect(early.effects).toEqual([])
    const fired = reduce(state, { type: 'timer-fired', at: at(clock + TIMEOUT + 1) })
    expect(fired.state.snapshot.phase).toBe('COMPLETED')
    expect(logs(fired.effects).filter((m) => m.includes('did not finish within 180000 ms'))).toHaveLength(1)
    expect(types(fired.effects)).not.toContain('restart-monitors')
  })

  it('a completed switchover logs the summary once and starts a new cycle with fresh monitors', () => {
    const { state, effects } = run([
      ...both('CREATED'),
      ...both('IN_PROGRESS'),
      ...both('POST'),
      report('SOURCE', 'COMPLETED', { blueDns: true }),
      report('TARGET', 'COMPLETED', { greenDns: true }),
    ])
    expect(state.snapshot.phase).toBe('COMPLETED')
    expect(logs(effects).filter((m) => m.includes('Switchover COMPLETED'))).toHaveLength(1)
    // The armed state ends with the cycle ("switchover-over"), announced after the restart.
    expect(
      types(effects)
        .filter((type) => type !== 'armed')
        .at(-1),
    ).toBe('restart-monitors')
    expect(state.cycle.latest).toBe('NOT_CREATED')
  })

  it('warns once about unreadable metadata, with its fix, and republishes the snapshot with the armed state', () => {
    let state = initialState(CONFIG, 0)
    const seen: CoordinatorEffect[] = []
    for (const role of ['TARGET', 'SOURCE', 'SOURCE'] as const) {
      const step = reduce(state, { type: 'unavailable', role, reason: 'access denied', at: at(0) })
      state = step.state
      seen.push(...step.effects)
    }
    // Green's report alone changes nothing visible: blue has not been read, so the state stays "starting".
    expect(types(seen)).toEqual(['publish', 'armed', 'log'])
    expect(state.snapshot.armed).toMatchObject({ armed: false, code: 'no-metadata', reason: 'access denied' })
    expect(seen[2]).toEqual({
      type: 'log',
      level: 'warn',
      once: 'armed:1:no-metadata',
      message:
        "[bgdId: '1'] No Blue/Green metadata is readable (access denied); switchover protection is not armed: " +
        'connections are not routed until it is. Fix: RDS for PostgreSQL: CREATE EXTENSION rds_tools; and grant ' +
        'USAGE and EXECUTE on it; MySQL: GRANT SELECT ON mysql.rds_topology; or create the Blue/Green deployment',
    })
  })

  it('blue reporting no deployment for the debounce time resets to NOT_CREATED', () => {
    const { state } = run(both('CREATED'))
    const first = reduce(state, {
      type: 'interim',
      role: 'SOURCE',
      interim: side('SOURCE', undefined),
      at: at(1_000),
    })
    expect(first.state.snapshot.phase).toBe('CREATED')
    const later = reduce(first.state, {
      type: 'interim',
      role: 'SOURCE',
      interim: side('SOURCE', undefined),
      at: at(1_000 + DELETION_DEBOUNCE_MS),
    })
    expect(later.state.snapshot.phase).toBe('NOT_CREATED')
    expect(types(later.effects)).toContain('restart-monitors')
  })

  it('closing releases every hold without notifying subscribers, and ignores later events', () => {
    const { state } = run([...both('CREATED'), ...both('IN_PROGRESS')])
    const closed = reduce(state, { type: 'closed' })
    expect(types(closed.effects)).toEqual(['cancel-timer', 'publish'])
    expect(closed.effects[1]).toMatchObject({
      notify: false,
      snapshot: { connectRoutes: [], executeRoutes: [] },
    })
    expect(reduce(closed.state, report('SOURCE', 'POST')).effects).toEqual([])
  })
})
