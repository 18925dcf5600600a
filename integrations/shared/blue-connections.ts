import { roleOf } from '../../core/routing/router.js'
import type { BlueGreenSnapshot, ConnectTarget } from '../../core/types.js'
import { PHASE_ORDER, isActivePhase } from '../../core/phases.js'

/**
 * Pure decisions about existing connections during a switchover: which idle pooled connections to evict, and
 * when a read-only error means "this connection reached the old blue server".
 */

const blueIpCache = new WeakMap<BlueGreenSnapshot, ReadonlySet<string>>()

/**
 * IPs that blue hosts had when the deployment was CREATED (the old blue servers after the switchover).
 *
 * @example
 * ```ts
 * blueStartIps(snapshot).has(socket.remoteAddress ?? '')
 * ```
 */
export function blueStartIps(snapshot: BlueGreenSnapshot): ReadonlySet<string> {
  let ips = blueIpCache.get(snapshot)
  if (ips === undefined) {
    const set = new Set<string>()
    for (const [ip, role] of snapshot.roleByIp) if (role === 'SOURCE') set.add(ip)
    for (const [host, role] of snapshot.roleByHost) {
      const ip = role === 'SOURCE' ? snapshot.ipByHost.get(host) : undefined
      if (ip !== undefined) set.add(ip)
    }
    ips = set
    blueIpCache.set(snapshot, ips)
  }
  return ips
}

/** A physical connection as the pools see it: the configured target and the IP it really reached. */
export interface ConnectionFacts {
  readonly target: ConnectTarget
  readonly remoteAddress: string | undefined
}

function isBlue(snapshot: BlueGreenSnapshot, facts: ConnectionFacts): boolean {
  if (roleOf(snapshot, facts.target.host.toLowerCase()) === 'SOURCE') return true
  return facts.remoteAddress !== undefined && blueStartIps(snapshot).has(facts.remoteAddress)
}

/**
 * Whether an idle pooled connection should be closed now: at IN_PROGRESS every connection to a blue host (when
 * `dropBlue`), and from POST on every connection still on an old blue server's IP.
 *
 * @example
 * ```ts
 * if (shouldEvictIdle(snapshot, { target, remoteAddress }, options.dropBlueConnections)) client.end()
 * ```
 */
export function shouldEvictIdle(
  snapshot: BlueGreenSnapshot,
  facts: ConnectionFacts,
  dropBlue: boolean,
): boolean {
  const order = PHASE_ORDER[snapshot.phase]
  if (order === PHASE_ORDER.IN_PROGRESS) return dropBlue && isBlue(snapshot, facts)
  if (order < PHASE_ORDER.POST) return false
  return facts.remoteAddress !== undefined && blueStartIps(snapshot).has(facts.remoteAddress)
}

/**
 * Whether a read-only error on this connection comes from the switchover (phase PREPARATION or later on a blue
 * connection), so the connection is discarded and the error surfaces as `BlueGreenReadOnlyError`.
 *
 * @example
 * ```ts
 * if (isPgReadOnlyError(err) && isSwitchoverReadOnly(snapshot, facts)) throw new BlueGreenReadOnlyError({ cause: err })
 * ```
 */
export function isSwitchoverReadOnly(snapshot: BlueGreenSnapshot, facts: ConnectionFacts): boolean {
  return isActivePhase(snapshot.phase) && isBlue(snapshot, facts)
}

/**
 * True while the switchover may touch existing connections (PREPARATION and later): the drivers take their
 * slower, checking path only then.
 *
 * @example
 * ```ts
 * if (switchoverActive(handle.snapshot())) wrapForReadOnly()
 * ```
 */
export function switchoverActive(snapshot: BlueGreenSnapshot): boolean {
  return isActivePhase(snapshot.phase)
}

/**
 * PG SQLSTATE 25006 (read_only_sql_transaction).
 *
 * @example
 * ```ts
 * isPgReadOnlyError({ code: '25006' }) // true
 * ```
 */
export function isPgReadOnlyError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '25006'
}

/**
 * MySQL errno 1290 (ER_OPTION_PREVENTS_STATEMENT, e.g. --read-only) and 1836 (ER_READ_ONLY_MODE).
 *
 * @example
 * ```ts
 * isMysqlReadOnlyError({ errno: 1290 }) // true
 * ```
 */
export function isMysqlReadOnlyError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false
  const errno = (err as { errno?: unknown }).errno
  return errno === 1290 || errno === 1836
}
