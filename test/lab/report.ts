import type { ScenarioResult } from './scenario.js'

/** The JSON the CLI prints with --json: metrics and phases, without the raw logs. */
export function scenarioJson(r: ScenarioResult): Record<string, unknown> {
  const { events: _events, opLog: _opLog, ...rest } = r
  return rest
}

/** A human-readable timeline and metrics table. */
export function formatScenario(r: ScenarioResult): string {
  const lines: string[] = []
  lines.push(`lab: ${r.engine} ${r.topology} profile=${r.profile} preset=${r.preset} client=${r.client}`)
  lines.push(
    `lab start ${r.labStartMs} ms, wall ${r.wallMs} ms, outcome ${r.outcome}`,
    '',
    'timeline (ms since lab start):',
  )
  for (const e of r.events) {
    const detail = e.detail === undefined ? '' : ` ${JSON.stringify(e.detail)}`
    lines.push(`  ${e.t.toFixed(0).padStart(7)}  ${e.event}${detail}`)
  }
  const rows: [string, unknown][] = [
    ['ops', r.ops],
    ['failed ops', r.failedOps],
    ['failed after COMPLETED', r.failedAfterCompleted],
    ['errors by code', JSON.stringify(r.errorsByCode)],
    ['max op (ms)', r.maxOpMs],
    ['max worker gap (ms)', r.maxWorkerGapMs],
    ['acked writes', `${r.ackedWrites} ${JSON.stringify(r.ackedByInstance)}`],
    ['lost writes', r.lostWrites],
    ['old blue writes after cut', r.oldBlueWritesAfterCut],
    ['read-only errors', r.readOnlyErrors],
    ['double-applied writes', r.doubleApplied],
    ['ambiguous writes', r.ambiguousWrites],
    ['green lookups after COMPLETED', r.greenLookupsAfterCompleted],
    ['old blue connects after COMPLETED', r.oldBlueConnectsAfterCompleted],
    ['stale DNS answers', r.staleDnsAnswers],
    ...Object.entries(r.endpoints).map(([e, m]): [string, unknown] => [
      `endpoint ${e}`,
      `${m.ops} ops, ${m.failedOps} failed, ${m.failedAfterCompleted} after COMPLETED`,
    ]),
    ['old-blue reader connects after COMPLETED', r.oldBlueReaderConnectsAfterCompleted],
  ]
  lines.push('', 'metrics:')
  for (const [k, v] of rows) lines.push(`  ${k.padEnd(34)} ${String(v)}`)
  return lines.join('\n')
}
