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
import type { HeldReleaseRow, PoolsRow } from './scale.bench.js'
import { benchHeldRelease, benchPools } from './scale.bench.js'
import { benchKysely, benchSequelize } from './sequelize-kysely.bench.js'
import { benchTypeorm } from './typeorm.bench.js'

/**
 * `npm run bench [-- --json] [-- --only pg,knex]`: every integration against the plain driver or ORM, in one run
 * on the local servers. With `--json` prints `[{name, cpuRatio, baselineCpuUsPerOp, cpuUsPerOp, ..., ratio}]` (and
 * `{name: 'metadata-10k-hosts', maxBlockMs}`, `{name: 'hot-path', driver, addedNsPerQuery}`,
 * `{name: 'held-release-10k', ms}`, `{name: 'pools-1000', monitoringConnections, bytesPerPool}`) on stdout and the
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
if (want('metadata')) {
  // The first round is the one a process meets when it first sees the deployment (cold code); the second, its later ones.
  const first = await benchMetadata()
  blocks.push({ ...first, warmMaxBlockMs: (await benchMetadata()).maxBlockMs })
}
// The nanoseconds the library adds per query with no server in the way (issue 15 item 3).
const hotPath: HotPathRow[] = []
if (want('hot-path')) hotPath.push(...(await benchHotPath()))
// How the work grows (issue 15 item 4): one published phase releasing 10,000 held calls (target ≤ 20 ms), and
// 1,000 pools on one deployment (target: 2 monitoring connections).
const scale: (HeldReleaseRow | PoolsRow)[] = []
if (want('held-release') || want('scale')) scale.push(await benchHeldRelease())
if (want('pools-1000') || want('scale')) scale.push(await benchPools())

if (json) {
  console.log(JSON.stringify([...rows, ...blocks, ...hotPath, ...scale]))
  if (monitors !== undefined) console.error(JSON.stringify({ monitoringConnectionsPerDeployment: monitors }))
} else {
  printRows(rows)
  for (const b of blocks) {
    console.log(
      `\n${b.name}: longest event-loop block ${b.maxBlockMs} ms over ${b.elapsedMs} ms (target ≤ 10 ms; warm ${b.warmMaxBlockMs ?? '-'} ms)`,
    )
  }
  for (const h of hotPath) {
    console.log(
      `\nhot-path ${h.driver} ${h.statement}: +${h.addedNsPerQuery} ns per query (${h.baselineNsPerQuery} → ${h.nsPerQuery} ns of CPU, in-process fake server)`,
    )
  }
  for (const row of scale) {
    if (row.name === 'held-release-10k') {
      console.log(
        `\n${row.name}: last of ${row.held} held calls resumed ${row.ms} ms after the publish (target ≤ 20 ms; warm ${row.warmMs} ms)`,
      )
    } else {
      console.log(
        `\n${row.name}: ${row.monitoringConnections} monitoring connections (target ≤ 2); ${row.bytesPerPool} heap ` +
          `bytes per pool (plain pg.Pool: ${row.baselineBytesPerPool}; knex: ${row.bytesPerKnex}, plain knex ${row.baselineBytesPerKnex}; heap measured: ${row.heap})`,
      )
    }
  }
  if (monitors !== undefined) {
    console.log(
      `\nmonitoring connections per deployment (3 pools share one): pg ${monitors.pg}, mysql2 ${monitors.mysql2} (target 2)`,
    )
  }
}
process.exit(0)
