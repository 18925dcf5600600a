import { channel } from 'node:diagnostics_channel'
import { afterEach, describe, expect, it } from 'vitest'
import {
  CHANNELS,
  publishEvict,
  publishHoldEnd,
  publishHoldStart,
  publishReject,
  publishSubstitute,
} from '../../core/channels.js'
import { resolveOptions } from '../../core/options.js'
import { acquireDeployment } from '../../core/registry.js'
import type { DeploymentHandle } from '../../core/registry.js'
import { registerBlueGreenMetrics } from '../../integrations/otel/index.js'
import { MemoryLogger } from '../helpers/deployment.js'
import { FakeClock } from '../helpers/fake-clock.js'
import { BLUE, rdsInstanceWorld } from '../helpers/fake-metadata.js'
import { metricsHarness } from '../helpers/otel.js'

const BG = { bgdId: 'otel-unit', dbSystem: 'postgresql' } as const
const HOST = 'mydb.c9akciq32.us-east-1.rds.amazonaws.com'
let running: DeploymentHandle | undefined
afterEach(async () => {
  await running?.release()
  running = undefined
})

describe('registerBlueGreenMetrics (SDK in-memory exporter)', () => {
  it('subscribes nothing until registered, and nothing after dispose', () => {
    const names = [CHANNELS.holdStart, CHANNELS.holdEnd, CHANNELS.substitute, CHANNELS.reject, CHANNELS.evict]
    expect(names.some((name) => channel(name).hasSubscribers)).toBe(false)
    const otel = metricsHarness()
    const dispose = registerBlueGreenMetrics(otel.provider)
    expect(names.every((name) => channel(name).hasSubscribers)).toBe(true)
    dispose()
    dispose() // idempotent
    expect(names.some((name) => channel(name).hasSubscribers)).toBe(false)
  })

  it('counts holds by kind and outcome, records their durations, and counts substitutions, rejections, evictions', async () => {
    const otel = metricsHarness()
    const dispose = registerBlueGreenMetrics(otel.provider)
    try {
      for (const [kind, outcome, durationMs] of [
        ['connect', 'released', 120],
        ['connect', 'released', 80],
        ['execute', 'timeout', 30_000],
      ] as const) {
        publishHoldStart({ ...BG, kind, host: HOST, phase: 'IN_PROGRESS' })
        publishHoldEnd({ ...BG, kind, host: HOST, phase: 'POST', durationMs, outcome })
      }
      publishHoldStart({ ...BG, kind: 'execute', host: HOST, phase: 'IN_PROGRESS' }) // still held
      publishSubstitute({ ...BG, host: HOST, address: '10.0.0.2', port: 5432, via: 'green', phase: 'POST' })
      publishReject({ ...BG, host: HOST, phase: 'POST' })
      publishEvict({ ...BG, host: HOST, phase: 'COMPLETED', reason: 'read-only' })
      const last = (await otel.flush()).at(-1)
      if (last === undefined) throw new Error('no export')
      const holds = otel.points(last, 'rds_bluegreen.holds')
      const connect = holds.find((p) => p.attributes['rds_bluegreen.hold.kind'] === 'connect')
      expect(connect).toMatchObject({
        value: 2,
        attributes: {
          'rds_bluegreen.bgd_id': 'otel-unit',
          'db.system.name': 'postgresql',
          'server.address': HOST,
          'rds_bluegreen.hold.outcome': 'released',
        },
      })
      expect(holds.find((p) => p.attributes['rds_bluegreen.hold.outcome'] === 'timeout')?.value).toBe(1)
      const durations = otel.points(last, 'rds_bluegreen.hold.duration')
      expect(
        durations.find((p) => p.attributes['rds_bluegreen.hold.kind'] === 'connect')?.value,
      ).toMatchObject({
        count: 2,
        sum: 200,
      })
      const active = otel.points(last, 'rds_bluegreen.holds.active')
      expect(active.find((p) => p.attributes['rds_bluegreen.hold.kind'] === 'execute')?.value).toBe(1)
      expect(otel.points(last, 'rds_bluegreen.substitutions')[0]).toMatchObject({
        value: 1,
        attributes: { 'network.peer.address': '10.0.0.2', 'rds_bluegreen.phase': 'POST' },
      })
      expect(otel.points(last, 'rds_bluegreen.rejections')[0]?.value).toBe(1)
      expect(otel.points(last, 'rds_bluegreen.evictions')[0]).toMatchObject({
        value: 1,
        attributes: { 'rds_bluegreen.evict.reason': 'read-only' },
      })
    } finally {
      dispose()
      await otel.shutdown()
    }
  })

  it('observes the phase and the armed state of every live deployment', async () => {
    const otel = metricsHarness()
    const dispose = registerBlueGreenMetrics(otel.provider)
    try {
      // Through the registry, as every integration acquires its deployment.
      const world = rdsInstanceWorld()
      const clock = new FakeClock()
      running = acquireDeployment({
        options: resolveOptions({ bgdId: 'otel-gauge' }, () => undefined),
        source: world,
        resolver: world,
        clock,
        logger: new MemoryLogger(),
        initialHost: { host: BLUE, port: 5432 },
      })
      await clock.advance(3_000)
      const last = (await otel.flush()).at(-1)
      if (last === undefined) throw new Error('no export')
      const ours = (name: string) =>
        otel.points(last, name).find((p) => p.attributes['rds_bluegreen.bgd_id'] === 'otel-gauge')
      expect(ours('rds_bluegreen.phase')?.value).toBe(1) // CREATED
      expect(ours('rds_bluegreen.armed')).toMatchObject({
        value: 1,
        attributes: { 'rds_bluegreen.armed.code': 'armed' },
      })
    } finally {
      dispose()
      await otel.shutdown()
    }
  })
})
