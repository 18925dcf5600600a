import { phaseAtLeast } from '../phases.js'
import type { Phase } from '../phases.js'
import type { BlueGreenSnapshot, ConnectDecision, ConnectTarget, Role, RouteMatch } from '../types.js'

/**
 * What to do with a call on an existing connection: run it, hold it until the switchover moves on, or fail it
 * at once because it belongs to a transaction that cannot finish on this connection.
 */
export type ExecuteDecision =
  { readonly kind: 'pass' } | { readonly kind: 'hold' } | { readonly kind: 'interrupt' }

/** What a driver knows about the connection a call runs on. */
export interface ExecuteContext {
  /** The published phase when the connection's open transaction began; absent outside a transaction. */
  readonly transactionOpenedIn?: Phase | undefined
}

const PASS = Object.freeze({ kind: 'pass' } as const)
const HOLD = Object.freeze({ kind: 'hold' } as const)
const INTERRUPT = Object.freeze({ kind: 'interrupt' } as const)

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
 * Decides whether a call on a connection to `target` is held: only while the switchover is in progress. A
 * statement of a transaction opened on a blue connection before IN_PROGRESS is interrupted instead: the
 * switchover cuts that connection, so holding would only delay the failure (issue 12 item 4). Costs one
 * array-length check when nothing is routed, so it can run on every query. Pure.
 *
 * @example
 * ```ts
 * const decision = decideExecute(snapshot, target, { transactionOpenedIn: 'CREATED' })
 * if (decision.kind === 'interrupt') throw new BlueGreenTransactionInterruptedError({})
 * ```
 */
export function decideExecute(
  snapshot: BlueGreenSnapshot | undefined,
  target: ConnectTarget,
  context?: ExecuteContext,
): ExecuteDecision {
  if (snapshot === undefined || snapshot.executeRoutes.length === 0) return PASS
  const host = target.host.toLowerCase()
  const role = roleOf(snapshot, host)
  if (role === undefined) return PASS
  if (!snapshot.executeRoutes.some((r) => matches(r.match, host, target.port, role))) return PASS
  const openedIn = context?.transactionOpenedIn
  const doomed = role === 'SOURCE' && openedIn !== undefined && !phaseAtLeast(openedIn, 'IN_PROGRESS')
  return doomed ? INTERRUPT : HOLD
}

/**
 * Whether the switchover has cut the transaction a statement belongs to: the transaction began on a blue
 * connection before IN_PROGRESS, and the switchover has reached IN_PROGRESS or later (and is not rolling back).
 * Its connection is dead or on the fenced old blue, so the statement fails at once (issue 12 item 4) instead of
 * being held, or sent and lost. Pure; only evaluated for statements inside a transaction.
 *
 * @example
 * ```ts
 * transactionCut(snapshot, target, 'CREATED') // true in POST for a blue target
 * ```
 */
export function transactionCut(
  snapshot: BlueGreenSnapshot | undefined,
  target: ConnectTarget,
  openedIn: Phase,
): boolean {
  if (snapshot === undefined || snapshot.rollback || !phaseAtLeast(snapshot.phase, 'IN_PROGRESS'))
    return false
  if (phaseAtLeast(openedIn, 'IN_PROGRESS')) return false
  return roleOf(snapshot, target.host.toLowerCase()) === 'SOURCE'
}
