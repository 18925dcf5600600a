import type { BlueGreenSnapshot, ConnectDecision, ConnectTarget, Role, RouteMatch } from '../types.js'

/** What to do with a call on an existing connection. */
export type ExecuteDecision = { readonly kind: 'pass' } | { readonly kind: 'hold' }

const PASS = Object.freeze({ kind: 'pass' } as const)
const HOLD = Object.freeze({ kind: 'hold' } as const)

/**
 * The side a target belongs to: by lower-cased host name, or by an IP captured in a start snapshot.
 * `host` must already be lower-cased (drivers normalise it once per connection).
 *
 * @example
 * ```ts
 * roleOf(snapshot, 'mydb.c9akciq32.us-east-1.rds.amazonaws.com') // 'SOURCE'
 * ```
 */
export function roleOf(snapshot: BlueGreenSnapshot, host: string): Role | undefined {
  return snapshot.roleByHost.get(host) ?? snapshot.roleByIp.get(host)
}

function matches(match: RouteMatch, host: string, port: number, role: Role): boolean {
  if (match.role !== undefined && match.role !== role) return false
  if (match.host !== undefined && match.host !== host) return false
  return match.port === undefined || match.port === port
}

/**
 * Decides what a new connection to `target` does under `snapshot` (docs/design.md, "Routing"): the first
 * matching connect routing wins; hosts outside the deployment always pass. Pure; returns the route's own
 * decision object, so deciding allocates nothing.
 *
 * @example
 * ```ts
 * const decision = decideConnect(getStatus('1'), { host: 'mydb.c9akciq32.us-east-1.rds.amazonaws.com', port: 5432 })
 * if (decision.kind === 'substitute') dial(decision.address, decision.port)
 * ```
 */
export function decideConnect(
  snapshot: BlueGreenSnapshot | undefined,
  target: ConnectTarget,
): ConnectDecision {
  if (snapshot === undefined || snapshot.connectRoutes.length === 0) return PASS
  const host = target.host.toLowerCase()
  const role = roleOf(snapshot, host)
  if (role === undefined) return PASS
  const route = snapshot.connectRoutes.find((r) => matches(r.match, host, target.port, role))
  return route === undefined ? PASS : route.decision
}

/**
 * Decides whether a call on a connection to `target` is held: only while the switchover is in progress. Costs
 * one array-length check when nothing is routed, so it can run on every query. Pure.
 *
 * @example
 * ```ts
 * if (decideExecute(snapshot, target).kind === 'hold') await waitForNextSnapshot()
 * ```
 */
export function decideExecute(
  snapshot: BlueGreenSnapshot | undefined,
  target: ConnectTarget,
): ExecuteDecision {
  if (snapshot === undefined || snapshot.executeRoutes.length === 0) return PASS
  const host = target.host.toLowerCase()
  const role = roleOf(snapshot, host)
  if (role === undefined) return PASS
  return snapshot.executeRoutes.some((r) => matches(r.match, host, target.port, role)) ? HOLD : PASS
}
