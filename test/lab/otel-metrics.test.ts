import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { describe, expect, it } from 'vitest'
import type { HoldEvent } from '../../core/channels.js'
import { CHANNELS } from '../../core/channels.js'
import { registerBlueGreenMetrics } from '../../integrations/otel/index.js'
import { metricsHarness } from '../helpers/otel.js'
import { runScenario } from './scenario.js'

/**
 * The OpenTelemetry metrics through a real switchover (fast preset, the routed pg pool of the lab client 'pg',
 * bgdId 'lab-pg'), read with the SDK's in-memory exporter collecting every 100 ms, as a pipeline would.
 */
describe('rds-bluegreen/otel through a lab switchover', () => {
  it('pg: holds counted equal the hold:start events, every duration recorded, the phase gauge ends at COMPLETED', async () => {
    const otel = metricsHarness(100)
    const unregister = registerBlueGreenMetrics(otel.provider)
    let starts = 0
    const onStart = (message: unknown): void => {
      if ((message as HoldEvent).bgdId === 'lab-pg') starts++
    }
    subscribe(CHANNELS.holdStart, onStart)
    try {
      const result = await runScenario({ engine: 'pg', preset: 'fast', client: 'pg', workers: 8 })
      expect(result.outcome).toBe('completed')
      const exports = await otel.flush()
      const last = exports.at(-1)
      if (last === undefined) throw new Error('nothing exported')
      const ours = <T>(name: string, exported = last): { value: T; attributes: Record<string, unknown> }[] =>
        otel
          .points(exported, name)
          .filter((p) => p.attributes['rds_bluegreen.bgd_id'] === 'lab-pg')
          .map((p) => ({ value: p.value as T, attributes: p.attributes }))
      const holds = ours<number>('rds_bluegreen.holds')
      const counted = holds.reduce((sum, p) => sum + p.value, 0)
      const durations = ours<{ count: number; sum: number }>('rds_bluegreen.hold.duration')
      const phases = exports.flatMap((e) => ours<number>('rds_bluegreen.phase', e).map((p) => p.value))
      const figures = { starts, counted, recorded: durations.reduce((n, p) => n + p.value.count, 0), phases }
      console.log(`otel ${JSON.stringify({ ...figures, phases: [...new Set(phases)] })}`)
      expect(starts).toBeGreaterThan(0)
      expect(counted).toBe(starts)
      expect(figures.recorded).toBe(starts)
      expect(durations.every((p) => p.value.sum > 0)).toBe(true)
      expect(holds.every((p) => p.attributes['db.system.name'] === 'postgresql')).toBe(true)
      expect(ours<number>('rds_bluegreen.holds.active').reduce((sum, p) => sum + p.value, 0)).toBe(0)
      // Sampled every 100 ms: the gauge moves forward through the switchover and ends at COMPLETED (5).
      expect(phases.at(-1)).toBe(5)
      expect(phases).toEqual([...phases].sort((a, b) => a - b))
      expect(new Set(phases).size).toBeGreaterThanOrEqual(3)
      expect(exports.some((e) => ours<number>('rds_bluegreen.armed', e).some((p) => p.value === 1))).toBe(
        true,
      )
    } finally {
      unsubscribe(CHANNELS.holdStart, onStart)
      unregister()
      await otel.shutdown()
    }
  })
})
