/**
 * Blue/Green options as the user writes them, and the frozen, validated form the core uses (spec §8.1).
 * TODO(core-leaf helper): implement resolveOptions().
 */

/** Options of the Blue/Green plugin, as given on a connection config (`blueGreen: {...}`) or as `bg*` keys. */
export interface BlueGreenOptions {
  /** Groups every connection of one deployment in this process. Default `"1"`; trimmed and lower-cased. */
  bgdId?: string
  /** Longest hold of a new connection while the switchover is in progress. Default 30000. */
  bgConnectTimeoutMs?: number
  /** Longest hold of a call on an existing connection. Default: `bgConnectTimeoutMs`. */
  bgExecuteTimeoutMs?: number
  /** Polling interval while no deployment exists. Default 60000 (keep below 900000). */
  bgBaselineMs?: number
  /** Polling interval while the deployment exists (CREATED). Default 1000 (500–2000). */
  bgIncreasedMs?: number
  /** Polling interval during the switchover and while a monitor has no connection. Default 100 (50–500). */
  bgHighMs?: number
  /** Longest switchover, from the first active phase seen; then routing is dropped. Default 180000. */
  bgSwitchoverTimeoutMs?: number
  /** Treat IN_PROGRESS as POST once every blue instance name resolves to a new address. Default true. */
  bgReleaseOnBlueDnsUpdate?: boolean
  /** Close idle pooled connections to blue hosts when the switchover starts. Default true. */
  bgDropBlueConnections?: boolean
  /** Deprecated: new blue connections are always held while IN_PROGRESS. Accepted with one warning. */
  bgSuspendNewBlueConnections?: boolean
  /** Overrides for the monitoring connections (for example `{ connectTimeoutMs: 5000, user: 'monitor' }`). */
  monitoring?: Readonly<Record<string, unknown>>
}

/** The validated, frozen options. */
export interface ResolvedOptions {
  readonly bgdId: string
  readonly connectTimeoutMs: number
  readonly executeTimeoutMs: number
  readonly baselineMs: number
  readonly increasedMs: number
  readonly highMs: number
  readonly switchoverTimeoutMs: number
  readonly releaseOnBlueDnsUpdate: boolean
  readonly dropBlueConnections: boolean
  /** Monitoring-connection overrides, from `monitoring` and the `blue-green-monitoring-*` keys. */
  readonly monitoring: Readonly<Record<string, unknown>>
}
