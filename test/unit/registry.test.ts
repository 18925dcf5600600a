import { describe, expect, it } from 'vitest'
import { resolveOptions } from '../../core/options.js'
import { IDLE_LINGER_MS, acquireDeployment, activeDeployments, getStatus } from '../../core/registry.js'
import { FakeClock } from '../helpers/fake-clock.js'
import { MemoryLogger } from '../helpers/deployment.js'
import { BLUE, rdsInstanceWorld, setPhase } from '../helpers/fake-metadata.js'

function init(bgdId: string, world = rdsInstanceWorld(), clock = new FakeClock()) {
  return {
    options: resolveOptions({ bgdId }, () => undefined),
    source: world,
    resolver: world,
    clock,
    logger: new MemoryLogger(),
    initialHost: { host: BLUE, port: 5432 },
  }
}

describe('registry', () => {
  it('keeps one coordinator per bgdId however many holders, and stops it with the last release', async () => {
    const world = rdsInstanceWorld()
    const clock = new FakeClock()
    const a = acquireDeployment(init(' Orders ', world, clock))
    const b = acquireDeployment(init('orders', world, clock))
    expect(a.bgdId).toBe('orders')
    expect(activeDeployments()).toBe(1)
    await clock.advance(3_000)
    expect(getStatus('ORDERS')?.phase).toBe('CREATED')
    // Two monitoring connections for the deployment, not two per holder.
    expect(world.openConnections()).toBe(2)
    await a.release()
    await a.release()
    expect(activeDeployments()).toBe(1)
    await b.release()
    expect(activeDeployments()).toBe(0)
    expect(getStatus('orders')).toBeUndefined()
    expect(world.openConnections()).toBe(0)
  })

  it('deployments with different bgdIds are independent', async () => {
    const a = acquireDeployment(init('a'))
    const b = acquireDeployment(init('b'))
    expect(activeDeployments()).toBe(2)
    await Promise.all([a.release(), b.release()])
    expect(activeDeployments()).toBe(0)
  })

  it('a handle routes and holds with its own timeouts, and a release ends its holds', async () => {
    const world = rdsInstanceWorld()
    const clock = new FakeClock()
    const handle = acquireDeployment({
      ...init('hold', world, clock),
      options: resolveOptions({ bgdId: 'hold', bgConnectTimeoutMs: 60_000 }),
    })
    await clock.advance(3_000)
    setPhase(world, 'IN_PROGRESS')
    await clock.advance(1_500)
    expect(handle.snapshot().phase).toBe('IN_PROGRESS')
    let plan: unknown
    const pending = handle.routeConnect({ host: BLUE, port: 5432 }).then((p) => (plan = p))
    expect(handle.beforeExecute({ host: BLUE, port: 5432 }, 'query')).toBeInstanceOf(Promise)
    await clock.advance(1_000)
    expect(plan).toBeUndefined()
    await handle.release()
    await pending
    expect(plan).toEqual({ kind: 'pass' })
  })
})

describe('lingering deployments', () => {
  it('a deployment released by standalone clients survives a reconnect burst, then closes', async () => {
    const world = rdsInstanceWorld()
    const clock = new FakeClock()
    const first = acquireDeployment({ ...init('linger', world, clock), lingerMs: 5_000 })
    await clock.advance(3_000)
    setPhase(world, 'IN_PROGRESS')
    await clock.advance(1_000)
    await first.release()
    await clock.advance(1_000)
    expect(activeDeployments()).toBe(1)
    const second = acquireDeployment({ ...init('linger', world, clock), lingerMs: 5_000 })
    // The reconnecting client sees what the monitors knew: the switchover is in progress.
    expect(second.snapshot().phase).toBe('IN_PROGRESS')
    await second.release()
    await clock.advance(5_001)
    expect(activeDeployments()).toBe(0)
    expect(world.openConnections()).toBe(0)
  })
})

describe('short-lived standalone clients (issue 11 item 6)', () => {
  it('100 clients opened and closed in a loop share one pair of monitors, which stop a moment after the last', async () => {
    const world = rdsInstanceWorld()
    const clock = new FakeClock()
    for (let i = 0; i < 100; i++) {
      const handle = acquireDeployment({ ...init('short-lived', world, clock), lingerMs: 10_000 })
      await clock.advance(20)
      expect(world.openConnections()).toBeLessThanOrEqual(2)
      await handle.release()
    }
    expect(world.connects.length).toBeLessThanOrEqual(3) // blue + green (+ green moving to its own endpoint)
    expect(activeDeployments()).toBe(1)
    await clock.advance(IDLE_LINGER_MS + 1)
    expect(activeDeployments()).toBe(0)
    expect(world.openConnections()).toBe(0)
  })
})
