// `npm run bench [-- --json] [-- --only=drivers,knex,...]`: throughput of every integration against the plain
// driver or ORM on the local servers, with the monitors running. The measurement is TypeScript, run through tsx.
// Where `taskset` exists the client is pinned to the last core and the servers keep the others, so the client's
// CPU per query is not disturbed by the scheduler moving it between cores the servers are busy on
// (`BENCH_PIN=0` turns this off).
import { spawnSync } from 'node:child_process'
import { availableParallelism } from 'node:os'

const command = ['npx', 'tsx', 'test/bench/all.ts', ...process.argv.slice(2)]
const cores = availableParallelism()
const canPin =
  process.env['BENCH_PIN'] !== '0' &&
  cores > 1 &&
  spawnSync('sh', ['-c', 'command -v taskset'], { stdio: 'ignore' }).status === 0
const argv = canPin ? ['taskset', '-c', String(cores - 1), ...command] : command
if (canPin) console.error(`bench: client pinned to core ${cores - 1} of ${cores} (taskset)`)
const result = spawnSync(argv[0], argv.slice(1), { stdio: 'inherit' })
process.exit(result.status ?? 1)
