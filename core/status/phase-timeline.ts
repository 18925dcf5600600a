import type { Phase } from '../phases.js'
import { isSwitchoverRunning } from '../phases.js'
import type { SummaryRow } from '../summary-log.js'

/**
 * What the end-of-cycle summary lists: the first time each phase was published or each DNS flag latched
 * (docs/design.md, "Switchover summary"). `rollback` says whether the cycle was rolling back at the time, which
 * the table shows as a " (rollback)" suffix; nothing reads that text back.
 */
export type TimelineEvent =
  | { readonly kind: 'phase'; readonly phase: Phase; readonly rollback: boolean }
  | {
      readonly kind: 'blue-dns-updated' | 'green-dns-removed' | 'green-topology-changed'
      readonly rollback: boolean
    }
  /** IN_PROGRESS was published as POST because blue DNS already pointed at green. */
  | { readonly kind: 'released-on-blue-dns' }

/** One event of a cycle and when it was first seen. */
export interface TimelineEntry {
  readonly event: TimelineEvent
  /** Wall-clock ms since the epoch, for the timestamp column. */
  readonly wallMs: number
  /** Monotonic ms, for ordering and offsets. */
  readonly monoMs: number
}

const FLAG_LABELS = {
  'blue-dns-updated': 'Blue DNS updated',
  'green-dns-removed': 'Green DNS removed',
  'green-topology-changed': 'Green topology changed',
} as const

/**
 * The table text of an event: the AWS wording, so operators can compare our summary with AWS documentation.
 *
 * @example
 * ```ts
 * eventLabel({ kind: 'phase', phase: 'CREATED', rollback: true }) // 'CREATED (rollback)'
 * ```
 */
export function eventLabel(event: TimelineEvent): string {
  switch (event.kind) {
    case 'phase':
      return event.rollback ? `${event.phase} (rollback)` : event.phase
    case 'released-on-blue-dns':
      return 'Traffic released on blue DNS update'
    case 'blue-dns-updated':
    case 'green-dns-removed':
    case 'green-topology-changed':
      return event.rollback ? `${FLAG_LABELS[event.kind]} (rollback)` : FLAG_LABELS[event.kind]
  }
}

function same(a: TimelineEvent, b: TimelineEvent): boolean {
  if (a.kind !== b.kind) return false
  if (a.kind === 'released-on-blue-dns' || b.kind === 'released-on-blue-dns') return true
  if (a.rollback !== b.rollback) return false
  return a.kind !== 'phase' || (b.kind === 'phase' && a.phase === b.phase)
}

/**
 * The timeline with `event` appended, unless the same event was seen before in this cycle (the table shows
 * first occurrences). Returns the same array when nothing changed.
 *
 * @example
 * ```ts
 * timeline = recordEvent(timeline, { kind: 'phase', phase: 'IN_PROGRESS', rollback: false }, clock.wallNow(), clock.now())
 * ```
 */
export function recordEvent(
  timeline: readonly TimelineEntry[],
  event: TimelineEvent,
  wallMs: number,
  monoMs: number,
): readonly TimelineEntry[] {
  if (timeline.some((entry) => same(entry.event, event))) return timeline
  return [...timeline, { event, wallMs, monoMs }]
}

/**
 * Whether this cycle contained a switchover: PREPARATION, IN_PROGRESS or POST was published.
 *
 * @example
 * ```ts
 * hasSwitchover(timeline) // false for a deployment first seen at COMPLETED
 * ```
 */
export function hasSwitchover(timeline: readonly TimelineEntry[]): boolean {
  return timeline.some(({ event }) => event.kind === 'phase' && isSwitchoverRunning(event.phase))
}

/**
 * The rows of the summary table and its time zero: IN_PROGRESS of a normal cycle; on rollback the PREPARATION
 * seen before the rollback, else the rolled-back PREPARATION (the AWS JDBC wrapper's choice).
 *
 * @example
 * ```ts
 * logger.info(formatSwitchoverSummary({ bgdId, rollback, ...summaryRows(timeline, rollback) }))
 * ```
 */
export function summaryRows(
  timeline: readonly TimelineEntry[],
  rollback: boolean,
): { readonly events: SummaryRow[]; readonly zeroMonoMs: number | undefined } {
  const phase = (name: Phase, rolledBack: boolean): TimelineEntry | undefined =>
    timeline.find(
      ({ event }) => event.kind === 'phase' && event.phase === name && event.rollback === rolledBack,
    )
  const zero = rollback
    ? (phase('PREPARATION', false) ?? phase('PREPARATION', true))
    : phase('IN_PROGRESS', false)
  const events = timeline.map((entry) => ({
    name: eventLabel(entry.event),
    wallMs: entry.wallMs,
    monoMs: entry.monoMs,
  }))
  return { events, zeroMonoMs: zero?.monoMs }
}
