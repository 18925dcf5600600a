import type pg from 'pg'
import { MovableCheckouts } from '../shared/movable-checkouts.js'

/** pg-pool's checkout callback. */
export type ConnectCallback = (
  err: Error | undefined,
  client: pg.PoolClient | undefined,
  done: (release?: Error | boolean) => void,
) => void

/**
 * Checkouts waiting inside pg-pool's own queue (the pool was full). When the switchover starts they would wait
 * behind transactions the switchover is about to kill and time out (`connectionTimeoutMillis`); instead they are
 * moved into the library's pre-slot hold, which releases them at POST with a fresh pg-pool timeout. A moved
 * checkout leaves a detached callback in pg-pool's queue: a timeout there is ignored, a client handed to it is
 * given straight back, so the application hears from each checkout exactly once (the shared
 * {@link MovableCheckouts}).
 *
 * @example
 * ```ts
 * if (pool full) return queued.enqueue((cb) => super.connect(cb), callback)
 * queued.moveAll((cb) => this.connect(cb)) // on IN_PROGRESS
 * ```
 */
export class QueuedCheckouts {
  readonly #checkouts = new MovableCheckouts<Parameters<ConnectCallback>>()

  /** Runs `connect` with a callback that can be detached later; the promise form when `callback` is absent. */
  enqueue(connect: (cb: ConnectCallback) => void, callback?: ConnectCallback): Promise<pg.PoolClient> | void {
    if (callback !== undefined) return this.#enqueue(connect, callback)
    return new Promise((resolve, reject) =>
      this.#enqueue(connect, (err, client) =>
        err === undefined ? resolve(client as pg.PoolClient) : reject(err),
      ),
    )
  }

  /** Detaches every waiting checkout and starts it again through `reissue`. */
  moveAll(reissue: (cb: ConnectCallback) => void): void {
    this.#checkouts.moveAll(reissue)
  }

  #enqueue(connect: (cb: ConnectCallback) => void, deliver: ConnectCallback): void {
    this.#checkouts.track(
      // pg-pool passes `null`/`undefined` for success depending on the path; normalise for the promise form.
      (answer) => connect((err, client, done) => answer(err ?? undefined, client, done)),
      deliver,
      (_err, client, done) => {
        if (client !== undefined) done()
      },
    )
  }
}
