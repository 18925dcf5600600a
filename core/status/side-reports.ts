import type { MetadataDiagnosis } from '../metadata/diagnosis.js'
import type { Phase } from '../phases.js'
import type { Role } from '../types.js'
import type { MonitorFault } from './armed-reasons.js'
import type { CoordinatorState } from './events.js'

/**
 * The reducer's bookkeeping of what each side's monitor reported besides interim statuses (unreadable metadata,
 * faults, a first read), which the armed state is computed from (docs/design.md, "Armed"). Pure; each function
 * returns the same state when nothing changed.
 */

/**
 * A side read the metadata and found it not readable (`reason`, `diagnosis`); that counts as a read.
 *
 * @example
 * ```ts
 * state = recordUnreadable(state, 'SOURCE', 'no function', { problem: 'missing' })
 * ```
 */
export function recordUnreadable(
  s: CoordinatorState,
  role: Role,
  reason: string,
  diagnosis: MetadataDiagnosis | undefined,
): CoordinatorState {
  const read = markRead(s, role)
  const known = read.unreadable.get(role)
  if (known?.reason === reason && known.diagnosis === diagnosis) return read
  return { ...read, unreadable: new Map(read.unreadable).set(role, { reason, diagnosis }) }
}

/**
 * A side hit `fault`, or (`undefined`) read: a known fault then turns *recovering* until the side's next interim,
 * so the stale interim of the failed rounds is never judged.
 *
 * @example
 * ```ts
 * state = recordFault(state, 'SOURCE', { kind: 'failing', detail: 'P0001: boom' })
 * ```
 */
export function recordFault(
  s: CoordinatorState,
  role: Role,
  fault: MonitorFault | undefined,
): CoordinatorState {
  const state = fault === undefined ? markRead(s, role) : s
  const known = state.faults.get(role)
  if (fault === undefined) {
    if (known === undefined || known.recovering) return state
    return { ...state, faults: new Map(state.faults).set(role, { fault: known.fault, recovering: true }) }
  }
  if (known?.recovering === false && known.fault.kind === fault.kind && known.fault.detail === fault.detail) {
    return state
  }
  return { ...state, faults: new Map(state.faults).set(role, { fault, recovering: false }) }
}

/**
 * A side's interim status arrived: rows read (any phase but the NOT_CREATED of unreadable metadata) clear its
 * unreadable report, and a recovering fault is over.
 *
 * @example
 * ```ts
 * state = clearOnInterim(state, 'SOURCE', interim.phase)
 * ```
 */
export function clearOnInterim(s: CoordinatorState, role: Role, phase: Phase | undefined): CoordinatorState {
  let state = s
  if (phase !== 'NOT_CREATED' && state.unreadable.has(role)) {
    const unreadable = new Map(state.unreadable)
    unreadable.delete(role)
    state = { ...state, unreadable }
  }
  if (state.faults.get(role)?.recovering === true) {
    const faults = new Map(state.faults)
    faults.delete(role)
    state = { ...state, faults }
  }
  return state
}

/** The side's monitor has read the metadata (a fault's recovery and "not there" are reads too). */
function markRead(s: CoordinatorState, role: Role): CoordinatorState {
  return s.read.has(role) ? s : { ...s, read: new Set(s.read).add(role) }
}
