import type pg from 'pg'

const guarded = new WeakSet<pg.Pool>()

/**
 * A checked-out pg client has no 'error' listener (pg-pool removes its own), so a connection reset while the
 * application holds it (a switchover cuts every connection, often inside a transaction) would crash the process,
 * and a transaction whose `BEGIN` fails never releases its client. Listen while checked out, as TypeORM does, and
 * hand a broken client back at once (pg-pool removes it); the application's own `release()` then does nothing.
 * The application's next query on that client fails with pg's "not queryable" error, as without the guard.
 *
 * @example
 * ```ts
 * guardCheckouts(pool) // idempotent
 * ```
 */
export function guardCheckouts(pool: pg.Pool): void {
  if (guarded.has(pool)) return
  guarded.add(pool)
  const onError = new WeakMap<pg.PoolClient, (err: Error) => void>()
  pool.on('acquire', (client) => {
    const listener = (err: Error): void => {
      client.removeListener('error', listener)
      const release = client.release.bind(client)
      client.release = () => undefined
      release(err)
    }
    onError.set(client, listener)
    client.on('error', listener)
  })
  pool.on('release', (_err: Error | undefined, client: pg.PoolClient) => {
    const listener = onError.get(client)
    if (listener !== undefined) client.removeListener('error', listener)
    onError.delete(client)
  })
}

/**
 * The `release` handed to a checkout callback. pg-pool passes its own release function, which throws when called
 * twice; once the guard has handed a broken client back, the application's release must do nothing, whichever
 * reference it kept (TypeORM keeps the callback's: a throw there left its query runner registered, and
 * `DataSource.destroy()` spun forever). So the callback gets a function that calls the client's current release.
 *
 * @example
 * ```ts
 * super.connect((err, client, done) => callback(err, client, client ? currentRelease(client) : done))
 * ```
 */
export function currentRelease(client: pg.PoolClient): (err?: Error | boolean) => void {
  return (err) => client.release(err)
}
