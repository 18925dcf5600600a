/**
 * Checkouts waiting inside a pool's own queue (issue 12 item 5). When the switchover starts they would wait
 * behind transactions the switchover is about to kill, time out there, or be handed the connections those
 * transactions release; instead they are moved into the library's pre-slot hold. A moved checkout leaves a
 * detached request in the pool's queue: whatever it receives later goes to `giveBack` (a connection is released
 * straight back, a timeout is ignored), so the application hears from each checkout exactly once, from its
 * reissue.
 */

interface Waiter<A extends readonly unknown[]> {
  moved: boolean
  readonly deliver: (...answer: A) => void
}

/**
 * The callback form: `A` is the answer a pool gives a checkout (pg-pool: `err, client, done`).
 *
 * @example
 * ```ts
 * const queued = new MovableCheckouts<[Error | undefined, Client | undefined, () => void]>()
 * queued.track((answer) => pool.connect(answer), callback, (_err, client, done) => client && done())
 * queued.moveAll((deliver) => gatedConnect(deliver)) // when IN_PROGRESS is published
 * ```
 */
export class MovableCheckouts<A extends readonly unknown[]> {
  readonly #waiting = new Set<Waiter<A>>()

  /** Checkouts started and not yet answered or moved. */
  get size(): number {
    return this.#waiting.size
  }

  /** Starts a checkout; its answer goes to `deliver`, or to `giveBack` once the checkout was moved. */
  track(
    start: (answer: (...answer: A) => void) => void,
    deliver: (...answer: A) => void,
    giveBack: (...answer: A) => void,
  ): void {
    const waiter: Waiter<A> = { moved: false, deliver }
    this.#waiting.add(waiter)
    try {
      start((...answer) => {
        if (waiter.moved) return giveBack(...answer)
        this.#waiting.delete(waiter)
        deliver(...answer)
      })
    } catch (err) {
      this.#waiting.delete(waiter)
      throw err
    }
  }

  /** Detaches every waiting checkout and starts it again through `reissue`, which answers its caller. */
  moveAll(reissue: (deliver: (...answer: A) => void) => void): void {
    const waiting = [...this.#waiting]
    this.#waiting.clear()
    for (const waiter of waiting) {
      waiter.moved = true
      reissue(waiter.deliver)
    }
  }
}

/** One promise-form checkout: settled by its pool's answer, or by its reissue once moved. */
interface PromiseWaiter<C> {
  moved: boolean
  readonly resolve: (value: C) => void
  readonly reject: (error: unknown) => void
}

/**
 * The promise form (knex's tarn pool). Every checkout passes through it, so it costs one promise and two
 * callbacks per checkout, nothing more.
 *
 * @example
 * ```ts
 * const queued = new MovablePromises<Connection>()
 * const connection = await queued.track(() => pool.acquire(), (c) => pool.release(c))
 * queued.moveAll(() => gatedAcquire()) // when IN_PROGRESS is published
 * ```
 */
export class MovablePromises<C> {
  readonly #waiting = new Set<PromiseWaiter<C>>()

  /** Checkouts started and not yet answered or moved. */
  get size(): number {
    return this.#waiting.size
  }

  /** Runs `acquire`; once moved, a value it still yields goes to `giveBack` and an error is ignored. */
  track(acquire: () => Promise<C>, giveBack: (value: C) => void): Promise<C> {
    let waiter: PromiseWaiter<C> | undefined
    const answered = new Promise<C>((resolve, reject) => {
      waiter = { moved: false, resolve, reject }
    })
    const tracked = waiter as unknown as PromiseWaiter<C>
    const waiting = this.#waiting
    waiting.add(tracked)
    try {
      acquire().then(
        (value) => {
          if (tracked.moved) return giveBack(value)
          waiting.delete(tracked)
          tracked.resolve(value)
        },
        (error: unknown) => {
          if (tracked.moved) return
          waiting.delete(tracked)
          // The pool's own rejection, passed on unchanged: the application must see what it would have seen.
          tracked.reject(error)
        },
      )
    } catch (error) {
      waiting.delete(tracked)
      tracked.reject(error)
    }
    return answered
  }

  /** Detaches every waiting checkout and settles it with `reissue()` instead. */
  moveAll(reissue: () => Promise<C>): void {
    const waiting = [...this.#waiting]
    this.#waiting.clear()
    for (const waiter of waiting) {
      waiter.moved = true
      reissue().then(waiter.resolve, waiter.reject)
    }
  }
}
