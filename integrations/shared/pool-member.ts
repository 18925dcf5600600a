import type { ConnectionFacts } from './blue-connections.js'
import type { DeploymentBinding } from './deployment-binding.js'

/**
 * How a pool (pg-pool, knex) hands its deployment binding to the driver connections it creates, through the
 * driver config: a symbol key survives pg-pool's option copy and is invisible to the driver. A connection with a
 * membership uses its pool's binding (one binding, one hold layer per checkout) instead of building its own.
 */
export const MEMBERSHIP = Symbol.for('rds-bluegreen.pool-membership')

/** What a pooled connection shares with its pool. */
export interface PoolMembership {
  readonly binding: DeploymentBinding
  /** Makes the pool drop `connection` (it reached the old blue server) instead of handing it out again. */
  readonly discard: (connection: object) => void
}

/**
 * The membership a pool put into a driver config, if any.
 *
 * @example
 * ```ts
 * const binding = membershipOf(config)?.binding ?? bindDeployment(...)
 * ```
 */
export function membershipOf(config: unknown): PoolMembership | undefined {
  if (typeof config !== 'object' || config === null) return undefined
  return (config as { [MEMBERSHIP]?: PoolMembership })[MEMBERSHIP]
}

/**
 * Puts `membership` into `config` (in place: the caller owns the copy). A symbol key: `Object.keys` and `for...in`
 * skip it (mysql2 warns on unknown keys), `Object.assign` keeps it (pg-pool copies its options that way).
 *
 * @example
 * ```ts
 * attachMembership(copyConfig(settings), { binding, discard })
 * ```
 */
export function attachMembership<T extends object>(config: T, membership: PoolMembership): T {
  Object.defineProperty(config, MEMBERSHIP, {
    value: membership,
    enumerable: true,
    configurable: true,
    writable: true,
  })
  return config
}

/** Where every routed connection (pg client, mysql2 connection) exposes its facts, for the pools' policy. */
export const CONNECTION_FACTS = Symbol.for('rds-bluegreen.connection-facts')

/**
 * The configured target and the IP really dialed (from the routed socket, kept after close) of a routed
 * connection; `undefined` for a connection the library did not route.
 *
 * @example
 * ```ts
 * factsOf(client)?.remoteAddress // '10.0.0.7'
 * ```
 */
export function factsOf(connection: unknown): ConnectionFacts | undefined {
  if (typeof connection !== 'object' || connection === null) return undefined
  return (connection as { [CONNECTION_FACTS]?: ConnectionFacts })[CONNECTION_FACTS]
}
