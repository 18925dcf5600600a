import { isGreenHost } from '../host-names.js'
import type { Phase, Role, TopologyHost } from '../types.js'
import { PHASE_ORDER, isActivePhase } from '../types.js'

/**
 * What a monitor round may do with its start snapshot (docs/design.md, "Late metadata"):
 * - `start`: take (or refresh) the regular snapshot, the picture from before the switchover;
 * - `late`: the monitor first sees the deployment at IN_PROGRESS or POST, with nothing captured before: keep
 *   what can still be known (the host list and the topology; addresses only of green names, see
 *   {@link withLateIps});
 * - `none`: keep what is known.
 */
export type SnapshotKind = 'none' | 'start' | 'late'

/**
 * Which snapshot a round may take. The coordinator allows the regular one while CREATED (`collected`); a
 * monitor with no snapshot at all (the process started after CREATED) also takes it in PREPARATION, when names
 * and DNS have not moved yet. From IN_PROGRESS on a round may already see the switchover (renamed hosts,
 * flipped DNS), so it never becomes the regular "before" picture: an empty monitor takes a late one instead,
 * unless `lateAllowed` is off (its snapshot was cleared at the end of a cycle, and metadata frozen at
 * IN_PROGRESS must not start a new one). COMPLETED: nothing left to protect.
 *
 * @example
 * ```ts
 * snapshotKind('PREPARATION', false, true, true) // 'start'
 * snapshotKind('IN_PROGRESS', false, true, true) // 'late'
 * snapshotKind('IN_PROGRESS', false, false, true) // 'none'
 * ```
 */
export function snapshotKind(
  phase: Phase | undefined,
  collected: boolean,
  empty: boolean,
  lateAllowed: boolean,
): SnapshotKind {
  if (phase === 'IN_PROGRESS' || phase === 'POST') return empty && lateAllowed ? 'late' : 'none'
  if (phase === 'COMPLETED') return 'none'
  if (collected) return phase === undefined || !isActivePhase(phase) || empty ? 'start' : 'none'
  return empty && phase === 'PREPARATION' ? 'start' : 'none'
}

/**
 * Whether a round's phase re-enables late snapshots after a reset: only a phase from before the switchover
 * (a new deployment, or a rollback) can start the next one.
 *
 * @example
 * ```ts
 * reopensLateSnapshot('CREATED') // true
 * reopensLateSnapshot('IN_PROGRESS') // false
 * ```
 */
export function reopensLateSnapshot(phase: Phase | undefined): boolean {
  return phase !== undefined && PHASE_ORDER[phase] < PHASE_ORDER.IN_PROGRESS
}

/**
 * The host names a late snapshot keeps. The blue side drops green-marked names: a blue monitor that reached
 * the green server through a name DNS already moved reads green's topology, and those hosts are not blue.
 *
 * @example
 * ```ts
 * lateNames('SOURCE', ['db.x.rds.amazonaws.com', 'db-green-abc123.x.rds.amazonaws.com']) // ['db.x.rds.amazonaws.com']
 * ```
 */
export function lateNames(role: Role, names: Iterable<string>): Set<string> {
  const kept = new Set<string>()
  for (const name of names) if (role === 'TARGET' || !isGreenHost(name)) kept.add(name)
  return kept
}

/**
 * The topology a late snapshot keeps (same rule as {@link lateNames}).
 *
 * @example
 * ```ts
 * lateTopology('SOURCE', greenTopology) // []
 * ```
 */
export function lateTopology(role: Role, topology: readonly TopologyHost[]): readonly TopologyHost[] {
  return role === 'TARGET' ? topology : topology.filter((h) => !isGreenHost(h.host))
}

/**
 * The start addresses of a late snapshot, filled in round by round: only green-marked names, which resolve to
 * the green servers until green DNS is removed. An address resolved now for a blue name is suspect (DNS may
 * already point at green, or still at the old blue), and as a start address it would make the green server
 * look like the old blue one. A name that does not resolve is not recorded (it may be gone already).
 *
 * @example
 * ```ts
 * withLateIps(new Map(), new Map([['db-green-abc123.x.rds.amazonaws.com', '10.0.0.2'], ['db.x.rds.amazonaws.com', '10.0.0.2']]))
 * // Map { 'db-green-abc123.x.rds.amazonaws.com' => '10.0.0.2' }
 * ```
 */
export function withLateIps(
  start: ReadonlyMap<string, string | undefined>,
  current: ReadonlyMap<string, string | undefined>,
): ReadonlyMap<string, string | undefined> {
  let next: Map<string, string | undefined> | undefined
  for (const [host, ip] of current) {
    if (ip === undefined || start.has(host) || !isGreenHost(host)) continue
    next ??= new Map(start)
    next.set(host, ip)
  }
  return next ?? start
}
