import type { DnsLogEntry } from './dns-server.js'
import { writeKey } from './engine.js'
import type { LabEvent } from './event-log.js'
import type { ProxyAcceptEntry } from './proxy.js'
import type { OpRecord } from './workload.js'

/** The AWS-visible phases and DNS events reported in `phases`, in order of occurrence. */
export const PHASE_EVENTS = [
  'NOT_CREATED',
  'CREATED',
  'PREPARATION',
  'IN_PROGRESS',
  'POST',
  'Blue DNS updated',
  'Green DNS removed',
  'COMPLETED',
  'ROLLBACK',
] as const

export interface AnalyzeInput {
  readonly ops: readonly OpRecord[]
  readonly events: readonly LabEvent[]
  readonly dnsLog: readonly DnsLogEntry[]
  readonly proxyLog: readonly ProxyAcceptEntry[]
  /** Keys present on the final writer (green; blue after a rollback). */
  readonly finalWriterKeys: ReadonlySet<string>
  /** The cut point (lab time): blue must not acknowledge writes after it. */
  readonly cutAt: number | undefined
  /** The old blue's public IP (stale answers for blue names carry it). */
  readonly oldBlueIp: string
}

/** What a switchover cost the workload. Times in ms. See test/lab/README.md for definitions. */
export interface LabMetrics {
  readonly ops: number
  readonly failedOps: number
  readonly failedAfterCompleted: number
  readonly errorsByCode: Readonly<Record<string, number>>
  readonly maxOpMs: number
  readonly maxWorkerGapMs: number
  readonly ackedWrites: number
  readonly ackedByInstance: Readonly<Record<string, number>>
  readonly lostWrites: number
  readonly oldBlueWritesAfterCut: number
  /** Failed ops whose error says the server was read-only (PG 25006, MySQL 1290/1836, the library's own). */
  readonly readOnlyErrors: number
  readonly doubleApplied: number
  /** Failed writes whose row exists anyway (commit done, ack lost). Informational. */
  readonly ambiguousWrites: number
  readonly greenLookupsAfterCompleted: number
  readonly oldBlueConnectsAfterCompleted: number
  /** A answers giving a blue name the old blue's IP after "Blue DNS updated" (the stale window at work). */
  readonly staleDnsAnswers: number
  /** Per endpoint (`writer`, `reader`): ops, failed ops and failures after COMPLETED. */
  readonly endpoints: Readonly<Record<string, EndpointMetrics>>
  /** Connections accepted by an old-blue reader's proxy after COMPLETED. */
  readonly oldBlueReaderConnectsAfterCompleted: number
  /** Offsets relative to IN_PROGRESS (AWS summary convention), or to the first event if there was none. */
  readonly phases: readonly { readonly event: string; readonly offsetMs: number }[]
}

export interface EndpointMetrics {
  readonly ops: number
  readonly failedOps: number
  readonly failedAfterCompleted: number
}

function byEndpoint(ops: readonly OpRecord[], completed: number): Record<string, EndpointMetrics> {
  const out: Record<string, { ops: number; failedOps: number; failedAfterCompleted: number }> = {}
  for (const o of ops) {
    const e = (out[o.endpoint ?? 'writer'] ??= { ops: 0, failedOps: 0, failedAfterCompleted: 0 })
    e.ops++
    if (!o.ok) e.failedOps++
    if (!o.ok && o.t0 >= completed) e.failedAfterCompleted++
  }
  return out
}

const DUPLICATE_CODES = new Set(['23505', 'ER_DUP_ENTRY'])
const READ_ONLY_CODES = new Set([
  '25006',
  'ER_OPTION_PREVENTS_STATEMENT',
  'ER_READ_ONLY_MODE',
  'READ_ONLY',
  'READ_ONLY_CONNECTION',
  '1290',
  '1836',
])
const GREEN_NAME = /-green-[0-9a-z]{6}\./i

