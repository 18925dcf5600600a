import type { MonitorControl } from '../monitor/side-monitor.js'
import { yieldToLoop } from '../monitor/deadline.js'
import type { Phase } from '../phases.js'
import { PHASE_ORDER } from '../phases.js'
import type { HostPair, InterimStatus, Role } from '../types.js'
import { indexForPairing, pairHosts } from './corresponding-hosts.js'
import { blueResolvesToGreen, renamedBeforeSnapshot, roleOfReported, startsLate } from './late-start.js'
import type { TimelineEntry } from './phase-timeline.js'
import { hasSwitchover, recordEvent } from './phase-timeline.js'

/**
 * What the coordinator accumulates during one switchover cycle (docs/design.md, "Coordinator"). Immutable: every
 * update returns a new cycle, so a reducer step can be replayed and compared in tests. A cycle ends with the
 * switchover (or its rollback, or the deployment's deletion) and the next one starts from {@link freshCycle}.
 */
export interface Cycle {
  /** The latest interim status of each side, and its fingerprint (to skip unchanged polls). */
  readonly interim: ReadonlyMap<Role, InterimStatus>
  readonly hash: ReadonlyMap<Role, string>
  /** The combined phase of both sides. */
  readonly latest: Phase
  readonly rollback: boolean
  /** Monotonic ms at which the switchover timer expires; set at the first running phase seen. */
  readonly deadline: number | undefined
  /** DNS flags, latched once per cycle. */
  readonly blueDnsUpdated: boolean
  readonly greenDnsRemoved: boolean
  readonly greenTopologyChanged: boolean
  /** One-time logs of this cycle already written. */
  readonly releaseLogged: boolean
  readonly readinessLogged: boolean
  readonly summaryLogged: boolean
  /** Host → IP captured while CREATED (both sides), host → side, and blue → green pairs. */
  readonly ipByHost: ReadonlyMap<string, string>
  readonly roleByHost: ReadonlyMap<string, Role>
  readonly pairs: ReadonlyMap<string, HostPair>
  readonly timeline: readonly TimelineEntry[]
  /** Monotonic ms since which blue has reported no deployment while idle (deletion debounce). */
  readonly blueAbsentSince: number | undefined
  /**
   * Set when protection started late (docs/design.md, "Late metadata"): the phase of the late snapshot, and
   * whether green had already taken over the blue names then.
   */
  readonly late: { readonly phase: Phase; readonly renamed: boolean } | undefined
}

/** A cycle before anything is known. */
export function freshCycle(): Cycle {
  return {
    interim: new Map(),
    hash: new Map(),
    latest: 'NOT_CREATED',
    rollback: false,
    deadline: undefined,
    blueDnsUpdated: false,
    greenDnsRemoved: false,
    greenTopologyChanged: false,
    releaseLogged: false,
    readinessLogged: false,
    summaryLogged: false,
    ipByHost: new Map(),
    roleByHost: new Map(),
    pairs: new Map(),
    timeline: [],
    blueAbsentSince: undefined,
    late: undefined,
  }
}

/** A point in time on both clocks: monotonic for deadlines, wall for the summary's timestamps. */
export interface Instant {
  readonly mono: number
  readonly wall: number
}

/**
 * The cycle after one side reported a changed interim status: phase, host facts, pairs and DNS flags.
 *
 * @example
 * ```ts
 * cycle = absorbInterim(cycle, 'TARGET', interim, hash, { mono: clock.now(), wall: clock.wallNow() })
 * ```
 */
export function absorbInterim(
  cycle: Cycle,
  role: Role,
  interim: InterimStatus,
  hash: string,
  at: Instant,
): Cycle {
  const late =
    startsLate(cycle, role, interim) && interim.lateStart !== undefined
      ? { phase: interim.lateStart, renamed: renamedBeforeSnapshot(role, interim) }
      : cycle.late
  const phased = updatePhase({ ...cycle, late }, role, interim.phase)
  const ipByHost = new Map(phased.ipByHost)
  for (const [host, ip] of interim.startIpByHost) if (ip !== undefined) ipByHost.set(host, ip)
  const roleByHost = new Map(phased.roleByHost)
  // First writer wins: after the rename a green row carries the blue name, and must not make it green.
  for (const host of interim.hostNames)
    if (!roleByHost.has(host)) roleByHost.set(host, roleOfReported(role, interim, host))
  const interimByRole = new Map(phased.interim).set(role, interim)
  const next: Cycle = {
    ...phased,
    interim: interimByRole,
    hash: new Map(phased.hash).set(role, hash),
    ipByHost,
    roleByHost,
    pairs: pairHosts(interimByRole.get('SOURCE'), interimByRole.get('TARGET')),
  }
  return latchFlags(next, role, interim, at)
}

/**
 * Rollback only from the green side, never on NOT_CREATED or an unknown phase, never after COMPLETED; the
 * combined phase only moves forward, or backward while rolling back. A cycle that started late may have no
 * green history: there blue going back to CREATED is a rollback too (it is also how a blue side still reporting
 * the previous, rolled-back switchover is undone).
 */
function updatePhase(cycle: Cycle, role: Role, next: Phase | undefined): Cycle {
  const previous = cycle.interim.get(role)?.phase
  const blueBack = role === 'SOURCE' && cycle.late !== undefined && next === 'CREATED'
  const rollback =
    cycle.rollback ||
    ((role === 'TARGET' || blueBack) &&
      previous !== undefined &&
      next !== undefined &&
      next !== 'NOT_CREATED' &&
      cycle.latest !== 'COMPLETED' &&
      PHASE_ORDER[next] < PHASE_ORDER[previous])
  if (next === undefined) return rollback === cycle.rollback ? cycle : { ...cycle, rollback }
  const moves = rollback
    ? PHASE_ORDER[next] < PHASE_ORDER[cycle.latest]
    : PHASE_ORDER[next] > PHASE_ORDER[cycle.latest]
  return { ...cycle, rollback, latest: moves ? next : cycle.latest }
}

