import type { MetadataDiagnosis } from '../metadata/diagnosis.js'
import type { MetadataSource } from '../metadata/source.js'
import type { ResolvedOptions } from '../options.js'
import type { Clock, Logger, Resolver } from '../runtime.js'
import type { MonitorFault } from '../status/armed-reasons.js'
import type { ConnectTarget, InterimStatus, Role } from '../types.js'

/** Polling rate names (spec §4.4). */
export type IntervalRate = 'BASELINE' | 'INCREASED' | 'HIGH'

/** What the coordinator tells a monitor after each published phase (spec §5.7). */
export interface MonitorControl {
  readonly rate: IntervalRate
  readonly collectIps: boolean
  readonly collectTopology: boolean
  readonly useIpAddress: boolean
}

/** Everything a monitor needs, injected. */
export interface SideMonitorDeps {
  readonly role: Role
  readonly bgdId: string
  readonly initialHost: ConnectTarget
  readonly source: MetadataSource
  readonly resolver: Resolver
  readonly clock: Clock
  readonly logger: Logger
  readonly options: ResolvedOptions
  readonly onInterim: (role: Role, interim: InterimStatus) => void
  /** Called after every read that found no readable metadata (`diagnosis`: why, when the source tells). */
  readonly onUnavailable: (role: Role, reason: string, diagnosis?: MetadataDiagnosis) => void
  /** A fault a user must fix (a raising query, a refused monitoring user), or `undefined` once reads work again. */
  readonly onFault?: (role: Role, fault: MonitorFault | undefined) => void
}
