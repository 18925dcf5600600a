/**
 * The vocabulary of a Blue/Green Deployment as the library sees it: phases, roles and the immutable data that
 * monitors, the coordinator and the router exchange.
 */

/** Phases in switchover order; the index is the phase's ordinal (spec §2.5). */
export const PHASES = ['NOT_CREATED', 'CREATED', 'PREPARATION', 'IN_PROGRESS', 'POST', 'COMPLETED'] as const

/** The library's normalised switchover state. */
export type Phase = (typeof PHASES)[number]

/** Ordinal of each phase; the coordinator never moves backwards except on rollback. */
export const PHASE_ORDER: Readonly<Record<Phase, number>> = {
  NOT_CREATED: 0,
  CREATED: 1,
  PREPARATION: 2,
  IN_PROGRESS: 3,
  POST: 4,
  COMPLETED: 5,
}

/** Phases that belong to a switchover (spec §2.5 `isActiveSwitchoverOrCompleted`). */
export function isActivePhase(phase: Phase): boolean {
  return PHASE_ORDER[phase] >= PHASE_ORDER.PREPARATION
}

/** Blue is the SOURCE of the deployment, green is the TARGET. */
export const ROLES = ['SOURCE', 'TARGET'] as const

/** The side of the deployment a host belongs to. */
export type Role = (typeof ROLES)[number]

/** Role of an instance inside one side's topology. */
export type HostRole = 'WRITER' | 'READER'

/** One instance of a side, as seen by that side's topology. */
export interface TopologyHost {
  /** Lower-cased DNS name of the instance endpoint. */
  readonly host: string
  readonly port: number
  readonly role: HostRole
}

/** One parsed row of the Blue/Green metadata (spec §2.2), already validated. */
export interface MetadataRow {
  /** Lower-cased endpoint. */
  readonly endpoint: string
  readonly port: number
  readonly role: Role
  readonly phase: Phase
  readonly version: string
}

/**
 * What one side's monitor observed in one polling round (spec §4.2 step 7). `phase` is `undefined` when the
 * monitor has no rows for its role (normal after a switchover).
 */
export interface InterimStatus {
  readonly phase: Phase | undefined
  readonly version: string
  /** Port of the side's primary endpoint, or -1 when unknown. */
  readonly port: number
  /** Lower-cased host names that belong to this side (status rows, derived reader endpoint, topology). */
  readonly hostNames: ReadonlySet<string>
  readonly startTopology: readonly TopologyHost[]
  readonly currentTopology: readonly TopologyHost[]
  /** Host → IP, `undefined` where the name did not resolve. Frozen from PREPARATION on. */
  readonly startIpByHost: ReadonlyMap<string, string | undefined>
  readonly currentIpByHost: ReadonlyMap<string, string | undefined>
  /** Every start-topology host now resolves to a different IP ("Blue DNS updated" on the SOURCE side). */
  readonly allStartTopologyIpChanged: boolean
  /** Every start-topology host no longer resolves ("Green DNS removed" on the TARGET side). */
  readonly allStartTopologyEndpointsRemoved: boolean
  /** No current-topology host name appears in the start topology ("Green topology changed"). */
  readonly allTopologyChanged: boolean
}

/** Where a connection goes: a host name (or IP) and a port, as the application configured it. */
export interface ConnectTarget {
  readonly host: string
  readonly port: number
}

/** Matches a routing against a target: by lower-cased `host` / `host:port` key, by role, or both. */
export interface RouteMatch {
  /** `host` or `host:port`, lower-cased; absent matches every host. */
  readonly hostKey?: string
  /** Absent matches every role. */
  readonly role?: Role
}

/** What a new connection does (spec §6.5), as data. */
export type ConnectAction =
  | { readonly kind: 'hold' }
  | { readonly kind: 'hold-until-corresponding'; readonly blueHost: string }
  | {
      readonly kind: 'substitute'
      /** The IP to dial (or a host name when no IP was captured). */
      readonly address: string
      readonly port: number
      /** The host whose address this is (the blue host itself in PREPARATION, its green pair in POST). */
      readonly via: string
    }
  | { readonly kind: 'reject' }

/** A connect routing: the first one whose match fits a target decides. */
export interface ConnectRoute {
  readonly match: RouteMatch
  readonly action: ConnectAction
}

/** An execute routing: calls on an existing connection that match are held. */
export interface ExecuteRoute {
  readonly match: RouteMatch
}

/** Blue host → its green counterpart (`undefined` while none is known). */
export interface HostPair {
  readonly blue: string
  readonly green: string | undefined
}

/**
 * The published state of one deployment: one immutable object per change. The router reads it without locks;
 * publishing a new one wakes every held connect and query.
 */
export interface BlueGreenSnapshot {
  readonly bgdId: string
  /** Increases by one with every published snapshot of this deployment. */
  readonly sequence: number
  readonly phase: Phase
  readonly rollback: boolean
  /** Lower-cased host → side; empty while NOT_CREATED, so nothing is routed. */
  readonly roleByHost: ReadonlyMap<string, Role>
  /** IP → side, for targets given as an IP captured in a start snapshot. */
  readonly roleByIp: ReadonlyMap<string, Role>
  /** Host → IP captured while CREATED (union of both sides). */
  readonly ipByHost: ReadonlyMap<string, string>
  /** Blue host → pair, keyed by the lower-cased blue host name. */
  readonly correspondingHosts: ReadonlyMap<string, HostPair>
  readonly connectRoutes: readonly ConnectRoute[]
  readonly executeRoutes: readonly ExecuteRoute[]
  /** Flags latched during this switchover cycle. */
  readonly blueDnsUpdated: boolean
  readonly greenDnsRemoved: boolean
  readonly greenTopologyChanged: boolean
  /** Monotonic ms of publication. */
  readonly publishedAt: number
}
