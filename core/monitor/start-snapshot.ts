import type { Phase, Role, TopologyHost } from '../types.js'
import type { SnapshotKind } from './late-snapshot.js'
import { lateNames, lateTopology, reopensLateSnapshot, snapshotKind, withLateIps } from './late-snapshot.js'

/**
 * One side's start snapshot (spec §4.5, §4.6): its host names, start topology and start addresses, taken while
 * the coordinator collects (CREATED), or in PREPARATION by a monitor that had none, or late, at IN_PROGRESS or
 * POST, by a monitor that first sees the deployment then (docs/design.md, "Late metadata"). The monitor feeds it
 * each round's observations in order: {@link beginRound}, {@link sawRows}, {@link sawTopology}, {@link endRound},
 * {@link sawAddresses}.
 *
 * @example
 * ```ts
 * const snapshot = new StartSnapshot('TARGET')
 * snapshot.beginRound()
 * snapshot.sawRows('IN_PROGRESS', ['db-green-abc123.x.rds.amazonaws.com'], false)
 * snapshot.endRound('IN_PROGRESS')
 * snapshot.lateStart // 'IN_PROGRESS'
 * ```
 */
export class StartSnapshot {
  readonly #role: Role
  #hostNames: ReadonlySet<string> = new Set()
  #topology: readonly TopologyHost[] = []
  #ips: ReadonlyMap<string, string | undefined> = new Map()
  #lateStart: Phase | undefined
  /** Off after a reset until the metadata shows a phase from before a switchover again. */
  #lateAllowed = true
  /** This round's names, replacing the host names when the round snapshots: a name that disappeared is dropped. */
  #roundNames: Set<string> | undefined
  #roundLate = false
  /**
   * Whether what is held was taken while a deployment was visible. Before that the monitor polls a database with
   * no deployment (topology and names of whatever server it reached): the first rounds that see one take the
   * snapshot again, in PREPARATION too (without CREATED, whose rounds retake it anyway).
   */
  #withDeployment = false
  /** The same for the start addresses (resolved after the names, at the end of a round). */
  #ipsWithDeployment = false

  constructor(role: Role) {
    this.#role = role
  }

  /** Lower-cased host names of this side. */
  get hostNames(): ReadonlySet<string> {
    return this.#hostNames
  }

  get startTopology(): readonly TopologyHost[] {
    return this.#topology
  }

  get startIps(): ReadonlyMap<string, string | undefined> {
    return this.#ips
  }

  /** The phase of a late snapshot; `undefined` for a regular one (or none). */
  get lateStart(): Phase | undefined {
    return this.#lateStart
  }

  /** Forgets everything (rollback to CREATED, end of cycle); no late snapshot until a pre-switchover phase. */
  reset(): void {
    this.movedSide()
    this.#lateAllowed = false
  }

  /**
   * The monitor began on the other side's server (it moves to its own side's endpoint now): what it took there is
   * the other side's topology and names, so it is dropped and taken again on the right server. Without CREATED
   * rounds (which retake the snapshot) it would stay: a deployment first seen in PREPARATION paired blue with
   * itself.
   */
  movedSide(): void {
    this.#hostNames = new Set()
    this.#topology = []
    this.#ips = new Map()
    this.#lateStart = undefined
    this.#withDeployment = false
    this.#ipsWithDeployment = false
  }

  beginRound(): void {
    this.#roundNames = undefined
    this.#roundLate = false
  }

  /** The metadata said there is no deployment: a later switchover may be first seen late again. */
  absent(): void {
    this.#lateAllowed = true
  }

  /** The round read its side's rows: `phase` and the host names they carry. */
  sawRows(phase: Phase | undefined, names: readonly string[], collectTopology: boolean): void {
    if (reopensLateSnapshot(phase)) this.#lateAllowed = true
    const kind = this.#topologyKind(phase, collectTopology)
    if (kind !== 'none') this.#roundNames = new Set(names)
    this.#roundLate = kind === 'late'
  }

  /** The round read its side's topology. */
  sawTopology(phase: Phase | undefined, topology: readonly TopologyHost[], collectTopology: boolean): void {
    const kind = this.#topologyKind(phase, collectTopology)
    if (kind === 'none') return
    const start = kind === 'late' ? lateTopology(this.#role, topology) : topology
    this.#topology = start
    if (kind === 'start') this.#lateStart = undefined
    this.#roundLate = kind === 'late'
    this.#roundNames ??= new Set(this.#hostNames)
    for (const h of start) this.#roundNames.add(h.host)
  }

  /** Takes the round's names; a round whose rows name no host of this side keeps what is known. */
  endRound(phase: Phase | undefined): void {
    const names = this.#roundNames
    if (names === undefined) return
    const kept = this.#roundLate ? lateNames(this.#role, names) : names
    if (kept.size === 0) return
    this.#hostNames = kept
    if (this.#roundLate) this.#lateStart ??= phase
    if (showsDeployment(phase)) this.#withDeployment = true
  }

  /** The round resolved the names: the regular snapshot copies them; a late one keeps green names' addresses. */
  sawAddresses(
    phase: Phase | undefined,
    current: ReadonlyMap<string, string | undefined>,
    collectIps: boolean,
  ): void {
    const empty = this.#ips.size === 0 || !this.#ipsWithDeployment
    if (snapshotKind(phase, collectIps, empty, false) === 'start') this.#ips = current
    else if (this.#lateStart !== undefined) this.#ips = withLateIps(this.#ips, current)
    if (showsDeployment(phase)) this.#ipsWithDeployment = true
  }

  #topologyKind(phase: Phase | undefined, collectTopology: boolean): SnapshotKind {
    // Late only while nothing regular was captured: a monitor that knows its names keeps them.
    const fresh = !this.#withDeployment
    const lateAllowed =
      this.#lateAllowed && (this.#lateStart !== undefined || this.#hostNames.size === 0 || fresh)
    return snapshotKind(phase, collectTopology, this.#topology.length === 0 || fresh, lateAllowed)
  }
}

/** A round in this phase saw a deployment (rows of its side with a phase other than NOT_CREATED). */
function showsDeployment(phase: Phase | undefined): boolean {
  return phase !== undefined && phase !== 'NOT_CREATED'
}
