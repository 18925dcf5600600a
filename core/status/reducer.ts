import { isSwitchoverRunning } from '../phases.js'
import type { Phase } from '../phases.js'
import type { InterimStatus, Role } from '../types.js'
import type { Cycle, Instant } from './cycle.js'
import {
  absorbInterim,
  finishedUnseen,
  freshCycle,
  interimHash,
  monitorControlFor,
  settled,
} from './cycle.js'
import type {
  CoordinatorConfig,
  CoordinatorEffect,
  CoordinatorEvent,
  CoordinatorState,
  Transition,
} from './events.js'
import { lateFacts, lateWarning } from './late-start.js'
import { hasSwitchover, recordEvent, summaryRows } from './phase-timeline.js'
import { armedFor, freshArmedLog, settleArmed } from './armed-step.js'
import { clearOnInterim, recordFault, recordUnreadable } from './side-reports.js'
import { STARTING } from './armed.js'
import { formatReadiness } from './readiness.js'
import { applyRemote } from './remote.js'
import { summarize } from './summarize.js'
import type { Summary } from './summarize.js'
import { formatSwitchoverSummary } from '../summary-log.js'
import { buildSnapshot, notCreated } from './snapshot.js'

/** How long blue must report no deployment before a CREATED deployment counts as deleted. */
export const DELETION_DEBOUNCE_MS = 30_000

type Effects = CoordinatorEffect[]

/**
 * The state of a coordinator that has seen nothing yet.
 *
 * @example
 * ```ts
 * let state = initialState({ bgdId: '1', switchoverTimeoutMs: 180_000, releaseOnBlueDnsUpdate: true }, clock.now())
 * ```
 */
export function initialState(config: CoordinatorConfig, now: number): CoordinatorState {
  const cycle = freshCycle()
  return {
    config,
    cycle,
    snapshot: buildSnapshot(config.bgdId, 1, cycle, notCreated(), now, false, STARTING),
    unreadable: new Map(),
    faults: new Map(),
    read: new Set(),
    armedLog: freshArmedLog(),
    closed: false,
  }
}

/**
 * One coordinator step (docs/design.md, "Coordinator"): the next state and the effects the shell runs, in
 * order. Pure: the same state and event always give the same result, and `state` is never modified.
 *
 * @example
 * ```ts
 * const { state: next, effects } = reduce(state, { type: 'interim', role: 'SOURCE', interim, at })
 * ```
 */
export function reduce(state: CoordinatorState, event: CoordinatorEvent): Transition {
  const effects: Effects = []
  const next = step(state, event, effects)
  // A follower's armed state is its leader's, as published.
  if (event.type === 'closed' || event.type === 'remote') return { state: next, effects }
  // Every step may change the armed state (an interim, unreadable metadata, a fault, a published phase).
  const now = 'at' in event && event.at !== undefined ? event.at.mono : (state.armedLog.since ?? 0)
  return { state: settleArmed(state, next, now, effects), effects }
}

function step(s: CoordinatorState, event: CoordinatorEvent, fx: Effects): CoordinatorState {
  if (s.closed) return s
  switch (event.type) {
    case 'interim':
      return onInterim(s, event.role, event.interim, event.at, fx)
    case 'timer-fired':
      return checkTimer(s, event.at, fx)
    case 'unavailable':
      // Said once, with its fix, by the armed state (armed-step.ts).
      return recordUnreadable(s, event.role, event.reason, event.diagnosis)
    case 'fault':
      return recordFault(s, event.role, event.fault)
    case 'remote':
      return applyRemote(s, event.status, event.at, fx)
    case 'closed': {
      // A closed deployment routes nothing: release every hold still in flight.
      const snapshot = Object.freeze({
        ...s.snapshot,
        sequence: s.snapshot.sequence + 1,
        connectRoutes: [],
        executeRoutes: [],
      })
      fx.push({ type: 'cancel-timer' }, { type: 'publish', snapshot, phaseChange: undefined, notify: false })
      return { ...s, snapshot, closed: true }
    }
  }
}

