import { benchDrivers } from './drivers.bench.js'
import type { BenchRow } from './harness.js'
import { printRows } from './harness.js'
import { benchDrizzle } from './drizzle.bench.js'
import type { HotPathRow } from './hot-path.bench.js'
import { benchHotPath } from './hot-path.bench.js'
import { benchKnex } from './knex.bench.js'
import type { BlockRow } from './metadata.bench.js'
import { benchMetadata } from './metadata.bench.js'
import { benchPrisma } from './prisma.bench.js'
import { benchKysely, benchSequelize } from './sequelize-kysely.bench.js'
import { benchTypeorm } from './typeorm.bench.js'

/**
 * `npm run bench [-- --json] [-- --only pg,knex]`: every integration against the plain driver or ORM, in one run
 * on the local servers. With `--json` prints `[{name, cpuRatio, baselineCpuUsPerOp, cpuUsPerOp, ..., ratio}]` (and
 * `{name: 'metadata-10k-hosts', maxBlockMs}`, and `{name: 'hot-path', driver, addedNsPerQuery}`) on stdout and the
 * monitoring-connection count on stderr.
 */
const json = process.argv.includes('--json')
const onlyArg = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length)
const only = onlyArg === undefined ? undefined : new Set(onlyArg.split(','))
const want = (suite: string): boolean => only === undefined || only.has(suite)

const rows: BenchRow[] = []
let monitors: { pg: number; mysql2: number } | undefined
if (want('drivers')) {
  const drivers = await benchDrivers()
  rows.push(...drivers.rows)
  monitors = drivers.monitors
}
if (want('knex')) rows.push(...(await benchKnex()))
if (want('drizzle')) rows.push(...(await benchDrizzle()))
if (want('typeorm')) rows.push(...(await benchTypeorm()))
if (want('prisma')) rows.push(...(await benchPrisma()))
if (want('sequelize')) rows.push(...(await benchSequelize()))
if (want('kysely')) rows.push(...(await benchKysely()))
// Event-loop blocking of one monitor round over a 10,000-row metadata answer (issue 11 item 4; target ≤ 10 ms).
const blocks: BlockRow[] = []
if (want('metadata')) blocks.push(await benchMetadata())
// The nanoseconds the library adds per query with no server in the way (issue 15 item 3).
const hotPath: HotPathRow[] = []
if (want('hot-path')) hotPath.push(...(await benchHotPath()))

if (json) {
  console.log(JSON.stringify([...rows, ...blocks, ...hotPath]))
  if (monitors !== undefined) console.error(JSON.stringify({ monitoringConnectionsPerDeployment: monitors }))
} else {
  printRows(rows)
  for (const b of blocks) {
    console.log(
      `\n${b.name}: longest event-loop block ${b.maxBlockMs} ms over ${b.elapsedMs} ms (target ≤ 10 ms)`,
    )
  }
  for (const h of hotPath) {
    console.log(
      `\nhot-path ${h.driver} ${h.statement}: +${h.addedNsPerQuery} ns per query (${h.baselineNsPerQuery} → ${h.nsPerQuery} ns of CPU, in-process fake server)`,
    )
  }
  if (monitors !== undefined) {
    console.log(
      `\nmonitoring connections per deployment (3 pools share one): pg ${monitors.pg}, mysql2 ${monitors.mysql2} (target 2)`,
    )
  }
}
process.exit(0)
