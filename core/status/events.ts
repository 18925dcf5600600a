import type { ArmedEvent, DbSystem, PhaseEvent } from '../channels.js'
import type { MetadataDiagnosis } from '../metadata/diagnosis.js'
import type { SharedStatus } from '../fleet/wire.js'
import type { MonitorControl } from '../monitor/side-monitor.js'
import type { BlueGreenSnapshot, InterimStatus, Role } from '../types.js'
import type { ArmedLog, UnreadableMetadata } from './armed.js'
import type { MonitorFault } from './armed-reasons.js'
import type { Cycle, Instant } from './cycle.js'

/** The fixed facts of one deployment's coordinator. */
export interface CoordinatorConfig {
  readonly bgdId: string
  readonly switchoverTimeoutMs: number
  readonly releaseOnBlueDnsUpdate: boolean
  /** The engine, for the `rds-bluegreen:armed` channel (OpenTelemetry's `db.system.name`). */
  readonly dbSystem?: DbSystem | undefined
}

/** Everything the reducer knows; the shell keeps the latest and feeds it back with the next event. */
export interface CoordinatorState {
  readonly config: CoordinatorConfig
  readonly cycle: Cycle
  /** The last snapshot built (the next one's sequence follows it). */
  readonly snapshot: BlueGreenSnapshot
  /** Sides whose metadata is not readable, until they read rows again. */
  readonly unreadable: ReadonlyMap<Role, UnreadableMetadata>
  /**
   * Sides with a monitoring fault. A side that reads again is `recovering` until its next interim status, so the
   * armed state never judges the stale interim of the failed rounds (it would say "no deployment").
   */
  readonly faults: ReadonlyMap<Role, { readonly fault: MonitorFault; readonly recovering: boolean }>
  /** Sides whose monitor read the metadata at least once in this coordinator. */
  readonly read: ReadonlySet<Role>
  /** What was already logged about the armed state. */
  readonly armedLog: ArmedLog
  readonly closed: boolean
}

/**
 * What happens to a coordinator. DNS changes arrive inside a side's interim status (its monitor resolves the
 * names and computes the DNS flags), so they are not a separate event.
 */
export type CoordinatorEvent =
  /** One side's monitor finished a polling round. */
  | { readonly type: 'interim'; readonly role: Role; readonly interim: InterimStatus; readonly at: Instant }
  /** One side's monitor found no readable metadata; `diagnosis` says why as precisely as the server tells. */
  | {
      readonly type: 'unavailable'
      readonly role: Role
      readonly reason: string
      readonly diagnosis?: MetadataDiagnosis | undefined
      /** Monotonic ms; absent in older callers (the armed grace then waits for the next event). */
      readonly at?: Instant | undefined
    }
  /** One side's monitor hit a fault a user must fix, or (`fault` undefined) read again after one. */
  | {
      readonly type: 'fault'
      readonly role: Role
      readonly fault: MonitorFault | undefined
      readonly at: Instant
    }
  /** The switchover timer scheduled by a `schedule-timer` effect fired. */
  | { readonly type: 'timer-fired'; readonly at: Instant }
  /** A follower received its fleet leader's status (README, "Fleets"): it becomes the snapshot as it is. */
  | { readonly type: 'remote'; readonly status: SharedStatus; readonly at: Instant }
  /** The last holder released the deployment. */
  | { readonly type: 'closed' }

/** What the shell does on the reducer's behalf, in order. */
export type CoordinatorEffect =
  /**
   * Make `snapshot` current and wake held connects and calls; `phaseChange` goes to the phase channel, and
   * subscribers are told unless `notify` is false (closing releases holds without announcing a state).
   */
  | {
      readonly type: 'publish'
      readonly snapshot: BlueGreenSnapshot
      readonly phaseChange: PhaseEvent | undefined
      readonly notify: boolean
    }
  | {
      readonly type: 'log'
      readonly level: 'debug' | 'info' | 'warn'
      readonly message: string
      /** Written only the first time this key is seen in the process (all coordinators, all module copies). */
      readonly once?: string
    }
  /** The armed state changed: tell the `rds-bluegreen:armed` channel. */
  | { readonly type: 'armed'; readonly event: ArmedEvent }
  /** Replace any pending switchover timer with one firing after `delayMs`. */
  | { readonly type: 'schedule-timer'; readonly delayMs: number }
  | { readonly type: 'cancel-timer' }
  /** Tell both monitors how to poll; `resetCollected` makes them forget the start topology and IPs. */
  | { readonly type: 'control-monitors'; readonly control: MonitorControl; readonly resetCollected: boolean }
  /** Replace both monitors with fresh ones (a new cycle starts from the initial host). */
  | { readonly type: 'restart-monitors' }

/** One reducer step. */
export interface Transition {
  readonly state: CoordinatorState
  readonly effects: readonly CoordinatorEffect[]
}
