import type pg from 'pg'

const guarded = new WeakSet<pg.Pool>()
/** The client's guard listener, made at its first checkout and reused by every later one. */
const GUARD = Symbol('rds-bluegreen.pg.checkout-guard')
/** The client's {@link currentRelease}, made once. */
const RELEASE = Symbol('rds-bluegreen.pg.current-release')

type GuardedClient = pg.PoolClient & {
  [GUARD]?: (err: Error) => void
  [RELEASE]?: (err?: Error | boolean) => void
}

/**
 * A checked-out pg client has no 'error' listener (pg-pool removes its own), so a connection reset while the
 * application holds it (a switchover cuts every connection, often inside a transaction) would crash the process,
 * and a transaction whose `BEGIN` fails never releases its client. Listen while checked out, as TypeORM does, and
 * hand a broken client back at once (pg-pool removes it); the application's own `release()` then does nothing.
 * The application's next query on that client fails with pg's "not queryable" error, as without the guard.
 * Each client's listener is made once and attached per checkout (no closure or map entry per checkout).
 *
 * @example
 * ```ts
 * guardCheckouts(pool) // idempotent
 * ```
 */
export function guardCheckouts(pool: pg.Pool): void {
  if (guarded.has(pool)) return
  guarded.add(pool)
  pool.on('acquire', (client: GuardedClient) => {
    client.on('error', (client[GUARD] ??= guardListener(client)))
  })
  pool.on('release', (_err: Error | undefined, client: GuardedClient) => {
    const listener = client[GUARD]
    if (listener !== undefined) client.removeListener('error', listener)
  })
}

function guardListener(client: pg.PoolClient): (err: Error) => void {
  const listener = (err: Error): void => {
    client.removeListener('error', listener)
    const release = client.release.bind(client)
    client.release = () => undefined
    release(err)
  }
  return listener
}

/**
 * The `release` handed to a checkout callback. pg-pool passes its own release function, which throws when called
 * twice; once the guard has handed a broken client back, the application's release must do nothing, whichever
 * reference it kept (TypeORM keeps the callback's: a throw there left its query runner registered, and
 * `DataSource.destroy()` spun forever). So the callback gets a function that calls the client's current release
 * (made once per client).
 *
 * @example
 * ```ts
 * super.connect((err, client, done) => callback(err, client, client ? currentRelease(client) : done))
 * ```
 */
export function currentRelease(client: pg.PoolClient): (err?: Error | boolean) => void {
  const guarded = client as GuardedClient
  return (guarded[RELEASE] ??= (err) => client.release(err))
}
