import type { ResolvedOptions } from '../options.js'
import type { Clock, Logger } from '../runtime.js'
import type { BlueGreenSnapshot } from '../types.js'
import type { StatusChannel } from './status-channel.js'
import type { SharedStatus } from './wire.js'

/** What a fleet member drives in its coordinator. */
export interface FleetMemberDeps {
  readonly bgdId: string
  readonly channel: StatusChannel
  readonly options: ResolvedOptions
  readonly clock: Clock
  readonly logger: Logger
  /** Jitter source in [0, 1); `Math.random` by default. */
  readonly random?: () => number
  /** The coordinator's latest snapshot. */
  snapshot(): BlueGreenSnapshot
  /** Starts this process's own monitors (no-op when they run). */
  startMonitors(): void
  /** Stops them (no-op when none run). */
  stopMonitors(): void
  /** Makes the leader's status this process's snapshot. */
  apply(status: SharedStatus): void
}

/** `leader` monitors and publishes; `follower` applies; `fallback` monitors on its own, trusting no channel. */
export type FleetRole = 'joining' | 'leader' | 'follower' | 'fallback' | 'stopped'
