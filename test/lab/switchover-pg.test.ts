import { describe, expect, it } from 'vitest'
import { startMetadataPoller, statusSequence, type MetadataSample } from './poller.js'
import { runScenario } from './scenario.js'

type Poller = ReturnType<typeof startMetadataPoller>

describe('PostgreSQL switchover with the plain pg client', () => {
  it('default preset, fenced: no lost writes, read-only errors from stale DNS, IN_PROGRESS seen by a 100 ms poller', async () => {
    const pollers: Poller[] = []
    let samples: (readonly MetadataSample[])[] = []
    const r = await runScenario({
      engine: 'pg',
      preset: 'default',
      client: 'plain-pg',
      onLab: (lab) => {
        pollers.push(startMetadataPoller(lab, 'blue', 100), startMetadataPoller(lab, 'green', 100))
      },
      onFinish: async () => {
        samples = await Promise.all(pollers.map((p) => p.stop()))
      },
    })
    const [blue, green] = samples
    expect(r.outcome).toBe('completed')
    expect(r.lostWrites).toBe(0)
    expect(r.oldBlueWritesAfterCut).toBe(0)
    expect(r.doubleApplied).toBe(0)
    expect(r.errorsByCode['25006'] ?? 0).toBeGreaterThan(10)
    expect(r.ackedByInstance['green'] ?? 0).toBeGreaterThan(0)
    expect(r.failedAfterCompleted).toBe(0)
    for (const samples of [blue ?? [], green ?? []]) {
      const seq = statusSequence(samples)
      expect(seq).toContain('SWITCHOVER_IN_PROGRESS')
      expect(seq.indexOf('SWITCHOVER_INITIATED')).toBeLessThan(seq.indexOf('SWITCHOVER_IN_PROGRESS'))
      expect(seq.at(-1)).toBe('SWITCHOVER_COMPLETED')
    }
    expect(r.phases.map((p) => p.event)).toEqual([
      'CREATED',
      'PREPARATION',
      'IN_PROGRESS',
      'POST',
      'Blue DNS updated',
      'Green DNS removed',
      'COMPLETED',
    ])
  })

  it('old blue left writable: the lost-write detector fires', async () => {
    const r = await runScenario({ engine: 'pg', preset: 'fast', client: 'plain-pg', readOnlyOldBlue: false })
    expect(r.lostWrites).toBeGreaterThan(0)
    expect(r.oldBlueWritesAfterCut).toBeGreaterThan(0)
    expect(r.oldBlueConnectsAfterCompleted + r.oldBlueWritesAfterCut).toBeGreaterThan(0)
  })

  it('rollback in IN_PROGRESS returns traffic to blue with nothing lost', async () => {
    const r = await runScenario({
      engine: 'pg',
      preset: 'fast',
      client: 'plain-pg',
      rollbackAt: 'IN_PROGRESS',
    })
    expect(r.outcome).toBe('rolled-back')
    expect(r.lostWrites).toBe(0)
    const rollbackAt = r.events.find((e) => e.event === 'ROLLBACK')?.t ?? Infinity
    const after = r.opLog.filter((o) => o.ok && o.t0 > rollbackAt)
    expect(after.length).toBeGreaterThan(20)
    expect(after.every((o) => o.instance === 'blue')).toBe(true)
    expect(r.ackedByInstance['green'] ?? 0).toBe(0)
  })
})
