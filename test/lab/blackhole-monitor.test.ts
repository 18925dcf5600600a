import { describe, expect, it } from 'vitest'
import { runScenario } from './scenario.js'

/**
 * Issue 11 item 7: with block mode blackhole the servers accept connections during the cut and never answer. A
 * monitor reconnecting into that must give up in a few hundred ms (its connect timeout is 4 × bgHighMs during a
 * switchover), so POST is seen on time and no late reconnect reaches green names or the old blue after COMPLETED.
 */
describe('monitors under a blackholed switchover (default preset)', () => {
  for (const [engine, client] of [
    ['pg', 'pg'],
    ['mysql', 'mysql2'],
  ] as const) {
    it(`${client}: worker gap ≤ IN_PROGRESS window + 1 s, nothing looked up or dialed late`, async () => {
      const r = await runScenario({ engine, client, preset: 'default', blockMode: 'blackhole', workers: 8 })
      const at = new Map(r.phases.map((p) => [p.event, p.offsetMs]))
      const window = (at.get('POST') ?? 0) - (at.get('IN_PROGRESS') ?? 0)
      const figures = {
        client,
        window,
        maxWorkerGapMs: r.maxWorkerGapMs,
        maxOpMs: r.maxOpMs,
        greenLookupsAfterCompleted: r.greenLookupsAfterCompleted,
        oldBlueConnectsAfterCompleted: r.oldBlueConnectsAfterCompleted,
        lostWrites: r.lostWrites,
        errorsByCode: r.errorsByCode,
      }
      console.log(`blackhole ${JSON.stringify(figures)}`)
      expect(r.lostWrites).toBe(0)
      expect(r.maxWorkerGapMs).toBeLessThanOrEqual(window + 1_000)
      expect(r.greenLookupsAfterCompleted).toBe(0)
      expect(r.oldBlueConnectsAfterCompleted).toBe(0)
    })
  }
})
