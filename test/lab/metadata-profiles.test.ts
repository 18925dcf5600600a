import pg from 'pg'
import { describe, expect, it } from 'vitest'
import type { LabEngineName, LabSide } from './address-plan.js'
import { sleep } from './clock.js'
import type { MetadataProfile } from './metadata.js'
import type { LabTopology } from './names.js'
import { startMetadataPoller, statusSequence, type MetadataSample } from './poller.js'
import { startLab, type Lab } from './start-lab.js'

interface ProfileRun {
  readonly samples: Record<LabSide, readonly MetadataSample[]>
  readonly lab: Lab
}

/** Polls both sides (50 ms) through a fast switchover plus `tailMs`; `check` runs before the lab stops. */
async function withProfile(
  engine: LabEngineName,
  profile: MetadataProfile,
  check: (run: ProfileRun) => Promise<void> | void,
  opts: {
    topology?: LabTopology
    switchover?: boolean
    tailMs?: number
    metadataAfterMs?: number | null
    visibleAt?: { readonly phase: 'IN_PROGRESS' | 'POST'; readonly afterMs: number }
  } = {},
): Promise<void> {
  const lab = await startLab({
    engine,
    profile,
    ...(opts.topology === undefined ? {} : { topology: opts.topology }),
    ...(opts.metadataAfterMs === undefined ? {} : { metadataAfterMs: opts.metadataAfterMs }),
  })
  try {
    const blue = startMetadataPoller(lab, 'blue', 50)
    const green = startMetadataPoller(lab, 'green', 50)
    while (blue.samples().length === 0 || green.samples().length === 0) await sleep(10)
    if (opts.switchover !== false) {
      await lab.switchover({
        preset: 'fast',
        timeline: { emptyAfterMs: 300, teardownAfterMs: 300 },
        ...(opts.visibleAt === undefined ? {} : { metadataVisibleAt: opts.visibleAt }),
      })
    }
    await sleep(opts.tailMs ?? 600)
    const samples = { blue: await blue.stop(), green: await green.stop() }
    await check({ samples, lab })
  } finally {
    await lab.stop()
  }
}

/** Statuses in order, with errors (the cut, reconnects) left out. */
const statuses = (s: readonly MetadataSample[]): string[] =>
  statusSequence(s)
    .filter((x) => !x.startsWith('ERROR'))
    .filter((x, i, all) => i === 0 || all[i - 1] !== x)

const FULL = [
  'AVAILABLE',
  'SWITCHOVER_INITIATED',
  'SWITCHOVER_IN_PROGRESS',
  'SWITCHOVER_IN_POST_PROCESSING',
  'SWITCHOVER_COMPLETED',
]

async function appQuery(lab: Lab, side: LabSide, sql: string): Promise<Record<string, unknown>[]> {
  const c = new pg.Client({ host: lab.ips.public[side], port: lab.port, ...lab.app })
  c.on('error', () => undefined)
  await c.connect()
  try {
    return (await c.query(sql)).rows as Record<string, unknown>[]
  } finally {
    await c.end()
  }
}

