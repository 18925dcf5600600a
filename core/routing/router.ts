import type { BlueGreenSnapshot, ConnectTarget, Role, RouteMatch } from '../types.js'

/** What to do with a new connection. */
export type ConnectDecision =
  | { readonly kind: 'pass' }
  /** Wait for the next snapshot: the switchover is in progress, or a blue host has no green pair yet. */
  | { readonly kind: 'hold'; readonly reason: 'in-progress' | 'corresponding-host'; readonly role: Role }
  /** Dial `address:port` instead, keeping the target's host name for TLS and authentication. */
  | {
      readonly kind: 'substitute'
      readonly address: string
      readonly port: number
      readonly via: string
      readonly role: Role
    }
  | { readonly kind: 'reject'; readonly role: Role }

/** What to do with a call on an existing connection. */
export type ExecuteDecision = { readonly kind: 'pass' } | { readonly kind: 'hold'; readonly role: Role }

const PASS = Object.freeze({ kind: 'pass' } as const)

/**
 * The side a target belongs to: by lower-cased host name, or by an IP captured in a start snapshot.
 * `host` must already be lower-cased (drivers normalise it once per connection).
 */
export function roleOf(snapshot: BlueGreenSnapshot, host: string): Role | undefined {
  return snapshot.roleByHost.get(host) ?? snapshot.roleByIp.get(host)
}

function matches(match: RouteMatch, host: string, port: number, role: Role): boolean {
  if (match.role !== undefined && match.role !== role) return false
  if (match.hostKey === undefined) return true
  return match.hostKey === host || match.hostKey === `${host}:${port}`
}

/**
 * Decides what a new connection to `target` does under `snapshot` (spec §6.2, §6.4): the first matching connect
 * routing wins; hosts outside the deployment always pass. Pure.
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
  if (route === undefined) return PASS
  const { action } = route
  switch (action.kind) {
    case 'hold':
      return { kind: 'hold', reason: 'in-progress', role }
    case 'hold-until-corresponding':
      return { kind: 'hold', reason: 'corresponding-host', role }
    case 'substitute':
      return { kind: 'substitute', address: action.address, port: action.port, via: action.via, role }
    case 'reject':
      return { kind: 'reject', role }
  }
}

/**
 * Decides whether a call on a connection to `target` is held (spec §6.3): only while the switchover is in
 * progress. Costs one array-length check when nothing is routed, so it can run on every query. Pure.
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
  const route = snapshot.executeRoutes.find((r) => matches(r.match, host, target.port, role))
  return route === undefined ? PASS : { kind: 'hold', role }
}
