// `npm run bench [-- --json]`: throughput of the routed pg and mysql2 pools against plain ones on the local servers.
// The measurement itself is TypeScript (test/bench/drivers.bench.ts), run through tsx.
import { spawnSync } from 'node:child_process'

const result = spawnSync('npx', ['tsx', 'test/bench/drivers.bench.ts', ...process.argv.slice(2)], {
  stdio: 'inherit',
})
process.exit(result.status ?? 1)
