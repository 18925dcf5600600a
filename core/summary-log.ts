import type { HostPair, Phase } from './types.js'

/**
 * Text of the switchover summary (the JDBC wrapper's layout, so operators can compare it with AWS
 * documentation) and of the readiness log (docs/design.md, "Logs"). Pure: the caller logs the returned string.
 */

/**
 * One row of the switchover summary table.
 *
 * @example
 * ```ts
 * const row: SummaryRow = { name: 'IN_PROGRESS', wallMs: Date.now(), monoMs: performance.now() }
 * ```
 */
export interface SummaryRow {
  /** The event column, e.g. `IN_PROGRESS` or `CREATED (rollback)`. */
  readonly name: string
  /** Wall-clock ms since the epoch, for the timestamp column. */
  readonly wallMs: number
  /** Monotonic ms, for ordering and offsets. */
  readonly monoMs: number
}

/**
 * Input of {@link formatSwitchoverSummary}.
 *
 * @example
 * ```ts
 * const input: SwitchoverSummaryInput = { bgdId: '1', rollback: false, events: [row], zeroMonoMs: row.monoMs }
 * ```
 */
export interface SwitchoverSummaryInput {
  readonly bgdId: string
  readonly rollback: boolean
  readonly events: readonly SummaryRow[]
  /** Monotonic ms of time zero for the offset column; the column stays blank without one. */
  readonly zeroMonoMs?: number | undefined
}

const TIMESTAMP_WIDTH = 28
const OFFSET_WIDTH = 21
/** Width of the number inside the offset column; ` ms` fills the other 3 characters. */
const OFFSET_NUMBER_WIDTH = 18
/** Width of the event column when there are no events. */
const EMPTY_EVENT_WIDTH = 31

/**
 * Formats the end-of-cycle summary table the library logs when a switchover completes or rolls back. Offsets
 * are whole ms from `zeroMonoMs`, truncated toward zero like JDBC; blank when there is no time zero.
 *
 * @example
 * ```ts
 * import { formatSwitchoverSummary } from 'rds-bluegreen'
 * formatSwitchoverSummary({ bgdId: '1', rollback: false, zeroMonoMs: 100,
 *   events: [{ name: 'IN_PROGRESS', wallMs: Date.now(), monoMs: 100 }] })
 * // [bgdId: '1'] Blue/Green Deployment Switchover COMPLETED
 * // -------------------------------------------------------------------------------------
 * // timestamp                         time offset (ms)                              event
 * // ...
 * ```
 */
export function formatSwitchoverSummary(input: SwitchoverSummaryInput): string {
  const events = [...input.events].sort((a, b) => a.monoMs - b.monoMs)
  const zero = input.zeroMonoMs
  const width =
    events.length === 0 ? EMPTY_EVENT_WIDTH : Math.max(...events.map((event) => event.name.length + 5))
  const divider = '-'.repeat(TIMESTAMP_WIDTH + 1 + OFFSET_WIDTH + 1 + width)
  const rows = events.map((event) => {
    const offset =
      zero === undefined
        ? ''.padStart(OFFSET_WIDTH)
        : `${String(Math.trunc(event.monoMs - zero) || 0).padStart(OFFSET_NUMBER_WIDTH)} ms`
    return `${isoInstant(event.wallMs).padStart(TIMESTAMP_WIDTH)} ${offset} ${event.name.padStart(width)}`
  })
  return [
    `[bgdId: '${input.bgdId}'] Blue/Green Deployment Switchover ${input.rollback ? 'ROLLED BACK' : 'COMPLETED'}`,
    divider,
    `${'timestamp'.padEnd(TIMESTAMP_WIDTH)} ${'time offset (ms)'.padStart(OFFSET_WIDTH)} ${'event'.padStart(width)}`,
    divider,
    ...rows,
    divider,
  ].join('\n')
}

/** ISO-8601 UTC; a corrupt clock value must not turn a log line into an exception. */
function isoInstant(wallMs: number): string {
  const date = new Date(wallMs)
  return Number.isNaN(date.getTime()) ? '?' : date.toISOString()
}

/** Input of {@link formatReadinessLog}: what the coordinator knows once both sides are recognised. */
export interface ReadinessLogInput {
  readonly bgdId: string
  readonly phase: Phase
  /** Host names of the SOURCE (blue) side. */
  readonly sourceHosts: Iterable<string>
  /** Host names of the TARGET (green) side. */
  readonly targetHosts: Iterable<string>
  /** Blue → green pairs (a pair without a green is listed as `(none)` and makes the log not ready). */
  readonly correspondingHosts: Iterable<HostPair>
  /** Host → IP captured while CREATED; `undefined` where the name did not resolve. */
  readonly ipByHost: Iterable<readonly [string, string | undefined]>
}

const LABEL_WIDTH = 20

/**
 * Formats the readiness log: summary rows, then the sorted blue → green pairs, then the sorted
 * host → IP rows. `ready` is true when both sides have hosts and every blue host has a green counterpart.
 *
 * @example
 * ```ts
 * formatReadinessLog({ bgdId: '1', phase: 'CREATED', sourceHosts: ['db-1.x'], targetHosts: ['db-1-green-abc123.x'],
 *   correspondingHosts: [{ blue: 'db-1.x', green: 'db-1-green-abc123.x' }], ipByHost: new Map([['db-1.x', '10.0.0.1']]) })
 * // [bgdId: '1'] Blue/Green target topology recognized
 * // ------------------------------------------------------------
 * // phase               CREATED
 * // ...
 * ```
 */
export function formatReadinessLog(input: ReadinessLogInput): string {
  const source = [...new Set(input.sourceHosts)].sort()
  const target = [...new Set(input.targetHosts)].sort()
  const pairs = [...input.correspondingHosts].sort((a, b) => compare(a.blue, b.blue))
  const matched = pairs.filter((pair) => pair.green !== undefined).length
  const ready = source.length > 0 && target.length > 0 && pairs.length > 0 && matched === pairs.length
  const ips = [...input.ipByHost].sort(([a], [b]) => compare(a, b))
  const summary: [string, string][] = [
    ['phase', input.phase],
    ['sourceHosts', `${source.length} ${list(source)}`],
    ['targetHosts', `${target.length} ${list(target)}`],
    ['correspondingNodes', `${matched} of ${pairs.length}`],
    ['ready', String(ready)],
  ]
  const lines = [
    ...summary.map(([label, value]) => `${label.padEnd(LABEL_WIDTH)}${value}`),
    ...pairs.map((pair) => `${pair.blue} -> ${pair.green ?? '(none)'}`),
    ...ips.map(([host, ip]) => `${host} -> ${ip ?? '(unresolved)'}`),
  ]
  const divider = '-'.repeat(Math.max(60, ...lines.map((line) => line.length)))
  return [
    `[bgdId: '${input.bgdId}'] Blue/Green target topology recognized`,
    divider,
    ...lines.slice(0, summary.length),
    divider,
    ...lines.slice(summary.length, summary.length + pairs.length),
    divider,
    ...lines.slice(summary.length + pairs.length),
    divider,
  ].join('\n')
}

function list(hosts: readonly string[]): string {
  return `[${hosts.join(', ')}]`
}

/** Plain code-unit order, so the output does not depend on the process locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
