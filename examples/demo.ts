// `npm run demo`: the same knex write workload (16 workers, reads, writes and transactions) through one lab
// Blue/Green switchover (default preset) twice: once with knex's own `pg` client, once with `AwsBgPg`. Prints a
// side-by-side table and the library's own switchover summary. Needs root (the lab's DNS runs in a private mount
// namespace) and the machine's PostgreSQL binaries; takes about 20 seconds.
import type { Logger } from '../core/runtime.js'
import { session as knexPgSession } from '../test/lab/clients/knex-pg.js'
import { session as plainKnexSession } from '../test/lab/clients/knex-plain-pg.js'
import type { LabClientTarget, LabSession } from '../test/lab/clients/types.js'
import { runScenario, type ScenarioResult } from '../test/lab/index.js'

const summaries: string[] = []
const captureSummary: Logger = {
  debug: () => undefined,
  info: (message) => void (message.includes('Switchover') && summaries.push(message)),
  warn: () => undefined,
  error: () => undefined,
}

/** knex with `client: AwsBgPg` (the lab's client, with the demo's own bgdId and a logger that keeps the summary). */
const protectedKnex = (target: LabClientTarget): LabSession =>
  knexPgSession(target, { bgdId: 'demo', logger: captureSummary })

async function run(label: string, open: (target: LabClientTarget) => LabSession): Promise<ScenarioResult> {
  process.stdout.write(`running the switchover with ${label} ...\n`)
  let shared: LabSession | undefined
  const result = await runScenario({
    engine: 'pg',
    preset: 'default',
    workers: 16,
    client: (target) => (shared ??= open(target)).client(),
    onFinish: async () => shared?.close(),
  })
  return result
}

const plain = await run("knex client 'pg'", plainKnexSession)
const guarded = await run('knex client AwsBgPg', protectedKnex)

const rows: [string, (r: ScenarioResult) => number][] = [
  ['operations', (r) => r.ops],
  ['failed operations', (r) => r.failedOps],
  ['read-only errors (old blue)', (r) => r.readOnlyErrors],
  ['longest stall of a worker (ms)', (r) => r.maxWorkerGapMs],
  ['lost writes', (r) => r.lostWrites],
  ['writes acknowledged by the old blue', (r) => r.oldBlueWritesAfterCut],
  ['failures after COMPLETED', (r) => r.failedAfterCompleted],
]
const line = (a: string, b: string, c: string): string => `${a.padEnd(38)}${b.padStart(16)}${c.padStart(16)}`
console.log(`\n${line('', "knex 'pg'", 'knex AwsBgPg')}`)
console.log('-'.repeat(70))
for (const [name, value] of rows) console.log(line(name, String(value(plain)), String(value(guarded))))
console.log(
  `\nfailed operations by error code: 'pg' ${JSON.stringify(plain.errorsByCode)}, AwsBgPg ${JSON.stringify(guarded.errorsByCode)}`,
)
console.log(`\nThe library's switchover summary (AwsBgPg run):\n${summaries.join('\n') || '(none logged)'}`)
// knex keeps nothing alive after destroy(), but the lab's child processes may still be exiting.
process.exit(0)
