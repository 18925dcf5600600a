import { promises as dnsp } from 'node:dns'
import { describe, expect, it } from 'vitest'
import { campaignScenarios, DEFAULT_CLIENTS, resolveClients, summarize } from './campaign/campaign.js'
import { drawScenario, type CampaignScenario } from './campaign/generator.js'
import { runSeed } from './campaign/random.js'
import { runCampaignScenario, type CampaignRun } from './campaign/run-one.js'
import { registerLabClient } from './clients/registry.js'
import plainPg from './clients/plain-pg.js'
import type { LabClient, LabClientTarget } from './clients/types.js'

// The CI seed: 12 runs over every default client and both engines, drawn with `knownOnly` (KNOWN_GAPS in
// campaign/generator.ts: a monitor killed into a blackhole, an unfenced old blue no metadata reveals in time,
// rds-pg-frozen, a DNS outage). The full campaign keeps them.
const CI_SEED = 13
const CI_RUNS = 12

describe('campaign generator', () => {
  it('is deterministic per run seed, and chunks (--from) draw the same runs', async () => {
    const clients = await resolveClients(DEFAULT_CLIENTS, ['pg', 'mysql'])
    const all = campaignScenarios(1, 0, 8, clients, false)
    expect(campaignScenarios(1, 4, 4, clients, false)).toEqual(all.slice(4))
    expect(drawScenario(runSeed(1, 3), { clients })).toEqual(all[3])
    expect(new Set(all.map((s) => s.seed)).size).toBe(8)
    const many = campaignScenarios(7, 0, 200, clients, false)
    // The draws cover what the issue lists.
    for (const key of ['late-metadata', 'permission-denied', 'standard', 'mysql-trace', 'rds-pg-frozen']) {
      expect(many.some((s) => s.profile === key)).toBe(true)
    }
    expect(many.some((s) => s.timeline.inProgressVisibleMs === 0)).toBe(true)
    expect(many.some((s) => s.timeline.greenRenamedAtMs !== undefined)).toBe(true)
    expect(many.some((s) => s.killMonitorAt !== undefined && s.blockMode === 'blackhole')).toBe(true)
    expect(many.some((s) => s.readers === 2)).toBe(true)
    // The CI seed leaves out only the known gaps (KNOWN_GAPS); the metadata gaps issue 12 closed are drawn.
    const known = campaignScenarios(7, 0, 200, clients, true)
    expect(known.some((s) => ['late-metadata', 'permission-denied'].includes(s.profile))).toBe(true)
    expect(known.some((s) => s.timeline.inProgressVisibleMs === 0)).toBe(true)
    expect(known.some((s) => s.killMonitorAt !== undefined && s.blockMode === 'blackhole')).toBe(false)
    expect(known.some((s) => s.profile === 'rds-pg-frozen')).toBe(false)
  })
})

/**
 * A deliberately broken "protected" client: it resolves the blue name once and keeps that address forever (never
 * evicts it), so after the switchover every write meets the fenced old blue.
 */
function stickyClient(target: LabClientTarget, cache: { ip?: string }): LabClient {
  const resolve = async (): Promise<string> => {
    if (cache.ip !== undefined) return cache.ip
    if (target.lookup === undefined) cache.ip = (await dnsp.lookup(target.host, { family: 4 })).address
    else {
      const lookup = target.lookup
      cache.ip = await new Promise<string>((res, rej) =>
        lookup(target.host, { family: 4 }, (err, address) =>
          err === null && typeof address === 'string' ? res(address) : rej(err ?? new Error('no address')),
        ),
      )
    }
    return cache.ip
  }
  let inner: LabClient | undefined
  return {
    async connect() {
      const { lookup: _lookup, ...rest } = target
      inner = plainPg({ ...rest, host: await resolve() })
      return inner.connect()
    },
    write: (name, seq) => (inner ?? plainPg(target)).write(name, seq),
    read: () => (inner ?? plainPg(target)).read(),
    close: async () => inner?.close(),
  }
}

describe('campaign runs', () => {
  it('catches a deliberately broken client (never evicts the old address)', async () => {
    const cache = {} // shared by every connection of the run: the address is never evicted
    registerLabClient('broken-sticky-pg', (t) => stickyClient(t, cache), ['pg'])
    const base = drawScenario(1, { clients: [{ name: 'pg', engines: ['pg'] }], knownOnly: true })
    const scenario: CampaignScenario = {
      ...base,
      client: 'broken-sticky-pg',
      topology: 'rds-instance',
      readers: 0,
      profile: 'standard',
      blockMode: 'hold',
      unfenced: false,
      workers: 4,
      dnsDownMs: 0,
      proxyLatencyMs: 0,
    }
    const { rollbackAt: _r, killMonitorAt: _k, lateMetadataAtMs: _l, ...plain } = scenario
    const run = await runCampaignScenario(plain)
    console.log(`campaign broken-client ${JSON.stringify({ broken: run.broken, figures: run.figures })}`)
    expect(run.protected).toBe(true)
    expect(run.broken.some((b) => b.startsWith('failedAfterCompleted='))).toBe(true)
    expect(summarize([run], 0).violations).toHaveLength(1)
  })

  it(`CI seed ${CI_SEED}: ${CI_RUNS} runs, every protected client keeps every invariant`, async () => {
    const clients = await resolveClients(DEFAULT_CLIENTS, ['pg', 'mysql'])
    const runs: CampaignRun[] = []
    for (const s of campaignScenarios(CI_SEED, 0, CI_RUNS, clients, true)) {
      const run = await runCampaignScenario(s)
      console.log(
        `campaign ci ${run.scenario.client} ${run.broken.length === 0 ? 'pass' : `broken=${run.broken.join(',')}`} ${JSON.stringify(run.figures)}`,
      )
      runs.push(run)
    }
    const summary = summarize(runs, 0)
    expect(summary.runs).toBe(CI_RUNS)
    expect(summary.violations).toEqual([])
    // The plain clients ran in the same campaign and met real faults.
    expect(summary.controls.runs).toBeGreaterThan(0)
    expect(summary.controls.failedOps).toBeGreaterThan(0)
  }, 240_000)
})
