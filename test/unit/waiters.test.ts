import { afterEach, describe, expect, it } from 'vitest'
import { Coordinator } from '../../core/coordinator.js'
import { resolveOptions } from '../../core/options.js'
import type { Clock } from '../../core/runtime.js'
import { FakeClock, flush } from '../helpers/fake-clock.js'
import { MemoryLogger } from '../helpers/deployment.js'
import { BLUE, rdsInstanceWorld, setPhase } from '../helpers/fake-metadata.js'
import type { FakeWorld } from '../helpers/fake-metadata.js'

/** A fake clock that counts the timers it was asked for and the ones cancelled. */
class CountingClock extends FakeClock {
  created = 0
  cancelled = 0
  override timer(ms: number, fn: () => void): () => void {
    this.created++
    const cancel = super.timer(ms, fn)
    let done = false
    return () => {
      if (!done) this.cancelled++
      done = true
      cancel()
    }
  }
}

let running: Coordinator | undefined
afterEach(async () => {
  await running?.close()
  running = undefined
})

function start(clock: Clock): { coordinator: Coordinator; world: FakeWorld } {
  const world = rdsInstanceWorld()
  const coordinator = new Coordinator({
    options: resolveOptions({ bgBaselineMs: 60_000, bgIncreasedMs: 1_000, bgHighMs: 100 }, () => undefined),
    source: world,
    initialHost: { host: BLUE, port: 5432 },
    resolver: world,
    clock,
    logger: new MemoryLogger(),
  })
  coordinator.start()
  running = coordinator
  return { coordinator, world }
}

describe('held waiters (issue 15 item 4)', () => {
  it('one published change releases every waiter in one pass, and their deadline timers are cleared', async () => {
    const clock = new CountingClock()
    const { coordinator, world } = start(clock)
    await clock.advance(3_000)
    const { sequence } = coordinator.snapshot()
    const timersBefore = clock.created
    const cancelledBefore = clock.cancelled
    const results: boolean[] = []
    const waits = Array.from({ length: 5_000 }, () =>
      coordinator.waitForChange(sequence, clock.now() + 30_000).then((changed) => void results.push(changed)),
    )
    await flush()
    expect(results).toHaveLength(0)
    setPhase(world, 'PREPARATION')
    await clock.advance(1_000)
    await Promise.all(waits)
    expect(results).toHaveLength(5_000)
    expect(results.every((changed) => changed)).toBe(true)
    // Every waiter's deadline timer was cancelled when the change released it: none is left to fire.
    const waiterTimers = clock.created - timersBefore
    expect(clock.cancelled - cancelledBefore).toBeGreaterThanOrEqual(Math.min(waiterTimers, 5_000))
  })

  it('a waiter whose deadline passes resolves false while the others keep waiting', async () => {
    const clock = new FakeClock()
    const { coordinator } = start(clock)
    await clock.advance(3_000)
    const { sequence } = coordinator.snapshot()
    const settled: string[] = []
    const near = coordinator
      .waitForChange(sequence, clock.now() + 500)
      .then((c) => void settled.push(`near:${c}`))
    const far = Array.from({ length: 100 }, () =>
      coordinator.waitForChange(sequence, clock.now() + 30_000).then((c) => void settled.push(`far:${c}`)),
    )
    await clock.advance(600)
    await near
    expect(settled).toEqual(['near:false'])
    await clock.advance(30_000)
    await Promise.all(far)
    expect(settled.filter((s) => s === 'far:false')).toHaveLength(100)
  })

  it('an aborted waiter resolves false at once and leaves the others waiting', async () => {
    const clock = new FakeClock()
    const { coordinator } = start(clock)
    await clock.advance(3_000)
    const { sequence } = coordinator.snapshot()
    const controller = new AbortController()
    const settled: string[] = []
    const aborted = coordinator
      .waitForChange(sequence, clock.now() + 30_000, controller.signal)
      .then((c) => void settled.push(`aborted:${c}`))
    const other = coordinator
      .waitForChange(sequence, clock.now() + 1_000)
      .then((c) => void settled.push(`other:${c}`))
    controller.abort()
    await aborted
    expect(settled).toEqual(['aborted:false'])
    await clock.advance(1_000)
    await other
    expect(settled).toEqual(['aborted:false', 'other:false'])
  })
})
