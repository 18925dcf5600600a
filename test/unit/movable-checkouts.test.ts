import { describe, expect, it } from 'vitest'
import { MovableCheckouts, MovablePromises } from '../../integrations/shared/movable-checkouts.js'

/** A checkout the test answers by hand. */
function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void
  let reject!: (e: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

describe('MovablePromises (issue 12 item 5)', () => {
  it('an unmoved checkout settles with the pool own answer, success or error', async () => {
    const queued = new MovablePromises<string>()
    const ok = deferred<string>()
    const bad = deferred<string>()
    const first = queued.track(
      () => ok.promise,
      () => undefined,
    )
    const second = queued.track(
      () => bad.promise,
      () => undefined,
    )
    expect(queued.size).toBe(2)
    ok.resolve('c1')
    const timeout = new Error('pool timeout')
    bad.reject(timeout)
    await expect(first).resolves.toBe('c1')
    await expect(second).rejects.toBe(timeout)
    expect(queued.size).toBe(0)
  })

  it('a moved checkout is answered by its reissue only; what the pool hands it later goes back', async () => {
    const queued = new MovablePromises<string>()
    const pool = [deferred<string>(), deferred<string>()]
    const givenBack: string[] = []
    const answers: string[] = []
    const checkouts = pool.map((d) =>
      queued.track(
        () => d.promise,
        (c) => givenBack.push(c),
      ),
    )
    for (const c of checkouts) void c.then((v) => answers.push(v))
    const reissued = [deferred<string>(), deferred<string>()]
    let next = 0
    queued.moveAll(() => (reissued[next++] as { promise: Promise<string> }).promise)
    expect(queued.size).toBe(0)
    // The detached pool requests: one gets a connection (given back), one times out (ignored).
    pool[0]?.resolve('stale')
    pool[1]?.reject(new Error('pool timeout'))
    await tick()
    expect(answers).toEqual([])
    expect(givenBack).toEqual(['stale'])
    reissued[0]?.resolve('fresh-1')
    reissued[1]?.resolve('fresh-2')
    await expect(Promise.all(checkouts)).resolves.toEqual(['fresh-1', 'fresh-2'])
    expect(answers).toEqual(['fresh-1', 'fresh-2'])
  })

  it('a checkout answered before the move is not moved', async () => {
    const queued = new MovablePromises<string>()
    const first = queued.track(
      () => Promise.resolve('c1'),
      () => undefined,
    )
    await first
    let reissues = 0
    queued.moveAll(() => {
      reissues++
      return Promise.resolve('never')
    })
    expect(reissues).toBe(0)
  })
})

describe('MovablePromises, its edges', () => {
  it('an acquire that throws rejects the checkout and leaves nothing behind', async () => {
    const queued = new MovablePromises<string>()
    const ended = new Error('pool ended')
    const checkout = queued.track(
      () => {
        throw ended
      },
      () => undefined,
    )
    await expect(checkout).rejects.toBe(ended)
    expect(queued.size).toBe(0)
  })

  it('a moved checkout whose reissue fails rejects with the reissue error; the late pool answer goes back', async () => {
    const queued = new MovablePromises<string>()
    const pool = deferred<string>()
    const givenBack: string[] = []
    const checkout = queued.track(
      () => pool.promise,
      (c) => givenBack.push(c),
    )
    const held = new Error('hold timed out')
    queued.moveAll(() => Promise.reject(held))
    await expect(checkout).rejects.toBe(held)
    pool.resolve('late')
    await tick()
    expect(givenBack).toEqual(['late'])
  })
})

describe('MovableCheckouts', () => {
  it('a start that throws leaves nothing behind and throws to the caller', () => {
    const queued = new MovableCheckouts<[string]>()
    expect(() =>
      queued.track(
        () => {
          throw new Error('pool ended')
        },
        () => undefined,
        () => undefined,
      ),
    ).toThrow('pool ended')
    expect(queued.size).toBe(0)
  })
})
