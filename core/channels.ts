import { channel } from 'node:diagnostics_channel'
import type { ArmedState, Phase } from './types.js'

/**
 * `node:diagnostics_channel` channels. Names are process-global, so every copy of the library (ESM and CommonJS)
 * publishes to the same channels. Payloads never carry credentials.
 *
 * @example
 * ```ts
 * import { subscribe } from 'node:diagnostics_channel'
 * subscribe('rds-bluegreen:phase', (event) => console.log(event))
 * ```
 */
export const CHANNELS = {
  phase: 'rds-bluegreen:phase',
  holdStart: 'rds-bluegreen:hold:start',
  holdEnd: 'rds-bluegreen:hold:end',
  substitute: 'rds-bluegreen:substitute',
  reject: 'rds-bluegreen:reject',
  evict: 'rds-bluegreen:evict',
  armed: 'rds-bluegreen:armed',
} as const

/**
 * The engine of a deployment, named as OpenTelemetry's `db.system.name` names it.
 *
 * @example
 * ```ts
 * const system: DbSystem = 'postgresql'
 * ```
 */
export type DbSystem = 'postgresql' | 'mysql'

/**
 * A published phase change.
 *
 * @example
 * ```ts
 * subscribe(CHANNELS.phase, (event) => console.log(event))
 * ```
 */
export interface PhaseEvent {
  readonly bgdId: string
  readonly phase: Phase
  readonly previous: Phase
  readonly rollback: boolean
}

/**
 * A connect or call held while the switchover is in progress.
 *
 * @example
 * ```ts
 * subscribe(CHANNELS.holdEnd, (event) => console.log(event))
 * ```
 */
export interface HoldEvent {
  readonly bgdId: string
  /** The deployment's engine, when its metadata source is pg's or mysql2's. */
  readonly dbSystem?: DbSystem
  readonly kind: 'connect' | 'execute'
  readonly host: string
  readonly phase: Phase
  /** Set on `hold:end`. */
  readonly durationMs?: number
  readonly outcome?: 'released' | 'timeout' | 'aborted'
}

/**
 * A new connection sent to another address.
 *
 * @example
 * ```ts
 * subscribe(CHANNELS.substitute, (event) => console.log(event))
 * ```
 */
export interface SubstituteEvent {
  readonly bgdId: string
  readonly dbSystem?: DbSystem
  readonly host: string
  readonly address: string
  readonly port: number
  readonly via: string
  readonly phase: Phase
}

/**
 * A new connection refused.
 *
 * @example
 * ```ts
 * subscribe(CHANNELS.reject, (event) => console.log(event))
 * ```
 */
export interface RejectEvent {
  readonly bgdId: string
  readonly dbSystem?: DbSystem
  readonly host: string
  readonly phase: Phase
}

/**
 * An open connection taken out of use because what it answered shows it can no longer serve the application: a
 * read-only error from a server that should accept writes (the old blue after a switchover, a demoted writer),
 * or a statement of a transaction the switchover interrupted.
 *
 * @example
 * ```ts
 * subscribe(CHANNELS.evict, (event) => console.log(event.reason, event.host))
 * ```
 */
export interface EvictEvent {
  readonly bgdId: string
  readonly dbSystem?: DbSystem
  readonly host: string
  readonly phase: Phase
  readonly reason: 'read-only' | 'transaction-interrupted'
}

/**
 * The armed state of a deployment changed (docs/design.md, "Armed"): protection became armed, or cannot be and
 * why, with the fix. Published on every change of verdict or pairs.
 *
 * @example
 * ```ts
 * subscribe(CHANNELS.armed, (event) => { if (!event.armed) alert(`${event.reason}; fix: ${event.fix}`) })
 * ```
 */
export interface ArmedEvent extends ArmedState {
  readonly bgdId: string
  readonly dbSystem?: DbSystem
  /** The published phase at the time. */
  readonly phase: Phase
}

const phaseChannel = channel(CHANNELS.phase)
const holdStartChannel = channel(CHANNELS.holdStart)
const holdEndChannel = channel(CHANNELS.holdEnd)
const substituteChannel = channel(CHANNELS.substitute)
const rejectChannel = channel(CHANNELS.reject)
const evictChannel = channel(CHANNELS.evict)
const armedChannel = channel(CHANNELS.armed)

export function publishPhase(event: PhaseEvent): void {
  if (phaseChannel.hasSubscribers) phaseChannel.publish(event)
}

export function publishHoldStart(event: HoldEvent): void {
  if (holdStartChannel.hasSubscribers) holdStartChannel.publish(event)
}

export function publishHoldEnd(event: HoldEvent): void {
  if (holdEndChannel.hasSubscribers) holdEndChannel.publish(event)
}

export function publishSubstitute(event: SubstituteEvent): void {
  if (substituteChannel.hasSubscribers) substituteChannel.publish(event)
}

export function publishReject(event: RejectEvent): void {
  if (rejectChannel.hasSubscribers) rejectChannel.publish(event)
}

export function publishEvict(event: EvictEvent): void {
  if (evictChannel.hasSubscribers) evictChannel.publish(event)
}

export function publishArmed(event: ArmedEvent): void {
  if (armedChannel.hasSubscribers) armedChannel.publish(event)
}