describe('metadata profiles, as a plain SQL client (the app user) sees them', () => {
  it('standard (pg): every status on both sides, then renamed rows', async () => {
    await withProfile('pg', 'standard', ({ samples, lab }) => {
      expect(statuses(samples.blue)).toEqual(FULL)
      expect(statuses(samples.green)).toEqual(FULL)
      const last = samples.green.at(-1)?.rows ?? []
      expect(last.find((r) => r.role === 'BLUE_GREEN_DEPLOYMENT_TARGET')?.endpoint).toBe(
        lab.names.blue.writer,
      )
      expect(last.find((r) => r.role === 'BLUE_GREEN_DEPLOYMENT_SOURCE')?.endpoint).toBe(lab.names.old.writer)
    })
  })

  it('mysql-trace: SOURCE row gone at COMPLETED, table empty emptyAfterMs later', async () => {
    await withProfile('mysql', 'mysql-trace', ({ samples }) => {
      for (const side of ['blue', 'green'] as const) {
        expect(statuses(samples[side])).toEqual([...FULL, 'EMPTY'])
        const completed = samples[side].filter((s) => s.rows[0]?.status === 'SWITCHOVER_COMPLETED')
        expect(completed.length).toBeGreaterThan(0)
        expect(
          completed.every((s) => s.rows.length === 1 && s.rows[0]?.role === 'BLUE_GREEN_DEPLOYMENT_TARGET'),
        ).toBe(true)
      }
    })
  })

  it('rds-pg-frozen: the old blue stays at IN_PROGRESS, the new writer loses its metadata', async () => {
    await withProfile('pg', 'rds-pg-frozen', ({ samples }) => {
      expect(statuses(samples.blue)).toEqual(FULL.slice(0, 3))
      expect(statuses(samples.green)).toEqual([...FULL.slice(0, 3), 'EMPTY'])
    })
  })

  it('aurora-pg-deleted: after teardown the function raises AWS error text; aurora_replica_status works', async () => {
    await withProfile(
      'pg',
      'aurora-pg-deleted',
      async ({ samples, lab }) => {
        expect(statuses(samples.blue)).toEqual(FULL)
        expect(statusSequence(samples.green).at(-1)).toBe('ERROR:P0001')
        await expect(
          appQuery(lab, 'green', "SELECT * FROM pg_catalog.get_blue_green_fast_switchover_metadata('x')"),
        ).rejects.toThrow('An error occured while retrieving the blue/green fast switchover metadata')
        const topo = await appQuery(
          lab,
          'green',
          `SELECT server_id, CASE WHEN session_id = 'MASTER_SESSION_ID' THEN TRUE ELSE FALSE END AS is_writer,
             cpu, COALESCE(replica_lag_in_msec, 0) AS lag, last_update_timestamp
           FROM pg_catalog.aurora_replica_status()
           WHERE EXTRACT(EPOCH FROM (now() - last_update_timestamp)) <= 300 OR session_id = 'MASTER_SESSION_ID'`,
        )
        expect(topo).toMatchObject([{ server_id: 'mydb-instance-1', is_writer: true }])
        const endpoints = samples.blue[0]?.rows.map((r) => r.endpoint) ?? []
        expect(endpoints).toEqual(
          expect.arrayContaining([lab.names.blue.writer, lab.names.blue.reader, lab.names.green.instance]),
        )
      },
      { topology: 'aurora' },
    )
  })

  it('late-metadata: no rows, then AVAILABLE after metadataAfterMs', async () => {
    await withProfile(
      'pg',
      'late-metadata',
      ({ samples }) => {
        expect(statuses(samples.blue)).toEqual(['EMPTY', 'AVAILABLE'])
      },
      { switchover: false, metadataAfterMs: 300, tailMs: 700 },
    )
  })

  for (const phase of ['IN_PROGRESS', 'POST'] as const) {
    it(`late-metadata first visible during ${phase} (metadataVisibleAt)`, async () => {
      const first = phase === 'IN_PROGRESS' ? 'SWITCHOVER_IN_PROGRESS' : 'SWITCHOVER_IN_POST_PROCESSING'
      await withProfile(
        'pg',
        'late-metadata',
        ({ samples, lab }) => {
          expect(statuses(samples.blue).slice(0, 2)).toEqual(['EMPTY', first])
          expect(lab.events().some((e) => e.event === 'metadata visible')).toBe(true)
        },
        { metadataAfterMs: null, visibleAt: { phase, afterMs: 100 } },
      )
    })
  }

  it('late-metadata that never appears: NOT_CREATED throughout a switchover', async () => {
    await withProfile(
      'mysql',
      'late-metadata',
      ({ samples }) => {
        expect(statuses(samples.blue)).toEqual(['EMPTY'])
      },
      { metadataAfterMs: null, tailMs: 200 },
    )
  })

  for (const engine of ['pg', 'mysql'] as const) {
    it(`permission-denied (${engine}): the app user cannot read the metadata`, async () => {
      await withProfile(
        engine,
        'permission-denied',
        ({ samples }) => {
          const codes = new Set(samples.blue.map((s) => s.error))
          expect(codes).toEqual(new Set([engine === 'pg' ? '42501' : 'ER_TABLEACCESS_DENIED_ERROR']))
        },
        { switchover: false, tailMs: 300 },
      )
    })
  }
})
