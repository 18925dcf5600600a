// `npm run demo`: the same knex write workload (16 workers, reads, writes and transactions) through one lab
// Blue/Green switchover (default preset) twice: once with knex's own `pg` client, once with `AwsBgPg`. Prints a
// side-by-side table and the library's own switchover summary. Needs root (the lab's DNS runs in a private mount
// namespace) and the machine's PostgreSQL binaries; takes about 20 seconds.
import knex from 'knex'
import type { Logger } from '../core/runtime.js'
import { AwsBgPg } from '../integrations/knex/index.js'
import type { BlueGreenKnexConfig } from '../integrations/knex/index.js'
import { session as plainKnexSession } from '../test/lab/clients/knex-plain-pg.js'
import type { LabClient, LabClientTarget, LabSession } from '../test/lab/clients/types.js'
import { runScenario, type ScenarioResult } from '../test/lab/index.js'

const summaries: string[] = []
const captureSummary: Logger = {
  debug: () => undefined,
  info: (message) => void (message.includes('Switchover') && summaries.push(message)),
  warn: () => undefined,
  error: () => undefined,
}

/** knex with `client: AwsBgPg`, as an application would configure it (polling compressed with the lab's time). */
function protectedKnex(target: LabClientTarget): LabSession {
  const config: BlueGreenKnexConfig = {
    client: AwsBgPg,
    connection: {
      host: target.host,
      port: target.port,
      user: target.user,
      password: target.password,
      database: target.database,
    },
    pool: { min: 0, max: 16 },
    log: {
      warn: () => undefined,
      error: () => undefined,
      debug: () => undefined,
      deprecate: () => undefined,
    },
    blueGreen: {
      bgdId: 'demo',
      bgIncreasedMs: 100,
      bgHighMs: 50,
      logger: captureSummary,
      ...(target.lookup ? { lookup: target.lookup } : {}),
    },
  }
  const db = knex(config)
  const insert = async (
    q: knex.Knex | knex.Knex.Transaction,
    name: string,
    seq: number,
  ): Promise<string | undefined> => {
    const rows: { instance: string }[] = await q('lab_writes')
      .insert({ client: name, seq })
      .returning('instance')
    return rows[0]?.instance
  }
  const instance = async (): Promise<string | undefined> =>
    (await db.raw<{ rows: { i: string }[] }>("SELECT current_setting('lab.instance') AS i")).rows[0]?.i
  const client = (): LabClient => ({
    connect: instance,
    write: (name, seq) => insert(db, name, seq),
    read: instance,
    writeTx: (name, seq) => db.transaction((trx) => insert(trx, name, seq)),
    close: () => Promise.resolve(),
  })
  return { client, close: () => db.destroy() }
}

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
