import { describe, expect, it } from 'vitest'
import type { MetadataProfile } from './metadata.js'
import { METADATA_PROFILES } from './metadata.js'
import type { ScenarioResult } from './scenario.js'
import { runScenario } from './scenario.js'

/** The figures the routed drivers promise, whatever the preset or metadata profile. */
function expectClean(r: ScenarioResult): void {
  const summary = {
    client: r.client,
    preset: r.preset,
    profile: r.profile,
    topology: r.topology,
    outcome: r.outcome,
    ops: r.ops,
    failedOps: r.failedOps,
    failedAfterCompleted: r.failedAfterCompleted,
    lostWrites: r.lostWrites,
    oldBlueWritesAfterCut: r.oldBlueWritesAfterCut,
    errorsByCode: r.errorsByCode,
    maxOpMs: r.maxOpMs,
    phases: r.phases,
  }
  console.log(JSON.stringify(summary))
  expect(r.lostWrites).toBe(0)
  expect(r.oldBlueWritesAfterCut).toBe(0)
  expect(r.failedAfterCompleted).toBe(0)
  for (const code of ['25006', '1290', '1836', 'ER_OPTION_PREVENTS_STATEMENT', 'ER_READ_ONLY_MODE']) {
    expect(r.errorsByCode[code] ?? 0).toBe(0)
  }
  const offsets = new Map(r.phases.map((p) => [p.event, p.offsetMs]))
  const inProgress = offsets.get('IN_PROGRESS')
  const post = offsets.get('POST')
  if (inProgress !== undefined && post !== undefined)
    expect(r.maxOpMs).toBeLessThanOrEqual(post - inProgress + 1000)
}

const engines = [
  { engine: 'pg', client: 'pg' },
  { engine: 'mysql', client: 'mysql2' },
] as const

for (const { engine, client } of engines) {
  describe(`routed ${client} through a switchover (16 workers)`, () => {
    for (const preset of ['fast', 'default'] as const) {
      it(`${preset} preset, RDS instance, standard metadata`, async () => {
        expectClean(await runScenario({ engine, client, preset, workers: 16 }))
      })
    }

    it('fast preset, Aurora', async () => {
      expectClean(await runScenario({ engine, client, preset: 'fast', workers: 16, topology: 'aurora' }))
    })

    for (const profile of METADATA_PROFILES.filter((p: MetadataProfile) => p !== 'standard')) {
      it(`fast preset, metadata profile ${profile}`, async () => {
        const r = await runScenario({ engine, client, preset: 'fast', workers: 16, profile })
        expect(r.lostWrites).toBe(0)
        expect(r.failedAfterCompleted).toBe(0)
        console.log(JSON.stringify({ client, profile, failedOps: r.failedOps, errorsByCode: r.errorsByCode }))
      })
    }

    it('rollback in IN_PROGRESS loses nothing', async () => {
      const r = await runScenario({ engine, client, preset: 'fast', workers: 16, rollbackAt: 'IN_PROGRESS' })
      expect(r.outcome).toBe('rolled-back')
      expect(r.lostWrites).toBe(0)
    })
  })
}