/** DNS flags are latched once per cycle, in every phase but NOT_CREATED, and recorded on the timeline. */
function latchFlags(cycle: Cycle, role: Role, interim: InterimStatus, at: Instant): Cycle {
  if (cycle.latest === 'NOT_CREATED') return cycle
  let next = cycle
  const latch = (
    flag: 'blueDnsUpdated' | 'greenDnsRemoved' | 'greenTopologyChanged',
    kind: 'blue-dns-updated' | 'green-dns-removed' | 'green-topology-changed',
  ): void => {
    if (next[flag]) return
    const timeline = recordEvent(next.timeline, { kind, rollback: next.rollback }, at.wall, at.mono)
    next = { ...next, [flag]: true, timeline }
  }
  if (role === 'SOURCE' && interim.allStartTopologyIpChanged) latch('blueDnsUpdated', 'blue-dns-updated')
  // Without blue start addresses (late start) the update is seen positively: blue names resolve to green's.
  if (blueResolvesToGreen(next)) latch('blueDnsUpdated', 'blue-dns-updated')
  if (role === 'TARGET' && interim.allStartTopologyEndpointsRemoved)
    latch('greenDnsRemoved', 'green-dns-removed')
  if (role === 'TARGET' && interim.allTopologyChanged) latch('greenTopologyChanged', 'green-topology-changed')
  return next
}

/**
 * The cycle saw COMPLETED without a running phase before it: a switchover that finished before this process
 * looked, or the tail of one this process already summarised. Nothing is routed; only a new deployment (a side
 * reporting CREATED to POST) starts a new cycle.
 */
export function finishedUnseen(cycle: Cycle): boolean {
  return cycle.latest === 'COMPLETED' && !hasSwitchover(cycle.timeline)
}

/** The metadata itself reached the end of the cycle (not only the timer or DNS). */
export function settled(cycle: Cycle): boolean {
  return cycle.rollback ? cycle.latest === 'CREATED' : cycle.latest === 'COMPLETED'
}

const BASELINE: MonitorControl = Object.freeze({
  rate: 'BASELINE',
  collectIps: false,
  collectTopology: false,
  useIpAddress: false,
})
const COLLECTING: MonitorControl = Object.freeze({
  rate: 'INCREASED',
  collectIps: true,
  collectTopology: true,
  useIpAddress: false,
})
const SWITCHING: MonitorControl = Object.freeze({
  rate: 'HIGH',
  collectIps: false,
  collectTopology: false,
  useIpAddress: true,
})

/**
 * How monitors poll after `phase` is published: slowly when nothing happens, collecting IPs and topology while
 * CREATED (what PREPARATION and POST route to), fast and by IP during the switchover.
 */
export function monitorControlFor(phase: Phase): MonitorControl {
  if (phase === 'NOT_CREATED' || phase === 'COMPLETED') return BASELINE
  return phase === 'CREATED' ? COLLECTING : SWITCHING
}

const fingerprints = new WeakMap<InterimStatus, string>()

/** Above this many names an interim status is prepared in turns of its own (see {@link prepareInterim}). */
export const LARGE_INTERIM_HOSTS = 500

/**
 * Does the coordinator's linear work on a large interim status ahead of time, the fingerprint and the pairing
 * index each in a turn of its own, so no step blocks the event loop for long and the reducer step that follows
 * stays short. Resolves whether the status was large enough to be prepared (a small one is left as it is).
 *
 * @example
 * ```ts
 * await prepareInterim('SOURCE', interim)
 * coordinator.onInterim('SOURCE', interim)
 * ```
 */
export async function prepareInterim(role: Role, interim: InterimStatus): Promise<boolean> {
  if (interim.hostNames.size < LARGE_INTERIM_HOSTS) return false
  await yieldToLoop()
  interimHash(interim)
  await yieldToLoop()
  indexForPairing(role, interim)
  await yieldToLoop()
  return true
}

/**
 * Order-independent fingerprint of an interim status, to skip unchanged polls. Kept per interim object: a monitor
 * computes it in a turn of its own before it hands a large interim status to the coordinator.
 */
export function interimHash(s: InterimStatus): string {
  let hash = fingerprints.get(s)
  if (hash === undefined) {
    hash = computeHash(s)
    fingerprints.set(s, hash)
  }
  return hash
}

function computeHash(s: InterimStatus): string {
  const sorted = (values: Iterable<string>): string => [...values].sort().join(',')
  // One sort over every host name for the names and both address maps (three sorts of 10,000 names before).
  const hosts = new Set(s.hostNames)
  for (const h of s.startIpByHost.keys()) hosts.add(h)
  for (const h of s.currentIpByHost.keys()) hosts.add(h)
  const ip = (map: ReadonlyMap<string, string | undefined>, h: string): string =>
    map.has(h) ? `=${map.get(h) ?? ''}` : '-'
  const byHost = [...hosts]
    .sort()
    .map((h) => `${h}${s.hostNames.has(h) ? '+' : '~'}${ip(s.startIpByHost, h)}${ip(s.currentIpByHost, h)}`)
  return [
    s.phase ?? '-',
    s.version,
    s.port,
    s.allStartTopologyIpChanged,
    s.allStartTopologyEndpointsRemoved,
    s.allTopologyChanged,
    byHost.join(','),
    sorted(s.startTopology.map((h) => `${h.host}:${h.port}${h.role}`)),
    sorted(s.currentTopology.map((h) => `${h.host}:${h.port}${h.role}`)),
    s.lateStart ?? '-',
  ].join('|')
}
