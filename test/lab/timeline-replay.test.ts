import { describe, expect, it } from 'vitest'
import type { LabSide } from './address-plan.js'
import { sleep } from './clock.js'
import type { DnsLogEntry } from './dns-server.js'
import { labNames } from './names.js'
import { startMetadataPoller, type MetadataSample } from './poller.js'
import { lateRenameTrace, replayTimeline } from './presets.js'
import { runScenario, type ScenarioResult } from './scenario.js'
import type { Lab } from './start-lab.js'

// lateRenameTrace(): rename at POST + 10 s, blue DNS at POST + 20 s; × 0.2 → POST + 2 s and POST + 4 s.
const TIME_SCALE = 0.2
const BLUE_WRITER = labNames('rds-instance').blue.writer
const replay = { events: lateRenameTrace(), timeScale: TIME_SCALE, maxLeadInMs: 500 }

interface Probe {
  readonly lookups: { t: number; name: string; ip: string | undefined }[]
  samples: readonly MetadataSample[]
  dnsLog: readonly DnsLogEntry[]
  ips: Readonly<Record<LabSide, string>>
  stop(): Promise<void>
}

/** Looks the green writer name up every 100 ms through the lab DNS and polls green's metadata. */
function probe(lab: Lab, side: LabSide): Probe {
  const poller = startMetadataPoller(lab, side, 50)
  const lookups: Probe['lookups'] = []
  let stopped = false
  const name = lab.names.green.writer
  const loop = (async () => {
    while (!stopped) {
      const t = lab.clock.now()
      const ip = await new Promise<string | undefined>((resolve) =>
        lab.lookup(name, { family: 4 }, (err, address) =>
          resolve(err === null && typeof address === 'string' ? address : undefined),
        ),
      )
      lookups.push({ t, name, ip })
      await sleep(100)
    }
  })()
  const out: Probe = {
    lookups,
    samples: [],
    dnsLog: [],
    ips: lab.ips.public,
    async stop() {
      stopped = true
      await loop
      out.samples = await poller.stop()
      out.dnsLog = lab.dnsLog()
    },
  }
  return out
}

async function run(client: string): Promise<{ r: ScenarioResult; p: Probe }> {
  let p: Probe | undefined
  const r = await runScenario({
    engine: 'pg',
    client,
    workers: 4,
    replay,
    beforeMs: 800,
    afterMs: 500,
    onLab: (lab) => {
      p = probe(lab, 'green')
    },
    onFinish: async () => p?.stop(),
  })
  if (p === undefined) throw new Error('probe never started')
  return { r, p }
}

const t = (r: ScenarioResult, event: string): number => {
  const e = r.events.find((x) => x.event === event)
  if (e === undefined) throw new Error(`no ${event} in ${r.events.map((x) => x.event).join(', ')}`)
  return e.t
}

describe('replay of a recorded timeline with the rename after POST', () => {
  it('turns the recorded events into offsets (rename, lead-in capped)', () => {
    const tl = replayTimeline(lateRenameTrace(), { timeScale: TIME_SCALE, maxLeadInMs: 500 })
    expect(tl).toMatchObject({ greenRenamedAtMs: 2000, blueDnsAtMs: 4000, createdLeadInMs: 500 })
    expect(replayTimeline(lateRenameTrace(), TIME_SCALE).createdLeadInMs).toBe(2000) // default cap
    const early = lateRenameTrace().map((e) =>
      e.event === 'Green topology changed' ? { ...e, offsetMs: 1000 } : e,
    )
    expect(replayTimeline(early).greenRenamedAtMs).toBeUndefined() // before POST: at the cut
  })

  it('green names serve until the rename; the library substitutes blue names for the whole window', async () => {
    const { r, p } = await run('pg')
    const post = t(r, 'POST')
    const renamed = t(r, 'green topology changed')
    const blueDns = t(r, 'Blue DNS updated')
    expect(renamed - post).toBeGreaterThan(1800)
    expect(blueDns - renamed).toBeGreaterThan(1800)
    expect(t(r, 'CREATED')).toBeLessThan(t(r, 'PREPARATION'))

    // The lab's own logs: green metadata still lists the green names in POST, and they resolve to green.
    const before = p.samples.filter((s) => s.t > post + 100 && s.t < renamed - 100 && s.rows.length > 0)
    expect(before.length).toBeGreaterThan(10)
    for (const s of before) {
      const target = s.rows.find((row) => row.role === 'BLUE_GREEN_DEPLOYMENT_TARGET')
      expect(target?.endpoint).toContain('-green-')
      expect(target?.status).toBe('SWITCHOVER_IN_POST_PROCESSING')
    }
    const after = p.samples.filter((s) => s.t > renamed + 150 && s.rows.length > 0)
    expect(after.length).toBeGreaterThan(0)
    expect(after.every((s) => !s.rows.some((row) => row.endpoint.includes('-green-')))).toBe(true)
    const window = p.lookups.filter((l) => l.t >= post && l.t < renamed)
    expect(window.length).toBeGreaterThan(10)
    expect(new Set(window.map((l) => l.ip))).toEqual(new Set([p.ips.green]))

    // Plain DNS still sends the blue name to the (fenced) old blue until "Blue DNS updated" ...
    const blueAnswers = p.dnsLog.filter(
      (d) => d.type === 'A' && d.name === BLUE_WRITER && d.t >= post && d.t < blueDns,
    )
    expect(blueAnswers.every((d) => d.answer === p.ips.blue)).toBe(true)
    // ... yet every op the library ran in the window was served by green, none failed.
    const ops = r.opLog.filter((o) => o.t0 >= post + 200 && o.t1 < blueDns)
    console.log(
      `timeline window ${JSON.stringify({ ops: ops.length, blueAnswers: blueAnswers.length, failed: r.failedOps, codes: r.errorsByCode })}`,
    )
    expect(ops.length).toBeGreaterThan(50)
    expect(ops.filter((o) => !o.ok)).toEqual([])
    expect(new Set(ops.map((o) => o.instance))).toEqual(new Set(['green']))
    expect(r.lostWrites).toBe(0)
    expect(r.readOnlyErrors).toBe(0)
    expect(r.failedAfterCompleted).toBe(0)
  })

  it('control: the plain driver meets the fenced old blue in the same window', async () => {
    const { r } = await run('plain-pg')
    const post = t(r, 'POST')
    const blueDns = t(r, 'Blue DNS updated')
    const inWindow = r.opLog.filter((o) => o.t0 >= post && o.t1 < blueDns)
    expect(inWindow.filter((o) => o.code === '25006').length).toBeGreaterThan(10)
    expect(inWindow.filter((o) => o.ok && o.instance === 'green').length).toBe(0)
  })
})
