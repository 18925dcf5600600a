import { afterEach, describe, expect, it } from 'vitest'
import type { Coordinator } from '../../core/coordinator.js'
import type { MetadataConnection, MonitoringTarget, RawMetadataRow } from '../../core/metadata/source.js'
import { SideMonitor } from '../../core/monitor/side-monitor.js'
import { resolveOptions } from '../../core/options.js'
import { acquireDeployment } from '../../core/registry.js'
import type { InterimStatus } from '../../core/types.js'
import { FakeClock } from '../helpers/fake-clock.js'
import { MemoryLogger, startCoordinator } from '../helpers/deployment.js'
import { BLUE, BLUE_IP, DOMAIN, GREEN, rdsInstanceWorld, row, setPhase } from '../helpers/fake-metadata.js'

let running: Coordinator | undefined
let counter = 0
afterEach(async () => {
  await running?.close()
  running = undefined
})

/** A bgdId no other test used: the failure and warn-once bookkeeping is per deployment per process. */
function uniqueId(): string {
  return `faults-${process.pid}-${++counter}`
}

/** What PG raises from a plpgsql function that raises (SQLSTATE P0001), or MySQL for a broken view (1356). */
const RAISED = Object.assign(new Error('metadata function raised: boom'), { code: 'P0001' })
const BROKEN_VIEW = Object.assign(
  new Error("View 'mysql.rds_topology' references invalid table(s) or column(s)"),
  { code: 'ER_VIEW_INVALID', errno: 1356 },
)

describe('broken metadata (issue 11 item 1)', () => {
  it.each([
    ['a PG function that raises', RAISED],
    ['a broken MySQL view (1356)', BROKEN_VIEW],
  ])('%s: connections are reused, queries back off, one WARN, one INFO on recovery', async (_, error) => {
    const world = rdsInstanceWorld()
    world.setAll(error)
    const { coordinator, clock, logger } = startCoordinator(world, { bgdId: uniqueId(), bgBaselineMs: 100 })
    running = coordinator
    await clock.advance(10_000)
    // One connection per side, kept: before the fix every round reconnected (~18 sessions/s).
    expect(world.connects.length).toBe(2)
    expect(world.openConnections()).toBe(2)
    // Exponential backoff (100 ms doubling to 30 s) instead of one query per 100 ms: 2 × ~7, not 2 × 100.
    expect(world.statusReads).toBeLessThanOrEqual(16)
    const warnings = logger.lines.filter((l) => l.level === 'warn')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]?.message).toContain(error.message)
    expect(warnings[0]?.message).toContain('not protected')
    setPhase(world, 'CREATED')
    await clock.advance(40_000)
    expect(coordinator.snapshot().phase).toBe('CREATED')
    expect(logger.find('readable again')).toHaveLength(1)
    expect(logger.lines.filter((l) => l.level === 'warn')).toHaveLength(1)
  })

  it('a query that times out drops the (possibly hung) connection instead of reusing it', async () => {
    const world = rdsInstanceWorld()
    const { coordinator, clock } = startCoordinator(world, { bgdId: uniqueId() })
    running = coordinator
    await clock.advance(3_000)
    world.setAll(Object.assign(new Error('Query read timeout'), {}))
    await clock.advance(3_000)
    expect(world.connects.length).toBeGreaterThan(3)
  })
})

describe('monitor timeouts during a switchover (issue 11 item 7)', () => {
  it('a reconnect during IN_PROGRESS uses a connect timeout of 4 × bgHighMs (at least 500 ms), not 2 s', async () => {
    const world = rdsInstanceWorld()
    const { coordinator, clock } = startCoordinator(world, { bgdId: uniqueId(), bgHighMs: 150 })
    running = coordinator
    await clock.advance(3_000)
    expect(world.connects.at(-1)?.connectTimeoutMs).toBe(10_000)
    setPhase(world, 'IN_PROGRESS')
    await clock.advance(1_500)
    const before = world.connects.length
    world.cutAll()
    await clock.advance(500)
    const reconnects = world.connects.slice(before)
    expect(reconnects.length).toBeGreaterThan(0)
    for (const c of reconnects) expect(c.connectTimeoutMs).toBe(600)
  })
})

describe('stopping (issue 11 item 5)', () => {
  it('stop() aborts the signal handed to an in-flight connect, and returns at once', async () => {
    const targets: MonitoringTarget[] = []
    const monitor = new SideMonitor({
      role: 'SOURCE',
      bgdId: uniqueId(),
      initialHost: { host: BLUE, port: 5432 },
      source: {
        name: 'hung',
        connect: (target) => {
          targets.push(target)
          return new Promise<MetadataConnection>(() => undefined)
        },
      },
      resolver: { resolve: async () => BLUE_IP },
      clock: new FakeClock(),
      logger: new MemoryLogger(),
      options: resolveOptions({}, () => undefined),
      onInterim: () => undefined,
      onUnavailable: () => undefined,
    })
    monitor.start()
    await new Promise((resolve) => setImmediate(resolve))
    expect(targets).toHaveLength(1)
    expect(targets[0]?.signal?.aborted).toBe(false)
    await monitor.stop()
    expect(targets[0]?.signal?.aborted).toBe(true)
  })
})

