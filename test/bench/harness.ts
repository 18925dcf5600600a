/**
 * The benchmark harness shared by every row of `npm run bench`: 32 concurrent workers against the local servers,
 * baseline and ours in alternating rounds; the ratio is the median of the per-round-pair ratios, which cancels
 * the drift of a noisy 2-core machine better than a ratio of medians.
 */
export const WORKERS = 32
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 7)
const ROUND_MS = Number(process.env['BENCH_ROUND_MS'] ?? 700)

/** One comparison row: `[{name, baselineOpsPerSec, opsPerSec, ratio}]` is the JSON of `npm run bench -- --json`. */
export interface BenchRow {
  readonly name: string
  readonly baselineOpsPerSec: number
  readonly opsPerSec: number
  readonly ratio: number
}

/** One worker's i-th operation. */
export type BenchOp = (worker: number, i: number) => Promise<unknown>

async function throughput(op: BenchOp): Promise<number> {
  let count = 0
  const start = performance.now()
  const end = start + ROUND_MS
  await Promise.all(
    Array.from({ length: WORKERS }, async (_, worker) => {
      for (let i = 0; performance.now() < end; i++) {
        await op(worker, i)
        count++
      }
    }),
  )
  return (count * 1000) / (performance.now() - start)
}

const median = (values: readonly number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0

/**
 * Baseline and ours in alternating rounds after a warm-up of each.
 *
 * @example
 * const row = await compare('pg-select', () => plain.query('SELECT 1'), () => routed.query('SELECT 1'))
 */
export async function compare(name: string, baseline: BenchOp, ours: BenchOp): Promise<BenchRow> {
  await throughput(baseline)
  await throughput(ours)
  const b: number[] = []
  const o: number[] = []
  const ratios: number[] = []
  for (let round = 0; round < ROUNDS; round++) {
    const first = round % 2 === 0 ? baseline : ours
    const x = await throughput(first)
    const y = await throughput(first === baseline ? ours : baseline)
    const [base, mine] = first === baseline ? [x, y] : [y, x]
    b.push(base)
    o.push(mine)
    ratios.push(mine / base)
  }
  return {
    name,
    baselineOpsPerSec: Math.round(median(b)),
    opsPerSec: Math.round(median(o)),
    ratio: Number(median(ratios).toFixed(3)),
  }
}

/** Prints rows as a table. */
export function printRows(rows: readonly BenchRow[]): void {
  console.log(
    `${WORKERS} workers, ${ROUNDS} alternating rounds of ${ROUND_MS} ms; ratio = median of round-pair ratios\n`,
  )
  console.log(
    `${'name'.padEnd(18)}${'baseline ops/s'.padStart(16)}${'ours ops/s'.padStart(14)}${'ratio'.padStart(9)}`,
  )
  for (const row of rows) {
    console.log(
      `${row.name.padEnd(18)}${String(row.baselineOpsPerSec).padStart(16)}${String(row.opsPerSec).padStart(14)}${row.ratio.toFixed(3).padStart(9)}`,
    )
  }
}
