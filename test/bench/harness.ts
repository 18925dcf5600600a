/**
 * The benchmark harness shared by every row of `npm run bench`: 32 concurrent workers against the local servers.
 * Each round measures baseline, ours, baseline (or ours, baseline, ours) back to back and compares the middle run
 * with the mean of its neighbours; the ratio is the median over rounds. On a 2-core machine throughput drifts by
 * ±20 % between half-second windows (measured), which this design cancels far better than a ratio of medians.
 */
export const WORKERS = 32
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 9)
const ROUND_MS = Number(process.env['BENCH_ROUND_MS'] ?? 400)

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
    if (round % 2 === 0) {
      const [before, mine, after] = [
        await throughput(baseline),
        await throughput(ours),
        await throughput(baseline),
      ]
      b.push((before + after) / 2)
      o.push(mine)
      ratios.push((2 * mine) / (before + after))
    } else {
      const [before, base, after] = [
        await throughput(ours),
        await throughput(baseline),
        await throughput(ours),
      ]
      b.push(base)
      o.push((before + after) / 2)
      ratios.push((before + after) / (2 * base))
    }
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
    `${WORKERS} workers; ${ROUNDS} rounds of 3 × ${ROUND_MS} ms (ABA or BAB); ratio = median over rounds\n`,
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
