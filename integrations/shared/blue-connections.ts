import { roleOf } from '../../core/routing/router.js'
import type { BlueGreenSnapshot, ConnectTarget } from '../../core/types.js'
import { PHASE_ORDER } from '../../core/phases.js'

/**
 * Pure decisions about existing connections during a switchover: which pooled connections are stale. Read-only
 * errors are judged in `read-only.ts`, in every phase.
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