function bigAnswer(hosts: number): RawMetadataRow[] {
  const rows = [row(BLUE, 'SOURCE', 'CREATED'), row(GREEN, 'TARGET', 'CREATED')]
  for (let i = 0; i < hosts; i++) rows.push(row(`mydb-extra-${i}.${DOMAIN}`, 'SOURCE', 'CREATED'))
  return rows
}

describe('large metadata answers (issue 11 item 4)', () => {
  it('10,000 rows: every IP is collected in one round, with no MaxListenersExceededWarning', async () => {
    const warnings: Error[] = []
    const onWarning = (w: Error): void => void warnings.push(w)
    process.on('warning', onWarning)
    const rows = bigAnswer(10_000)
    let inFlight = 0
    let maxInFlight = 0
    const interims: InterimStatus[] = []
    const monitor = new SideMonitor({
      role: 'SOURCE',
      bgdId: uniqueId(),
      initialHost: { host: BLUE, port: 5432 },
      source: {
        name: 'big',
        connect: async () => ({
          readStatus: async () => ({ kind: 'rows', rows }),
          isOpen: () => true,
          close: async () => undefined,
        }),
      },
      resolver: {
        resolve: async (host) => {
          maxInFlight = Math.max(maxInFlight, ++inFlight)
          await new Promise((resolve) => setImmediate(resolve))
          inFlight--
          return host === BLUE ? BLUE_IP : `127.0.${host.length % 250}.9`
        },
      },
      clock: new FakeClock(),
      logger: new MemoryLogger(),
      options: resolveOptions({}, () => undefined),
      onInterim: (_, interim) => void interims.push(interim),
      onUnavailable: () => undefined,
    })
    try {
      await monitor.pollOnce()
      await new Promise((resolve) => setImmediate(resolve))
    } finally {
      process.off('warning', onWarning)
      await monitor.stop()
    }
    expect(interims).toHaveLength(1)
    expect(interims[0]?.currentIpByHost.size).toBe(10_001)
    expect(interims[0]?.startIpByHost.size).toBe(10_001)
    expect(maxInFlight).toBeLessThanOrEqual(16)
    expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning')
  })

  it('a host that disappeared from the metadata is dropped and no longer looked up', async () => {
    const world = rdsInstanceWorld()
    const temp = (n: number): string => `mydb-temp-${n}.${DOMAIN}`
    const withTemp = (n: number): RawMetadataRow[] => [
      row(BLUE, 'SOURCE', 'CREATED'),
      row(temp(n), 'SOURCE', 'CREATED'),
      row(GREEN, 'TARGET', 'CREATED'),
    ]
    world.setAll(withTemp(1))
    const { coordinator, clock } = startCoordinator(world, { bgdId: uniqueId() })
    running = coordinator
    await clock.advance(3_000)
    expect(world.lookups).toContain(temp(1))
    world.setAll(withTemp(2))
    await clock.advance(2_000)
    const asked = world.lookups.filter((h) => h === temp(1)).length
    await clock.advance(5_000)
    expect(world.lookups.filter((h) => h === temp(1)).length).toBe(asked)
    expect(world.lookups.filter((h) => h === temp(2)).length).toBeGreaterThan(3)
  })
})

describe('trust (issue 11 item 10)', () => {
  const foreign = 'db.example.internal'
  const rows = (): RawMetadataRow[] => [
    row(BLUE, 'SOURCE', 'CREATED'),
    row(foreign, 'SOURCE', 'CREATED'),
    row(GREEN, 'TARGET', 'CREATED'),
  ]

  it('rows naming hosts outside RDS are ignored with one warning', async () => {
    const world = rdsInstanceWorld()
    world.setAll(rows())
    world.dns.set(foreign, '10.9.9.9')
    const { coordinator, clock, logger } = startCoordinator(world, { bgdId: uniqueId() })
    running = coordinator
    await clock.advance(5_000)
    expect(coordinator.snapshot().phase).toBe('CREATED')
    expect(coordinator.snapshot().roleByHost.has(foreign)).toBe(false)
    expect(world.lookups).not.toContain(foreign)
    expect(logger.find(`outside RDS are ignored: '${foreign}'`)).toHaveLength(1)
  })

  it('bgAllowedHostSuffixes accepts them', async () => {
    const world = rdsInstanceWorld()
    world.setAll(rows())
    world.dns.set(foreign, '10.9.9.9')
    const { coordinator, clock, logger } = startCoordinator(world, {
      bgdId: uniqueId(),
      bgAllowedHostSuffixes: ['example.internal'],
    })
    running = coordinator
    await clock.advance(5_000)
    expect(coordinator.snapshot().roleByHost.get(foreign)).toBe('SOURCE')
    expect(logger.find('outside RDS')).toHaveLength(0)
  })
})

describe('warnings per deployment per process (issue 11 item 6)', () => {
  it('clients that come and go on a deployment without metadata warn once in all', async () => {
    const world = rdsInstanceWorld()
    world.setAll('unavailable')
    const clock = new FakeClock()
    const logger = new MemoryLogger()
    const bgdId = uniqueId()
    for (let i = 0; i < 5; i++) {
      const handle = acquireDeployment({
        options: resolveOptions({ bgdId }, () => undefined),
        source: world,
        resolver: world,
        clock,
        logger,
        initialHost: { host: BLUE, port: 5432 },
      })
      await clock.advance(1_000)
      await handle.release()
    }
    expect(logger.find('No Blue/Green metadata is readable')).toHaveLength(1)
  })
})
