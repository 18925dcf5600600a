// `npm run bench [-- --json] [-- --only=drivers,knex,...]`: throughput of every integration against the plain
// driver or ORM on the local servers, with the monitors running. The measurement is TypeScript, run through tsx.
import { spawnSync } from 'node:child_process'

const result = spawnSync('npx', ['tsx', 'test/bench/all.ts', ...process.argv.slice(2)], { stdio: 'inherit' })
process.exit(result.status ?? 1)