function onInterim(
  s: CoordinatorState,
  role: Role,
  interim: InterimStatus,
  at: Instant,
  fx: Effects,
): CoordinatorState {
  const hash = interimHash(interim)
  s = clearOnInterim(s, role, interim.phase)
  if (s.cycle.hash.get(role) === hash) {
    // An unchanged poll publishes nothing, but it still drives the timer and the deletion debounce.
    return checkDeletion(checkTimer(s, at, fx), role, interim.phase, at, fx)
  }
  // A finished switchover's metadata keeps saying COMPLETED (or nothing) for as long as the deployment exists;
  // only a side reporting a new deployment or switchover starts a new cycle.
  const fresh = finishedUnseen(s.cycle) && !isAbsentOr(interim.phase, 'COMPLETED')
  const before = fresh ? freshCycle() : s.cycle
  const cycle = absorbInterim(before, role, interim, hash, at)
  // Said once per cycle, when protection is found to start late (docs/design.md, "Late metadata").
  if (before.late === undefined && cycle.late !== undefined)
    fx.push(log(s, 'warn', lateWarning(cycle.late.phase, cycle.late.renamed)))
  return recompute(checkDeletion({ ...s, cycle }, role, interim.phase, at, fx), at, fx)
}

/** No deployment reported (no rows for the side, or NOT_CREATED), or one of the `also` phases. */
function isAbsentOr(phase: Phase | undefined, ...also: Phase[]): boolean {
  return phase === undefined || phase === 'NOT_CREATED' || also.includes(phase)
}

function timerExpired(cycle: Cycle, at: Instant): boolean {
  return cycle.deadline !== undefined && at.mono >= cycle.deadline
}

/** Checked on every poll and by a timer (JDBC #1923), so a stuck monitor cannot hold traffic forever. */
function checkTimer(s: CoordinatorState, at: Instant, fx: Effects): CoordinatorState {
  const { cycle } = s
  if (!timerExpired(cycle, at) || cycle.summaryLogged || !isSwitchoverRunning(cycle.latest)) return s
  fx.push(
    log(
      s,
      'warn',
      `Blue/Green switchover did not finish within ${s.config.switchoverTimeoutMs} ms; routing is dropped.`,
    ),
  )
  return recompute(s, at, fx)
}

/** Blue reporting no deployment for a while (outside a switchover) means the deployment was deleted. */
function checkDeletion(
  s: CoordinatorState,
  role: Role,
  bluePhase: Phase | undefined,
  at: Instant,
  fx: Effects,
): CoordinatorState {
  if (role !== 'SOURCE') return s
  const { cycle } = s
  // After a finished switchover blue alone says nothing (its rows may carry the other role now): the deployment
  // is gone only when no side reports one.
  const finished =
    s.snapshot.phase === 'COMPLETED' && (cycle.latest === 'NOT_CREATED' || finishedUnseen(cycle))
  const absent = finished
    ? [...cycle.interim.values()].every((side) => isAbsentOr(side.phase))
    : isAbsentOr(bluePhase)
  const idle = cycle.latest === 'CREATED' || (cycle.summaryLogged && !settled(cycle)) || finished
  if (!absent || !idle) {
    return cycle.blueAbsentSince === undefined ? s : { ...s, cycle: { ...cycle, blueAbsentSince: undefined } }
  }
  const since = cycle.blueAbsentSince ?? at.mono
  if (at.mono - since < DELETION_DEBOUNCE_MS) {
    return since === cycle.blueAbsentSince ? s : { ...s, cycle: { ...cycle, blueAbsentSince: since } }
  }
  fx.push(log(s, 'info', 'Blue/Green deployment deleted; monitoring starts afresh.'))
  const reset = resetCycle(s, fx)
  const next = publish(reset, notCreated(), at, fx)
  fx.push({ type: 'restart-monitors' })
  return next
}

