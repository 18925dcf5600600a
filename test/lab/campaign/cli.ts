// npm run lab:campaign -- --runs N --seed S [--from I] [--engine pg|mysql|both] [--clients a,b] [--known-only]
//   [--parallel K] [--json]        or        --scenario '<json>' (one run, exactly as printed by a failing run)
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { join, dirname } from 'node:path'
import { parseArgs } from 'node:util'
import type { LabEngineName } from '../address-plan.js'
import { LabError } from '../errors.js'
import {
  campaignScenarios,
  DEFAULT_CLIENTS,
  replayCommand,
  resolveClients,
  runLine,
  summarize,
} from './campaign.js'
import type { CampaignScenario } from './generator.js'
import { runCampaignScenario, type CampaignRun } from './run-one.js'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const RUN_PREFIX = '@@run '

function int(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback
  const n = Number(v)
  if (!Number.isInteger(n) || n < 0)
    throw new LabError('BAD_OPTION', `--${name} must be a non-negative integer`)
  return n
}

/** Runs scenarios in this process, one after the other, calling `done` after each. */
async function runHere(
  items: readonly { index: number; scenario: CampaignScenario }[],
  done: (index: number, run: CampaignRun) => void,
): Promise<void> {
  for (const { index, scenario } of items) done(index, await runCampaignScenario(scenario))
}

/** Runs scenarios in K child processes, each in its own DNS namespace (a lab slot each). */
async function runParallel(
  items: readonly { index: number; scenario: CampaignScenario }[],
  k: number,
  done: (index: number, run: CampaignRun) => void,
): Promise<void> {
  const env = { ...process.env }
  delete env['RDS_BG_LAB_RESOLVER']
  delete env['RDS_BG_LAB_RESOLV_CONF']
  const shards = Array.from({ length: k }, (_, i) => items.filter((_, j) => j % k === i))
  await Promise.all(
    shards.map(
      (shard) =>
        new Promise<void>((resolve) => {
          if (shard.length === 0) return resolve()
          const child = spawn(
            process.execPath,
            [
              join(ROOT, 'scripts', 'with-lab-dns.mjs'),
              process.execPath,
              '--import',
              'tsx',
              fileURLToPath(import.meta.url),
              '--worker',
              JSON.stringify(shard),
            ],
            { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] },
          )
          createInterface({ input: child.stdout }).on('line', (line) => {
            if (!line.startsWith(RUN_PREFIX)) return
            const { index, run } = JSON.parse(line.slice(RUN_PREFIX.length)) as {
              index: number
              run: CampaignRun
            }
            done(index, run)
          })
          child.on('exit', () => resolve())
        }),
    ),
  )
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string' },
      seed: { type: 'string' },
      from: { type: 'string' },
      engine: { type: 'string' },
      clients: { type: 'string' },
      parallel: { type: 'string' },
      scenario: { type: 'string' },
      worker: { type: 'string' },
      'known-only': { type: 'boolean' },
      json: { type: 'boolean' },
    },
  })
  if (values.worker !== undefined) {
    const items = JSON.parse(values.worker) as { index: number; scenario: CampaignScenario }[]
    await runHere(items, (index, run) => console.log(RUN_PREFIX + JSON.stringify({ index, run })))
    return 0
  }
  const started = Date.now()
  let items: { index: number; scenario: CampaignScenario }[]
  if (values.scenario !== undefined) {
    items = [{ index: 0, scenario: JSON.parse(values.scenario) as CampaignScenario }]
  } else {
    const engine = values.engine ?? 'both'
    if (!['pg', 'mysql', 'both'].includes(engine))
      throw new LabError('BAD_OPTION', '--engine must be pg, mysql or both')
    const engines: LabEngineName[] = engine === 'both' ? ['pg', 'mysql'] : [engine as LabEngineName]
    const names = values.clients?.split(',').filter((c) => c !== '') ?? DEFAULT_CLIENTS
    const clients = await resolveClients(names, engines)
    const from = int('from', values.from, 0)
    const scenarios = campaignScenarios(
      int('seed', values.seed, 1),
      from,
      int('runs', values.runs, 10),
      clients,
      values['known-only'] === true,
    )
    items = scenarios.map((scenario, i) => ({ index: from + i, scenario }))
  }
  const runs: CampaignRun[] = []
  const done = (index: number, run: CampaignRun): void => {
    runs.push(run)
    console.log(runLine(index, run))
    if (run.protected && run.broken.length > 0) console.log(`  replay: ${replayCommand(run.scenario)}`)
  }
  const k = int('parallel', values.parallel, 1)
  if (k > 1) await runParallel(items, k, done)
  else await runHere(items, done)
  const summary = summarize(runs, Date.now() - started)
  const rate = Object.entries(summary.perClient)
    .map(([c, v]) => `${c} ${v.passed}/${v.runs}`)
    .join(', ')
  console.log(
    `campaign: ${summary.runs} runs, ${summary.passed} passed, ${summary.violations.length} violations; ` +
      `per client: ${rate}; controls: ${summary.controls.broke}/${summary.controls.runs} broke an invariant ` +
      `(${summary.controls.failedOps} failed ops); wall ${Math.round(summary.wallMs / 1000)} s`,
  )
  if (values.json === true) {
    const { runs: n, passed, violations, perClient, controls, wallMs } = summary
    console.log(JSON.stringify({ runs: n, passed, violations, perClient, controls, wallMs }))
  }
  return summary.violations.length === 0 ? 0 : 1
}

// Some clients keep the event loop alive after close(); the campaign exits explicitly.
main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err))
    process.exit(2)
  },
)
