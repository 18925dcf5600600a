/**
 * The phases of a switchover and every predicate over them, in one place, so that "is a switchover running"
 * is spelt once (docs/design.md, "Phases").
 */

/**
 * Phases in switchover order; the index is the phase's ordinal.
 *
 * @example
 * ```ts
 * PHASES.indexOf('POST') > PHASES.indexOf('IN_PROGRESS') // true
 * ```
 */
export const PHASES = ['NOT_CREATED', 'CREATED', 'PREPARATION', 'IN_PROGRESS', 'POST', 'COMPLETED'] as const

/**
 * The library's normalised switchover state.
 *
 * @example
 * ```ts
 * const phase: Phase = getStatus('1')?.phase ?? 'NOT_CREATED'
 * ```
 */
export type Phase = (typeof PHASES)[number]

/** Ordinal of each phase; the coordinator never moves backwards except on rollback. */
export const PHASE_ORDER: Readonly<Record<Phase, number>> = {
  NOT_CREATED: 0,
  CREATED: 1,
  PREPARATION: 2,
  IN_PROGRESS: 3,
  POST: 4,
  COMPLETED: 5,
}

/**
 * Phases that belong to a switchover, COMPLETED included (AWS `isActiveSwitchoverOrCompleted`): from here on a
 * connection may be re-pointed, so drivers watch for read-only errors.
 *
 * @example
 * ```ts
 * isActivePhase('PREPARATION') // true
 * isActivePhase('CREATED') // false
 * ```
 */
export function isActivePhase(phase: Phase): boolean {
  return PHASE_ORDER[phase] >= PHASE_ORDER.PREPARATION
}

/**
 * A switchover is under way and not finished (PREPARATION, IN_PROGRESS, POST): the switchover timer runs and a
 * released deployment lingers.
 *
 * @example
 * ```ts
 * isSwitchoverRunning('POST') // true
 * isSwitchoverRunning('COMPLETED') // false
 * ```
 */
export function isSwitchoverRunning(phase: Phase): boolean {
  return isActivePhase(phase) && phase !== 'COMPLETED'
}

/**
 * `phase` is `floor` or later in switchover order.
 *
 * @example
 * ```ts
 * phaseAtLeast(snapshot.phase, 'IN_PROGRESS') // the blue writer may already be read-only
 * ```
 */
export function phaseAtLeast(phase: Phase, floor: Phase): boolean {
  return PHASE_ORDER[phase] >= PHASE_ORDER[floor]
}
