import { PrismaMariaDb } from '@prisma/adapter-mariadb'
import { PrismaPg } from '@prisma/adapter-pg'
import type { SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils'
import pg from 'pg'
import { pathToFileURL } from 'node:url'
import { silentLogger } from '../../core/runtime.js'
import { PrismaBlueGreenMysql, PrismaBlueGreenPg } from '../../integrations/prisma/index.js'
import {
  dropScratch,
  MY_SCRATCH,
  PG_SCRATCH,
  resetMysqlScratch,
  resetPgScratch,
} from '../integration/prisma/fixtures.js'
import { generatePrismaClient } from '../integration/prisma/generate.js'
import type { PrismaLike } from '../integration/prisma/model-suite.js'

/**
 * Prisma through our adapters versus Prisma's own: `prisma-pg` (PrismaBlueGreenPg vs PrismaPg over a plain
 * pg.Pool) and `prisma-mysql` (PrismaBlueGreenMysql over a routed mysql2 pool vs PrismaMariaDb). 32 concurrent
 * workers alternate a `findFirst` by unique key and a `create`; rounds interleave baseline and ours, medians.
 * `npx tsx test/bench/prisma.bench.ts [--json]`, or call `benchPrisma()`.
 */
const WORKERS = 32
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5)
const ROUND_MS = Number(process.env['BENCH_ROUND_MS'] ?? 1500)

type ClientClass = new (options: { adapter: SqlDriverAdapterFactory }) => PrismaLike

/** One comparison row, as the drivers bench prints them. */
export interface BenchRow {
  readonly name: string
  readonly baselineOpsPerSec: number
  readonly opsPerSec: number
  readonly ratio: number
}

async function throughput(prisma: PrismaLike, tag: string): Promise<number> {
  let count = 0
  const start = performance.now()
  const end = start + ROUND_MS
  await Promise.all(
    Array.from({ length: WORKERS }, async (_, worker) => {
      for (let i = 0; performance.now() < end; i++) {
        if (i % 2 === 0) await prisma.sample.findFirst({ where: { label: 'edge' } })
        else
          await prisma.sample.create({ data: { label: `${tag}-${worker}-${i}-${count}`, i32: i, f64: 0.5 } })
        count++
      }
    }),
  )
  return (count * 1000) / (performance.now() - start)
}

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0

async function compare(
  name: string,
  Client: ClientClass,
  baseline: SqlDriverAdapterFactory,
  ours: SqlDriverAdapterFactory,
): Promise<BenchRow> {
  const base = new Client({ adapter: baseline })
  const mine = new Client({ adapter: ours })
  try {
    await base.sample.create({ data: { label: 'edge', i32: 1 } })
    await throughput(base, `${name}-warm-b`)
    await throughput(mine, `${name}-warm-o`)
    const b: number[] = []
    const o: number[] = []
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? (['b', 'o'] as const) : (['o', 'b'] as const)
      for (const which of order) {
        if (which === 'b') b.push(await throughput(base, `${name}-${round}-b`))
        else o.push(await throughput(mine, `${name}-${round}-o`))
      }
    }
    const baselineOpsPerSec = Math.round(median(b))
    const opsPerSec = Math.round(median(o))
    return { name, baselineOpsPerSec, opsPerSec, ratio: Number((opsPerSec / baselineOpsPerSec).toFixed(3)) }
  } finally {
    await Promise.all([base.$disconnect(), mine.$disconnect()])
  }
}

/**
 * Runs both comparisons on the local servers (scratch database `bg_prisma_diff`, dropped at the end).
 *
 * @example
 * const rows = await benchPrisma() // [{ name: 'prisma-pg', ratio: 0.99, ... }, { name: 'prisma-mysql', ... }]
 */
export async function benchPrisma(): Promise<BenchRow[]> {
  const blueGreen = { bgdId: 'bench-prisma', logger: silentLogger, bgBaselineMs: 1000 }
  const PgClient = ((await import(generatePrismaClient('diff-pg'))) as { PrismaClient: ClientClass })
    .PrismaClient
  const MyClient = ((await import(generatePrismaClient('diff-mysql'))) as { PrismaClient: ClientClass })
    .PrismaClient
  const rows: BenchRow[] = []
  try {
    await resetPgScratch()
    const plainPool = new pg.Pool({ ...PG_SCRATCH, max: WORKERS })
    plainPool.on('error', () => undefined)
    rows.push(
      await compare(
        'prisma-pg',
        PgClient,
        new PrismaPg(plainPool),
        new PrismaBlueGreenPg({ ...PG_SCRATCH, max: WORKERS, blueGreen }),
      ),
    )
    await plainPool.end()
    await resetMysqlScratch()
    rows.push(
      await compare(
        'prisma-mysql',
        MyClient,
        new PrismaMariaDb({ ...MY_SCRATCH, connectionLimit: WORKERS }),
        new PrismaBlueGreenMysql({
          ...MY_SCRATCH,
          connectionLimit: WORKERS,
          blueGreen: { ...blueGreen, bgdId: 'bench-prisma-mysql' },
        }),
      ),
    )
  } finally {
    await dropScratch()
  }
  return rows
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await benchPrisma()
  if (process.argv.includes('--json')) console.log(JSON.stringify(rows))
  else {
    console.log(
      `${WORKERS} workers, ${ROUNDS} alternating rounds of ${ROUND_MS} ms, medians (findFirst + create)\n`,
    )
    for (const row of rows) {
      console.log(
        `${row.name.padEnd(14)} ${String(row.baselineOpsPerSec).padStart(8)} → ${String(row.opsPerSec).padStart(8)} ops/s   ratio ${row.ratio.toFixed(3)}`,
      )
    }
  }
}
