/**
 * The benchmark harness shared by every row of `npm run bench`: 32 concurrent workers against the local servers.
 * Each round measures baseline, ours, baseline (or ours, baseline, ours) back to back and compares the middle run
 * with the mean of its neighbours; every figure is the median over rounds of those per-round ratios. On a 2-core
 * machine throughput drifts by ±20 % between half-second windows (measured), which this design cancels far
 * better than a ratio of medians. The primary figure is `cpuRatio`, the client CPU per query of ours over the
 * baseline's: the library's own cost, which the servers' share of the machine moves far less than throughput
 * (`scripts/bench.mjs` pins this process to one core with `taskset` where available).
 */
export const WORKERS = 32
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 9)
const ROUND_MS = Number(process.env['BENCH_ROUND_MS'] ?? 400)

/**
 * One comparison row: `[{name, cpuRatio, baselineCpuUsPerOp, cpuUsPerOp, baselineOpsPerSec, opsPerSec, ratio}]`
 * is the JSON of `npm run bench -- --json`.
 */
export interface BenchRow {
  readonly name: string
  /** Median over rounds of (our client CPU per query / the baseline's): the primary figure (target ≤ 1.02). */
  readonly cpuRatio?: number
  readonly baselineOpsPerSec: number
  readonly opsPerSec: number
  /** Median over rounds of (our throughput / the baseline's). */
  readonly ratio: number
  /**
   * This process's CPU time per operation (µs, user + system), baseline and ours: the client-side cost of the
   * library, far steadier than throughput on a machine whose cores the servers share.
   */
  readonly baselineCpuUsPerOp?: number
  readonly cpuUsPerOp?: number
}

/** One worker's i-th operation. */
export type BenchOp = (worker: number, i: number) => Promise<unknown>

interface Run {
  readonly opsPerSec: number
  readonly cpuUsPerOp: number
}

async function measure(op: BenchOp): Promise<Run> {
  let count = 0
  const start = performance.now()
  const cpu = process.cpuUsage()
  const end = start + ROUND_MS
  await Promise.all(
    Array.from({ length: WORKERS }, async (_, worker) => {
      for (let i = 0; performance.now() < end; i++) {
        await op(worker, i)
        count++
      }
    }),
  )
  const used = process.cpuUsage(cpu)
  return {
    opsPerSec: (count * 1000) / (performance.now() - start),
    cpuUsPerOp: (used.user + used.system) / count,
  }
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
  await measure(baseline)
  await measure(ours)
  const b: Run[] = []
  const o: Run[] = []
  const ratios: number[] = []
  const cpuRatios: number[] = []
  for (let round = 0; round < ROUNDS; round++) {
    const [first, second] = round % 2 === 0 ? [baseline, ours] : [ours, baseline]
    const x = await measure(first)
    const y = await measure(second)
    const z = await measure(first)
    const outer = {
      opsPerSec: (x.opsPerSec + z.opsPerSec) / 2,
      cpuUsPerOp: (x.cpuUsPerOp + z.cpuUsPerOp) / 2,
    }
    const [base, mine] = first === baseline ? [outer, y] : [y, outer]
    b.push(base)
    o.push(mine)
    ratios.push(mine.opsPerSec / base.opsPerSec)
    cpuRatios.push(mine.cpuUsPerOp / base.cpuUsPerOp)
  }
  const med = (runs: readonly Run[], key: keyof Run): number => median(runs.map((r) => r[key]))
  return {
    name,
    cpuRatio: Number(median(cpuRatios).toFixed(3)),
    baselineOpsPerSec: Math.round(med(b, 'opsPerSec')),
    opsPerSec: Math.round(med(o, 'opsPerSec')),
    ratio: Number(median(ratios).toFixed(3)),
    baselineCpuUsPerOp: Number(med(b, 'cpuUsPerOp').toFixed(1)),
    cpuUsPerOp: Number(med(o, 'cpuUsPerOp').toFixed(1)),
  }
}

/** Prints rows as a table. */
export function printRows(rows: readonly BenchRow[]): void {
  console.log(
    `${WORKERS} workers; ${ROUNDS} rounds of 3 × ${ROUND_MS} ms (ABA or BAB); ratios = median over rounds\n`,
  )
  console.log(
    `${'name'.padEnd(18)}${'CPU ratio'.padStart(10)}${'client CPU µs/query'.padStart(22)}${'baseline ops/s'.padStart(16)}${'ours ops/s'.padStart(12)}${'ratio'.padStart(8)}`,
  )
  for (const row of rows) {
    const cpu = row.cpuUsPerOp === undefined ? '' : `${row.baselineCpuUsPerOp ?? '?'} → ${row.cpuUsPerOp}`
    console.log(
      `${row.name.padEnd(18)}${(row.cpuRatio?.toFixed(3) ?? '').padStart(10)}${cpu.padStart(22)}${String(row.baselineOpsPerSec).padStart(16)}${String(row.opsPerSec).padStart(12)}${row.ratio.toFixed(3).padStart(8)}`,
    )
  }
}
