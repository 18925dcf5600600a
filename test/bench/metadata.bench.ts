import { monitorEventLoopDelay } from 'node:perf_hooks'
import { Coordinator } from '../../core/coordinator.js'
import type { MetadataSource, RawMetadataRow } from '../../core/metadata/source.js'
import { resolveOptions } from '../../core/options.js'
import { silentLogger, systemClock } from '../../core/runtime.js'

/** A bench row that measures event-loop blocking rather than throughput. */
export interface BlockRow {
  readonly name: string
  /** Longest event-loop block seen during the measurement (`monitorEventLoopDelay`, 1 ms resolution). */
  readonly maxBlockMs: number
  /** Wall time of the measured work. */
  readonly elapsedMs: number
  readonly hosts: number
  /** The same round run again in the same process (the code is compiled by then): a monitor's later rounds. */
  readonly warmMaxBlockMs?: number
}

const DOMAIN = 'c9akciq32.us-east-1.rds.amazonaws.com'
const HOSTS = 10_000

function rows(): RawMetadataRow[] {
  const row = (endpoint: string, role: string): RawMetadataRow => ({
    endpoint,
    port: 5432,
    role,
    status: 'AVAILABLE',
    version: '1.0',
  })
  const answer = [row(`mydb.${DOMAIN}`, 'BLUE_GREEN_DEPLOYMENT_SOURCE')]
  answer.push(row(`mydb-green-x7k2p9.${DOMAIN}`, 'BLUE_GREEN_DEPLOYMENT_TARGET'))
  for (let i = 0; i < HOSTS; i++)
    answer.push(row(`mydb-instance-${i}.${DOMAIN}`, 'BLUE_GREEN_DEPLOYMENT_SOURCE'))
  return answer
}

/**
 * Issue 11 item 4: one monitor round over a 10,000-row metadata answer (parse, trust check, 10,000 lookups,
 * interim status to the coordinator), on the real clock, with a resolver that answers on the next turn of the
 * loop as `dns.lookup` does. Target: no block longer than ~10 ms.
 */
export async function benchMetadata(): Promise<BlockRow> {
  const answer = rows()
  const source: MetadataSource = {
    name: 'bench',
    connect: async () => ({
      readStatus: async () => ({ kind: 'rows', rows: answer }),
      isOpen: () => true,
      close: async () => undefined,
    }),
  }
  let n = 0
  const coordinator = new Coordinator({
    options: resolveOptions(
      { bgdId: 'bench-metadata', bgIncreasedMs: 60_000, bgBaselineMs: 60_000 },
      () => undefined,
    ),
    source,
    initialHost: { host: `mydb.${DOMAIN}`, port: 5432 },
    resolver: {
      resolve: () =>
        new Promise((resolve) =>
          setImmediate(() => resolve(`10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n++ & 255}`)),
        ),
    },
    clock: systemClock,
    logger: silentLogger,
  })
  const histogram = monitorEventLoopDelay({ resolution: 1 })
  const started = performance.now()
  histogram.enable()
  const done = new Promise<void>((resolve) => {
    coordinator.subscribe((snapshot) => {
      if (snapshot.ipByHost.size >= HOSTS) resolve()
    })
  })
  coordinator.start()
  await done
  const elapsedMs = performance.now() - started
  // The last reducer step publishes the snapshot that resolves `done`: let the histogram sample the block it
  // caused (disabling at once would hide the last, and largest, block).
  await new Promise((resolve) => setTimeout(resolve, 20))
  histogram.disable()
  await coordinator.close()
  return {
    name: 'metadata-10k-hosts',
    maxBlockMs: Math.round((histogram.max / 1e6) * 10) / 10,
    elapsedMs: Math.round(elapsedMs),
    hosts: HOSTS,
  }
}
