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

    // Profiles where the library can see the switchover are held to the same figures as the standard one.
    const seen = METADATA_PROFILES.filter(
      (p: MetadataProfile) =>
        !['standard', 'permission-denied'].includes(p) && !(engine === 'mysql' && p === 'aurora-pg-deleted'),
    )
    for (const profile of seen) {
      it(`fast preset, metadata profile ${profile}`, async () => {
        // late-metadata: the metadata appears before the switchover (as on RDS, hours before), after the start.
        const lab = profile === 'late-metadata' ? { metadataAfterMs: 300 } : {}
        expectClean(await runScenario({ engine, client, preset: 'fast', workers: 16, profile, lab }))
      })
    }

    // Issue 12 item 3: rows first readable during IN_PROGRESS, before the cut (green not yet renamed): from there
    // the library protects as if it had seen them all along (blue held, then sent to green's own address).
    it('default preset, metadata first visible during IN_PROGRESS: protected from there', async () => {
      const late = {
        profile: 'late-metadata' as const,
        lab: { metadataAfterMs: null },
        metadataVisibleAt: { phase: 'IN_PROGRESS' as const, afterMs: 200 },
      }
      expectClean(await runScenario({ engine, client, preset: 'default', workers: 16, ...late }))
    })

    // First readable after the rename: no green address can be known, blue names go where DNS points; the
    // stale answers may reach the old blue (read-only errors, issue 12 item 1), but nothing is lost and nothing
    // fails once the switchover is over.
    it('default preset, metadata first visible after the rename: nothing lost, nothing fails after COMPLETED', async () => {
      const r = await runScenario({
        engine,
        client,
        preset: 'default',
        workers: 16,
        profile: 'late-metadata',
        lab: { metadataAfterMs: null },
        metadataVisibleAt: { phase: 'POST', afterMs: 300 },
      })
      console.log(
        JSON.stringify({ client, late: 'POST+300', failedOps: r.failedOps, errors: r.errorsByCode }),
      )
      expect(r.lostWrites).toBe(0)
      expect(r.oldBlueWritesAfterCut).toBe(0)
      expect(r.failedAfterCompleted).toBe(0)
      expect(r.unresolvedOps).toBe(0)
    })

    it('fast preset, metadata not readable (permission denied): falls back to the plain driver, loses nothing', async () => {
      const r = await runScenario({
        engine,
        client,
        preset: 'fast',
        workers: 16,
        profile: 'permission-denied',
      })
      console.log(
        JSON.stringify({
          client,
          profile: 'permission-denied',
          failedOps: r.failedOps,
          errorsByCode: r.errorsByCode,
        }),
      )
      expect(r.lostWrites).toBe(0)
      expect(r.oldBlueWritesAfterCut).toBe(0)
      // Nothing of the library's own: no holds, no rejections; what fails is what fails for the plain driver.
      for (const code of ['SWITCHOVER_TIMEOUT', 'GREEN_REJECTED', 'CORRESPONDING_HOST_NOT_FOUND']) {
        expect(r.errorsByCode[code] ?? 0).toBe(0)
      }
    })

    it('rollback in IN_PROGRESS loses nothing', async () => {
      const r = await runScenario({ engine, client, preset: 'fast', workers: 16, rollbackAt: 'IN_PROGRESS' })
      expect(r.outcome).toBe('rolled-back')
      expect(r.lostWrites).toBe(0)
    })
  })
}