/** Recomputes the summary from the cycle, publishes it, and ends the cycle when the switchover is over. */
function recompute(s: CoordinatorState, at: Instant, fx: Effects): CoordinatorState {
  let cycle = s.cycle
  const { latest } = cycle
  // The switchover timer starts at the first running phase seen, not only at PREPARATION (Node bug N6).
  if (cycle.deadline === undefined && isSwitchoverRunning(latest)) {
    cycle = { ...cycle, deadline: at.mono + s.config.switchoverTimeoutMs }
    fx.push({ type: 'schedule-timer', delayMs: s.config.switchoverTimeoutMs + 1 })
  }
  const staleCompleted = latest === 'COMPLETED' && !hasSwitchover(cycle.timeline)
  const summary = summarize({
    latestPhase: latest,
    rollback: cycle.rollback,
    timerExpired: timerExpired(cycle, at),
    releaseOnBlueDnsUpdate: s.config.releaseOnBlueDnsUpdate,
    blueDnsUpdated: cycle.blueDnsUpdated,
    greenDnsRemoved: cycle.greenDnsRemoved,
    greenTopologyChanged: cycle.greenTopologyChanged,
    completedWithoutSwitchover: staleCompleted,
    ...(cycle.late === undefined ? {} : { late: lateFacts(cycle) }),
    roleByHost: cycle.roleByHost,
    ipByHost: cycle.ipByHost,
    correspondingHosts: cycle.pairs,
    portByRole: {
      SOURCE: cycle.interim.get('SOURCE')?.port ?? -1,
      TARGET: cycle.interim.get('TARGET')?.port ?? -1,
    },
  })
  if (summary.releasedOnBlueDns && !cycle.releaseLogged) {
    const timeline = recordEvent(cycle.timeline, { kind: 'released-on-blue-dns' }, at.wall, at.mono)
    cycle = { ...cycle, releaseLogged: true, timeline }
    fx.push(log(s, 'info', 'Blue DNS updated: traffic released before POST.'))
  }
  fx.push({
    type: 'control-monitors',
    control: monitorControlFor(summary.phase),
    resetCollected: summary.phase === 'COMPLETED' || (summary.phase === 'CREATED' && cycle.rollback),
  })
  // After COMPLETED, a side without rows does not make the deployment disappear (issue 11 item 8: the phase
  // flapped COMPLETED ↔ NOT_CREATED on every poll); the deletion debounce decides that.
  if (summary.phase === 'NOT_CREATED' && s.snapshot.phase === 'COMPLETED') return { ...s, cycle }
  let next = logReadiness(publish({ ...s, cycle }, summary, at, fx), fx)
  // A switchover first seen at COMPLETED is over for us: nothing to route, no summary.
  if (staleCompleted) return next
  cycle = next.cycle
  const cycleDone = cycle.rollback ? summary.phase === 'CREATED' : summary.phase === 'COMPLETED'
  if (!cycleDone || !hasSwitchover(cycle.timeline)) return next
  if (!cycle.summaryLogged) {
    const rows = summaryRows(cycle.timeline, cycle.rollback)
    fx.push({
      type: 'log',
      level: 'info',
      message: formatSwitchoverSummary({ bgdId: s.config.bgdId, rollback: cycle.rollback, ...rows }),
    })
    next = { ...next, cycle: { ...cycle, summaryLogged: true } }
  }
  // Reset only once the metadata itself settled: after a timeout or a DNS-detected completion over frozen
  // metadata, a fresh cycle would read the same stale IN_PROGRESS and hold traffic all over again.
  if (!settled(next.cycle)) return next
  const reset = resetCycle(next, fx)
  fx.push({ type: 'restart-monitors' })
  return reset
}

/** The one-time "target topology recognized" log, once both sides are fully known. */
function logReadiness(s: CoordinatorState, fx: Effects): CoordinatorState {
  const { cycle } = s
  if (cycle.readinessLogged) return s
  const text = formatReadiness(s.config.bgdId, s.snapshot.phase, cycle.interim, cycle.pairs, cycle.ipByHost)
  if (text === undefined) return s
  fx.push({ type: 'log', level: 'info', message: text })
  return { ...s, cycle: { ...cycle, readinessLogged: true } }
}

/** A new cycle; the published snapshot stays until the next change. */
function resetCycle(s: CoordinatorState, fx: Effects): CoordinatorState {
  fx.push({ type: 'cancel-timer' })
  return { ...s, cycle: freshCycle() }
}

function publish(s: CoordinatorState, summary: Summary, at: Instant, fx: Effects): CoordinatorState {
  const previous = s.snapshot
  const snapshot = buildSnapshot(
    s.config.bgdId,
    previous.sequence + 1,
    s.cycle,
    summary,
    at.mono,
    s.cycle.rollback,
    armedFor(s, summary.phase),
  )
  if (previous.phase === snapshot.phase) {
    fx.push({ type: 'publish', snapshot, phaseChange: undefined, notify: true })
    return { ...s, snapshot }
  }
  const { phase, rollback } = snapshot
  const timeline = recordEvent(s.cycle.timeline, { kind: 'phase', phase, rollback }, at.wall, at.mono)
  fx.push(log(s, 'debug', `BG status: ${phase}`), {
    type: 'publish',
    snapshot,
    phaseChange: { bgdId: s.config.bgdId, phase, previous: previous.phase, rollback },
    notify: true,
  })
  return { ...s, snapshot, cycle: { ...s.cycle, timeline } }
}

function log(s: CoordinatorState, level: 'debug' | 'info' | 'warn', text: string): CoordinatorEffect {
  return { type: 'log', level, message: `[bgdId: '${s.config.bgdId}'] ${text}` }
}
