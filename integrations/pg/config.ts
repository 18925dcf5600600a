import { Socket } from 'node:net'
import pg from 'pg'
import type { BlueGreenConfigKeys } from '../shared/config-types.js'
import { BlueGreenConfigError } from '../../core/errors.js'
import type { ConnectTarget } from '../../core/types.js'

/**
 * A `pg.Client` config with Blue/Green options.
 *
 * @example
 * ```ts
 * const config: BlueGreenPgClientConfig = { host: 'mydb.c9akciq32.us-east-1.rds.amazonaws.com', blueGreen: { bgdId: 'orders' } }
 * ```
 */
export type BlueGreenPgClientConfig = pg.ClientConfig & BlueGreenConfigKeys

/**
 * A `pg.Pool` config with Blue/Green options.
 *
 * @example
 * ```ts
 * const config: BlueGreenPgPoolConfig = { connectionString: process.env.DATABASE_URL, max: 10, bgdId: 'orders' }
 * ```
 */
export type BlueGreenPgPoolConfig = pg.PoolConfig & BlueGreenConfigKeys

/** A pg config as plain data, for copying and key removal. */
export type PgConfigRecord = Readonly<Record<string, unknown>>

/** A `pg.Client` config accepts a connection string too. */
export function pgConfigObject<T extends object>(config: string | T | undefined): T {
  if (typeof config === 'string') return { connectionString: config } as unknown as T
  return config ?? ({} as T)
}

/**
 * The host and port pg will dial for `config`, after its own parsing (a `connectionString` overrides `host`;
 * `PGHOST`/`PGPORT` and the defaults apply). Builds a throwaway client on an unconnected socket; no I/O.
 *
 * @example
 * ```ts
 * pgTarget({ connectionString: 'postgres://u@mydb.example.com:6432/db' }) // { host: 'mydb.example.com', port: 6432 }
 * ```
 */
export function pgTarget(config: PgConfigRecord): ConnectTarget {
  const probe = new pg.Client({ ...config, stream: () => new Socket() })
  return { host: probe.host, port: probe.port }
}

/** Keys that replace the socket pg dials: the routed socket must be the one, or routing is silently bypassed. */
const OWN_SOCKET_KEYS = ['stream', 'connection'] as const

/**
 * Refuses a config that brings its own socket (`stream`, or pg's internal `connection`): the routed client must
 * dial through its own socket to hold, substitute or refuse a connect. Custom name resolution goes in
 * `blueGreen.lookup`.
 *
 * @throws {BlueGreenConfigError} naming the key.
 * @example
 * ```ts
 * rejectOwnSocket({ stream: () => socket }) // throws: key 'stream'
 * ```
 */
export function rejectOwnSocket(config: object): void {
  for (const key of OWN_SOCKET_KEYS) {
    if ((config as Readonly<Record<string, unknown>>)[key] === undefined) continue
    throw new BlueGreenConfigError(
      key,
      'the routed driver dials its own socket to follow the switchover; resolve names with blueGreen.lookup instead',
    )
  }
}
