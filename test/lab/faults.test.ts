import { describe, expect, it } from 'vitest'
import { LabError } from './errors.js'
import { appendixATrace } from './presets.js'
import { runScenario } from './scenario.js'
import { startLab } from './start-lab.js'

describe('fault variants (pg, fast preset)', () => {
  it('block mode refuse: new connections get ECONNREFUSED during the cut, nothing lost', async () => {
    const r = await runScenario({
      engine: 'pg',
      preset: 'fast',
      blockMode: 'refuse',
      beforeMs: 500,
      afterMs: 500,
    })
    expect(r.errorsByCode['ECONNREFUSED'] ?? 0).toBeGreaterThan(0)
    expect(r.lostWrites).toBe(0)
  })

  it('block mode blackhole: connects time out, nothing lost', async () => {
    const r = await runScenario({
      engine: 'pg',
      preset: 'fast',
      blockMode: 'blackhole',
      connectTimeoutMs: 300,
      beforeMs: 500,
      afterMs: 500,
    })
    expect(r.errorsByCode['CONNECT_TIMEOUT'] ?? 0).toBeGreaterThan(0)
    expect(r.lostWrites).toBe(0)
  })

  it('DNS down in POST: lookups fail with EAI_AGAIN', async () => {
    // A connect timeout longer than the resolver's 1 s, so the lookup failure is what the client reports.
    const r = await runScenario({
      engine: 'pg',
      preset: 'fast',
      dnsDownMs: 1500,
      connectTimeoutMs: 3000,
      beforeMs: 500,
      afterMs: 1500,
    })
    expect(r.errorsByCode['EAI_AGAIN'] ?? 0, JSON.stringify(r.errorsByCode)).toBeGreaterThan(0)
    expect(r.lostWrites).toBe(0)
  })

  it('green never ready: the PREPARATION guardrail fails and the switchover rolls back', async () => {
    const lab = await startLab({ engine: 'pg' })
    try {
      const r = await lab.switchover({ preset: 'fast', greenNeverReady: true })
      expect(r.outcome).toBe('rolled-back')
      const names = lab.events().map((e) => e.event)
      expect(names).toContain('guardrail failed')
      expect(names).not.toContain('IN_PROGRESS')
      expect((await lab.sql('blue', 'SELECT status FROM rds_tools.lab_topology'))[0]).toEqual({
        status: 'AVAILABLE',
      })
    } finally {
      await lab.stop()
    }
  })

  it('lab.rollback() in PREPARATION rolls back; after POST it is refused', async () => {
    const lab = await startLab({ engine: 'mysql' })
    try {
      const running = lab.switchover({ preset: 'fast' })
      lab.rollback()
      expect((await running).outcome).toBe('rolled-back')
    } finally {
      await lab.stop()
    }
    const lab2 = await startLab({ engine: 'mysql' })
    try {
      await lab2.switchover({ preset: 'fast' })
      expect(() => lab2.rollback()).toThrow(LabError)
    } finally {
      await lab2.stop()
    }
  })

  it('replays a recorded timeline with a time scale', async () => {
    const lab = await startLab({ engine: 'pg' })
    try {
      const r = await lab.switchover({ replay: { events: appendixATrace(), timeScale: 0.03 } })
      expect(r.outcome).toBe('completed')
      const ip = lab.events().find((e) => e.event === 'IN_PROGRESS')?.t ?? NaN
      const offset = (name: string): number => (lab.events().find((e) => e.event === name)?.t ?? NaN) - ip
      // Appendix A ×0.03: Blue DNS updated at 383 ms, COMPLETED at 2658 ms after IN_PROGRESS.
      expect(offset('Blue DNS updated')).toBeGreaterThan(330)
      expect(offset('Blue DNS updated')).toBeLessThan(600)
      expect(offset('COMPLETED')).toBeGreaterThan(2600)
      expect(offset('COMPLETED')).toBeLessThan(2950)
    } finally {
      await lab.stop()
    }
  })

  it('no visible IN_PROGRESS window (inProgressVisibleMs 0) still switches over safely', async () => {
    const r = await runScenario({
      engine: 'pg',
      preset: 'fast',
      timeline: { inProgressVisibleMs: 0 },
      beforeMs: 500,
      afterMs: 500,
    })
    expect(r.outcome).toBe('completed')
    expect(r.lostWrites).toBe(0)
    const ip = r.events.find((e) => e.event === 'IN_PROGRESS')?.t ?? NaN
    const blocked = r.events.find((e) => e.event === 'connections blocked')?.t ?? NaN
    expect(blocked - ip).toBeLessThan(50)
  })
})
