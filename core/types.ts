/**
 * The vocabulary of a Blue/Green Deployment as the library sees it: phases, roles and the immutable data that
 * monitors, the coordinator and the router exchange.
 */

import type { Phase } from './phases.js'

// Phases live in phases.ts with their predicates; re-exported here because every layer imports its vocabulary
// from this file.
export { PHASES, PHASE_ORDER, isActivePhase } from './phases.js'
export type { Phase } from './phases.js'

/** Blue is the SOURCE of the deployment, green is the TARGET. */
export const ROLES = ['SOURCE', 'TARGET'] as const

/**
 * The side of the deployment a host belongs to: SOURCE is blue, TARGET is green.
 *
 * @example
 * ```ts
 * getStatus('1')?.roleByHost.get('mydb.c9akciq32.us-east-1.rds.amazonaws.com') // 'SOURCE'
 * ```
 */
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

/** One parsed row of the Blue/Green metadata (docs/design.md, "Metadata"), already validated. */
export interface MetadataRow {
  /** Lower-cased endpoint. */
  readonly endpoint: string
  readonly port: number
  readonly role: Role
  readonly phase: Phase
  readonly version: string
}

/**
 * What one side's monitor observed in one polling round (docs/design.md, "Metadata"). `phase` is `undefined` when the
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
  /**
   * The phase (IN_PROGRESS or POST) in which the start snapshot was taken when the monitor first saw the
   * deployment that late (docs/design.md, "Late metadata"): the snapshot then holds no address resolved for a
   * blue name, and only green names' addresses. Absent for a snapshot taken before the switchover.
   */
  readonly lateStart?: Phase | undefined
}

/** Where a connection goes: a host name (or IP) and a port, as the application configured it. */
export interface ConnectTarget {
  readonly host: string
  readonly port: number
}

/**
 * Which targets a routing applies to. A route without `host` applies to every host of its role; one without
 * `port` to every port of its host.
 */
export interface RouteMatch {
  /** Lower-cased host name (or captured IP). */
  readonly host?: string
  readonly port?: number
  /** Absent matches every role. */
  readonly role?: Role
}

/**
 * What a new connection does: the one decision type from the summary (as a route's action) through the router
 * to the enforcement of a connect.
 */
export type ConnectDecision =
  | { readonly kind: 'pass' }
  /** Wait for the next snapshot: the switchover is in progress, or a blue host has no green pair yet. */
  | { readonly kind: 'hold'; readonly reason: 'in-progress' | 'corresponding-host' }
  | {
      readonly kind: 'substitute'
      /** The IP to dial (or a host name when no IP was captured). */
      readonly address: string
      readonly port: number
      /** The host whose address this is (the blue host itself in PREPARATION, its green pair in POST). */
      readonly via: string
    }
  | { readonly kind: 'reject' }

/** Where a connect finally dials once holds are over: as configured, or to a substituted address. */
export type DialDecision = Extract<ConnectDecision, { readonly kind: 'pass' | 'substitute' }>

/** A connect routing: the first one whose match fits a target decides. */
export interface ConnectRoute {
  readonly match: RouteMatch
  readonly decision: ConnectDecision
}

/** An execute routing: calls on an existing connection that match are held. */
export interface ExecuteRoute {
  readonly match: RouteMatch
}

/**
 * What a held call was about to do, for the timeout message ("Try 'query' again later"): a statement, a pool
 * checkout through the driver's `connect`, or knex's `acquireConnection`.
 */
export type ExecuteKind = 'query' | 'connect' | 'acquireConnection'

/** Blue host → its green counterpart (`undefined` while none is known). */
export interface HostPair {
  readonly blue: string
  readonly green: string | undefined
}

/**
 * Why switchover protection is, or is not, armed (`docs/design.md`, "Armed"): `armed` once every blue host is
 * paired with its green counterpart; otherwise the first obstacle found.
 *
 * @example
 * ```ts
 * if (getStatus('orders')?.armed.code === 'not-permitted') console.log(getStatus('orders')?.armed.fix)
 * ```
 */
export type ArmedCode =
  /** Every blue host has its green counterpart: PREPARATION, IN_PROGRESS and POST will be routed. */
  | 'armed'
  /** Nothing read yet. */
  | 'starting'
  /** The server has no Blue/Green metadata function or table (extension not installed, not RDS). */
  | 'no-metadata'
  /** The metadata exists but this user may not read it (a GRANT is missing). */
  | 'not-permitted'
  /** A metadata function not owned by RDS (or a superuser) is ignored. */
  | 'untrusted-metadata'
  /** The engine version has no Blue/Green metadata yet. */
  | 'engine-too-old'
  /** `rds_tools` is installed in a version without `show_topology`. */
  | 'extension-outdated'
  /** The metadata is readable and names no Blue/Green deployment. */
  | 'no-deployment'
  /** The metadata query raises. */
  | 'metadata-failing'
  /** The server refuses the monitoring connection (authentication, database access). */
  | 'monitoring-refused'
  /** The monitors could not connect yet (network, DNS, TLS). */
  | 'unreachable'
  /** The deployment exists but a blue host has no known green counterpart yet. */
  | 'green-unknown'
  /** The switchover finished; nothing to protect until a new deployment exists. */
  | 'switchover-over'

/** One blue host, its green counterpart and the addresses the library dials for them. */
export interface ArmedPair {
  readonly blue: string
  /** Where a new connection to the blue name goes in PREPARATION (captured while CREATED). */
  readonly blueIp: string | undefined
  readonly green: string | undefined
  /** Where a new connection to the blue name goes in POST. */
  readonly greenIp: string | undefined
}

/**
 * Whether this process is ready to protect its connections through a switchover, and if not why and how to fix
 * it. `rds-bluegreen check` prints the same reason and fix.
 *
 * @example
 * ```ts
 * const { armed, reason, fix } = getStatus('orders')!.armed
 * if (!armed) console.warn(`not armed: ${reason}; fix: ${fix}`)
 * ```
 */
export interface ArmedState {
  readonly armed: boolean
  readonly code: ArmedCode
  /** What was found, in words (server messages included, never credentials). */
  readonly reason: string
  /** The statement to run or the change to make; `undefined` when there is nothing to fix. */
  readonly fix: string | undefined
  /** Every known blue host, sorted, with its counterpart and addresses. */
  readonly pairs: readonly ArmedPair[]
}

/**
 * The published state of one deployment: one immutable object per change. The router reads it without locks;
 * publishing a new one wakes every held connect and query.
 *
 * @example
 * ```ts
 * const snapshot = getStatus('orders')
 * if (snapshot?.phase === 'IN_PROGRESS') console.log('switchover in progress')
 * ```
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
  /** Whether switchover protection is armed, and if not why and how to fix it. */
  readonly armed: ArmedState
  /** Flags latched during this switchover cycle. */
  readonly blueDnsUpdated: boolean
  readonly greenDnsRemoved: boolean
  readonly greenTopologyChanged: boolean
  /** Monotonic ms of publication. */
  readonly publishedAt: number
}
