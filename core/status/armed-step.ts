import type { Phase } from '../phases.js'
import type { ArmedCode, ArmedState } from '../types.js'
import type { ArmedLog } from './armed.js'
import { armedState, describePairs, sameArmed } from './armed.js'
import type { CoordinatorEffect, CoordinatorState } from './events.js'

/**
 * The reducer's part of the armed signal (docs/design.md, "Armed"): the armed state carried by every snapshot,
 * the `rds-bluegreen:armed` channel event when it changes, one INFO when protection becomes armed and one WARN
 * when it cannot be. Pure, like the reducer it belongs to.
 */

/** How long a deployment may stay without a known green counterpart before that is warned (monitors start). */
export const ARMING_GRACE_MS = 10_000

/**
 * The log state of a coordinator that said nothing yet.
 *
 * @example
 * ```ts
 * const state = { ...rest, armedLog: freshArmedLog() }
 * ```
 */
export function freshArmedLog(): ArmedLog {
  return { announced: false, warned: new Set(), everArmed: false, code: 'starting', since: undefined }
}

/**
 * The armed state of `s` if `phase` were published now.
 *
 * @example
 * ```ts
 * const armed = armedFor(state, summary.phase)
 * ```
 */
export function armedFor(s: CoordinatorState, phase: Phase): ArmedState {
  const { cycle } = s
  return armedState({
    phase,
    interim: cycle.interim,
    pairs: cycle.pairs,
    ipByHost: cycle.ipByHost,
    unreadable: s.unreadable,
    faults: new Map([...s.faults].map(([role, entry]) => [role, entry.fault])),
    read: s.read,
  })
}

/**
 * After one reducer step from `prev` to `next`: republishes the snapshot when only the armed state changed
 * (unreadable metadata, a fault), announces a change on the channel, and writes the INFO / WARN lines.
 *
 * @example
 * ```ts
 * next = settleArmed(state, next, at.mono, effects)
 * ```
 */
export function settleArmed(
  prev: CoordinatorState,
  next: CoordinatorState,
  now: number,
  fx: CoordinatorEffect[],
): CoordinatorState {
  if (next.closed) return next
  let s = next
  const fresh = armedFor(s, s.snapshot.phase)
  if (!sameArmed(s.snapshot.armed, fresh)) {
    const snapshot = Object.freeze({ ...s.snapshot, sequence: s.snapshot.sequence + 1, armed: fresh })
    fx.push({ type: 'publish', snapshot, phaseChange: undefined, notify: true })
    s = { ...s, snapshot }
  }
  const armed = s.snapshot.armed
  if (!sameArmed(prev.snapshot.armed, armed)) {
    fx.push({
      type: 'armed',
      event: {
        bgdId: s.config.bgdId,
        ...(s.config.dbSystem === undefined ? {} : { dbSystem: s.config.dbSystem }),
        phase: s.snapshot.phase,
        ...armed,
      },
    })
  }
  return logArmed(s, armed, now, fx)
}

/** Codes that are a passing state of a healthy start (or of a new cycle): never warned, never end a period. */
function transient(code: ArmedCode): boolean {
  return code === 'starting' || code === 'green-unknown' || code === 'unreachable'
}

function logArmed(
  s: CoordinatorState,
  armed: ArmedState,
  now: number,
  fx: CoordinatorEffect[],
): CoordinatorState {
  const { bgdId } = s.config
  let log = s.armedLog
  if (log.code !== armed.code) log = { ...log, code: armed.code, since: now }
  if (armed.armed) {
    if (!log.announced) {
      fx.push({
        type: 'log',
        level: 'info',
        message: `[bgdId: '${bgdId}'] Blue/Green switchover protection armed (${s.snapshot.phase}): ${describePairs(armed.pairs)}.`,
      })
      log = { ...log, announced: true, everArmed: true }
    }
    return log === s.armedLog ? s : { ...s, armedLog: log }
  }
  if (!transient(armed.code)) log = log.announced ? { ...log, announced: false } : log
  if (warns(armed.code, log, now)) {
    fx.push({
      type: 'log',
      level: 'warn',
      message: warning(bgdId, armed),
      once: `armed:${bgdId}:${armed.code}`,
    })
    log = { ...log, warned: new Set(log.warned).add(armed.code) }
  }
  return log === s.armedLog ? s : { ...s, armedLog: log }
}

function warns(code: ArmedCode, log: ArmedLog, now: number): boolean {
  if (log.warned.has(code)) return false
  switch (code) {
    // MonitorHealth already warns about metadata-failing and monitoring-refused once per deployment per process,
    // in the same words.
    case 'armed':
    case 'starting':
    case 'switchover-over':
    case 'metadata-failing':
    case 'monitoring-refused':
      return false
    case 'no-deployment':
      return !log.everArmed
    case 'green-unknown':
    case 'unreachable':
      return log.since !== undefined && now - log.since >= ARMING_GRACE_MS
    case 'no-metadata':
    case 'not-permitted':
    case 'untrusted-metadata':
    case 'engine-too-old':
    case 'extension-outdated':
      return true
  }
}

/** The WARN: the reason and the fix, in the words of `rds-bluegreen check`. */
function warning(bgdId: string, armed: ArmedState): string {
  const fix = armed.fix === undefined ? '' : ` Fix: ${armed.fix}`
  const unreadable =
    armed.code === 'no-metadata' ||
    armed.code === 'not-permitted' ||
    armed.code === 'untrusted-metadata' ||
    armed.code === 'engine-too-old' ||
    armed.code === 'extension-outdated'
  const text = unreadable
    ? `No Blue/Green metadata is readable (${armed.reason}); switchover protection is not armed: connections are not routed until it is.`
    : `Blue/Green switchover protection is not armed: ${armed.reason}.`
  return `[bgdId: '${bgdId}'] ${text}${fix}`
}
