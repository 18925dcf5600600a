import type { LabEngineName } from '../address-plan.js'
import { loadLabClient } from '../clients/registry.js'
import { LabError } from '../errors.js'
import { describeScenario, drawScenario, type CampaignClient, type CampaignScenario } from './generator.js'
import { runSeed } from './random.js'
import type { CampaignRun } from './run-one.js'

/** The clients a campaign draws from when `--clients` is not given (every lab client that loads here). */
export const DEFAULT_CLIENTS: readonly string[] = [
  'pg',
  'knex-pg',
  'drizzle-pg',
  'typeorm-pg',
  'prisma-pg',
  'plain-pg',
  'knex-plain-pg',
  'mysql2',
  'knex-mysql',
  'drizzle-mysql',
  'typeorm-mysql',
  'prisma-mysql',
  'plain-mysql2',
]

/** Finds the engines each client supports (by loading its module), keeping those of the requested engines. */
export async function resolveClients(
  names: readonly string[],
  engines: readonly LabEngineName[],
): Promise<CampaignClient[]> {
  const out: CampaignClient[] = []
  for (const name of names) {
    const supported: LabEngineName[] = []
    for (const engine of engines) {
      try {
        await loadLabClient(name, engine)
        supported.push(engine)
      } catch (err) {
        if (!(err instanceof LabError)) throw err
      }
    }
    if (supported.length > 0) out.push({ name, engines: supported })
  }
  if (out.length === 0)
    throw new LabError('BAD_OPTION', `no client of ${names.join(',')} runs on ${engines.join('/')}`)
  return out
}

/** The scenarios of runs `from` .. `from + runs - 1` of a campaign seed. */
export function campaignScenarios(
  seed: number,
  from: number,
  runs: number,
  clients: readonly CampaignClient[],
  knownOnly: boolean,
): CampaignScenario[] {
  return Array.from({ length: runs }, (_, i) => drawScenario(runSeed(seed, from + i), { clients, knownOnly }))
}

/** The one-line command that runs a scenario again, exactly. */
export function replayCommand(s: CampaignScenario): string {
  return `npm run lab:campaign -- --scenario '${JSON.stringify(s)}'`
}

/** One printed line per run. */
export function runLine(index: number, run: CampaignRun): string {
  const verdict = run.broken.length === 0 ? 'pass' : run.protected ? 'FAIL' : 'control-broke'
  const f = run.figures
  const extra = run.error === undefined ? '' : ` error=${run.error}`
  return (
    `#${index} seed=${run.scenario.seed} ${verdict} ${describeScenario(run.scenario)} | ` +
    `failed=${f?.failedOps ?? '?'} gap=${f?.maxWorkerGapMs ?? '?'}` +
    `${run.broken.length > 0 ? ` broken=[${run.broken.join(',')}]` : ''}${extra} ${run.wallMs}ms`
  )
}

/** What a whole campaign found. */
export interface CampaignSummary {
  readonly runs: number
  readonly passed: number
  readonly violations: readonly { seed: number; scenario: string; broken: readonly string[] }[]
  readonly perClient: Readonly<Record<string, { runs: number; passed: number }>>
  /** Plain clients: runs, and runs in which at least one invariant broke (the faults were real). */
  readonly controls: { readonly runs: number; readonly broke: number; readonly failedOps: number }
  readonly wallMs: number
}

export function summarize(runs: readonly CampaignRun[], wallMs: number): CampaignSummary {
  const perClient: Record<string, { runs: number; passed: number }> = {}
  const violations: CampaignSummary['violations'][number][] = []
  const controls = { runs: 0, broke: 0, failedOps: 0 }
  for (const run of runs) {
    const c = (perClient[run.scenario.client] ??= { runs: 0, passed: 0 })
    c.runs++
    if (run.broken.length === 0) c.passed++
    if (!run.protected) {
      controls.runs++
      if (run.broken.length > 0) controls.broke++
      controls.failedOps += run.figures?.failedOps ?? 0
    } else if (run.broken.length > 0) {
      violations.push({ seed: run.scenario.seed, scenario: JSON.stringify(run.scenario), broken: run.broken })
    }
  }
  return {
    runs: runs.length,
    passed: runs.length - violations.length,
    violations,
    perClient,
    controls,
    wallMs,
  }
}
