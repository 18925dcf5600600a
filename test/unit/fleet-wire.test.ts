import { describe, expect, it } from 'vitest'
import { BlueGreenConfigError } from '../../core/errors.js'
import { heartbeatMs, staleMs } from '../../core/fleet/timing.js'
import { decodeStatus, encodeStatus } from '../../core/fleet/wire.js'
import { DEFAULT_OPTIONS, resolveOptions } from '../../core/options.js'
import { startCoordinator } from '../helpers/deployment.js'
import { BLUE, BLUE_IP, GREEN, rdsInstanceWorld, setPhase } from '../helpers/fake-metadata.js'
import { MemoryRedis } from '../helpers/memory-channel.js'
import { FakeClock } from '../helpers/fake-clock.js'

async function preparationSnapshot() {
  const world = rdsInstanceWorld()
  const { coordinator, clock } = startCoordinator(world, {
    monitoring: { user: 'monitor', password: 'hunter2-secret' },
  })
  await clock.advance(2_050)
  setPhase(world, 'PREPARATION')
  await clock.advance(1_100)
  const snapshot = coordinator.snapshot()
  await coordinator.close()
  return snapshot
}

describe('fleet wire format', () => {
  it('carries what routing needs, round trip, and never a monitoring credential', async () => {
    const snapshot = await preparationSnapshot()
    expect(snapshot.phase).toBe('PREPARATION')
    const payload = encodeStatus(snapshot, 7)
    expect(payload).not.toContain('hunter2')
    expect(payload).not.toContain('monitor')
    const status = decodeStatus(payload, snapshot.bgdId)
    expect(status).toMatchObject({ epoch: 7, sequence: snapshot.sequence, phase: 'PREPARATION' })
    expect(status?.connectRoutes).toEqual(snapshot.connectRoutes)
    expect(status?.executeRoutes).toEqual(snapshot.executeRoutes)
    expect(status?.ipByHost).toEqual(snapshot.ipByHost)
    expect(status?.roleByHost).toEqual(snapshot.roleByHost)
    expect(status?.correspondingHosts.get(BLUE)).toEqual({ blue: BLUE, green: GREEN })
    expect(status?.armed).toEqual(snapshot.armed)
    expect(status?.ipByHost.get(BLUE)).toBe(BLUE_IP)
  })

  it.each([
    ['another deployment', (p: Record<string, unknown>) => ({ ...p, bgdId: 'other' })],
    ['another format version', (p: Record<string, unknown>) => ({ ...p, v: 2 })],
    ['an unknown phase', (p: Record<string, unknown>) => ({ ...p, phase: 'SWITCHING' })],
    ['a negative epoch', (p: Record<string, unknown>) => ({ ...p, epoch: -1 })],
    ['an unknown role', (p: Record<string, unknown>) => ({ ...p, roleByHost: [[BLUE, 'PRIMARY']] })],
    [
      'an unknown decision',
      (p: Record<string, unknown>) => ({ ...p, connectRoutes: [{ match: {}, decision: { kind: 'proxy' } }] }),
    ],
    [
      'a port out of range',
      (p: Record<string, unknown>) => ({
        ...p,
        connectRoutes: [
          { match: {}, decision: { kind: 'substitute', address: 'x', port: 70_000, via: 'y' } },
        ],
      }),
    ],
  ])('drops a payload with %s', async (_name, change) => {
    const snapshot = await preparationSnapshot()
    const raw = JSON.parse(encodeStatus(snapshot, 1)) as Record<string, unknown>
    expect(decodeStatus(JSON.stringify(raw), snapshot.bgdId)).toBeDefined()
    expect(decodeStatus(JSON.stringify(change(raw)), snapshot.bgdId)).toBeUndefined()
  })
})

describe('fleet timing', () => {
  it('staleness: 3 × the polling interval of the phase, at least 500 ms during a switchover', () => {
    expect(staleMs(DEFAULT_OPTIONS, 'NOT_CREATED')).toBe(180_000)
    expect(staleMs(DEFAULT_OPTIONS, 'CREATED')).toBe(3_000)
    expect(staleMs(DEFAULT_OPTIONS, 'IN_PROGRESS')).toBe(500)
    expect(staleMs({ ...DEFAULT_OPTIONS, highMs: 400 }, 'POST')).toBe(1_200)
    expect(staleMs({ ...DEFAULT_OPTIONS, channelStaleMs: 800 }, 'NOT_CREATED')).toBe(800)
    expect(heartbeatMs(DEFAULT_OPTIONS, 'IN_PROGRESS')).toBe(166)
    expect(heartbeatMs(DEFAULT_OPTIONS, 'CREATED')).toBe(1_000)
    expect(heartbeatMs({ ...DEFAULT_OPTIONS, channelStaleMs: 150 }, 'CREATED')).toBe(50)
  })
})

describe('fleet options', () => {
  it('accepts a status channel and bgChannelStaleMs', () => {
    const channel = new MemoryRedis(new FakeClock()).channel()
    const options = resolveOptions({ statusChannel: channel, bgChannelStaleMs: '750' })
    expect(options.statusChannel).toBe(channel)
    expect(options.channelStaleMs).toBe(750)
    expect(DEFAULT_OPTIONS.statusChannel).toBeUndefined()
  })

  it.each([
    ['statusChannel', { statusChannel: { publish: () => undefined } }],
    ['statusChannel', { statusChannel: 'redis://:secret@cache:6379' }],
    ['bgChannelStaleMs', { bgChannelStaleMs: 0 }],
    ['bgChannelStaleMs', { bgChannelStaleMs: 'soon' }],
    ['bgChannelStalems', { bgChannelStalems: 500 }],
  ])('rejects a bad %s with a BlueGreenConfigError naming it', (key, input) => {
    let error: unknown
    try {
      resolveOptions(input)
    } catch (err) {
      error = err
    }
    expect(error).toBeInstanceOf(BlueGreenConfigError)
    expect((error as BlueGreenConfigError).key).toBe(key)
    expect((error as Error).message).not.toContain('secret')
  })
})