function maxGap(ops: readonly OpRecord[]): number {
  const byWorker = new Map<number, OpRecord[]>()
  for (const op of ops) byWorker.set(op.worker, [...(byWorker.get(op.worker) ?? []), op])
  let worst = 0
  for (const list of byWorker.values()) {
    // The gap a worker perceives runs from one success to the next; everything it waited on (failed
    // connects, slow successful connects, failed queries) sits inside it.
    const ok = list.filter((o) => o.ok).sort((a, b) => a.t1 - b.t1)
    for (let i = 1; i < ok.length; i++) worst = Math.max(worst, (ok[i]?.t1 ?? 0) - (ok[i - 1]?.t1 ?? 0))
  }
  return Math.round(worst)
}

/**
 * Computes the metrics of one run from the op log, the lab's logs and the final writer's rows.
 *
 * @example
 * const m = analyze({ ops, events: lab.events(), dnsLog: lab.dnsLog(), proxyLog: lab.proxyLog(), finalWriterKeys, cutAt })
 */
export function analyze(input: AnalyzeInput): LabMetrics {
  const { ops, events } = input
  const at = (name: string): number | undefined => events.findLast((e) => e.event === name)?.t
  const completed = at('COMPLETED') ?? Infinity
  const blueDns = at('Blue DNS updated') ?? Infinity
  const failed = ops.filter((o) => !o.ok)
  const errorsByCode: Record<string, number> = {}
  for (const o of failed) errorsByCode[o.code ?? 'UNKNOWN'] = (errorsByCode[o.code ?? 'UNKNOWN'] ?? 0) + 1
  const writes = ops.filter((o) => o.kind === 'query' && o.seq !== undefined)
  const acked = writes.filter((o) => o.ok)
  const ackedByInstance: Record<string, number> = {}
  for (const o of acked) ackedByInstance[o.instance ?? '?'] = (ackedByInstance[o.instance ?? '?'] ?? 0) + 1
  const has = (o: OpRecord): boolean => input.finalWriterKeys.has(writeKey(o.client, o.seq ?? -1))
  const cutAt = input.cutAt ?? Infinity
  const ipStart = at('IN_PROGRESS') ?? events[0]?.t ?? 0
  return {
    ops: ops.length,
    failedOps: failed.length,
    failedAfterCompleted: failed.filter((o) => o.t0 >= completed).length,
    errorsByCode,
    maxOpMs: Math.round(Math.max(0, ...ops.map((o) => o.t1 - o.t0))),
    maxWorkerGapMs: maxGap(ops),
    ackedWrites: acked.length,
    ackedByInstance,
    lostWrites: acked.filter((o) => !has(o)).length,
    oldBlueWritesAfterCut: acked.filter((o) => o.instance === 'blue' && o.t1 > cutAt).length,
    readOnlyErrors: failed.filter((o) => READ_ONLY_CODES.has(o.code ?? '')).length,
    doubleApplied: failed.filter((o) => DUPLICATE_CODES.has(o.code ?? '')).length,
    ambiguousWrites: writes.filter((o) => !o.ok && has(o)).length,
    greenLookupsAfterCompleted: input.dnsLog.filter(
      (d) => d.type === 'A' && d.t >= completed && GREEN_NAME.test(d.name),
    ).length,
    oldBlueConnectsAfterCompleted: input.proxyLog.filter((p) => p.instance === 'blue' && p.t >= completed)
      .length,
    endpoints: byEndpoint(ops, completed),
    oldBlueReaderConnectsAfterCompleted: input.proxyLog.filter(
      (p) => p.instance.startsWith('blue-reader') && p.t >= completed,
    ).length,
    staleDnsAnswers: input.dnsLog.filter(
      (d) => d.type === 'A' && d.t >= blueDns && !d.name.includes('-old1') && d.answer === input.oldBlueIp,
    ).length,
    phases: events
      .filter((e) => (PHASE_EVENTS as readonly string[]).includes(e.event))
      .map((e) => ({ event: e.event, offsetMs: Math.round(e.t - ipStart) })),
  }
}
