import { publishHoldEnd, publishHoldStart, publishReject, publishSubstitute } from '../channels.js'
import {
  BlueGreenConnectRejectedError,
  BlueGreenCorrespondingHostNotFoundError,
  BlueGreenHoldAbortedError,
  BlueGreenSwitchoverTimeoutError,
} from '../errors.js'
import type { Clock } from '../runtime.js'
import type { BlueGreenSnapshot, ConnectTarget } from '../types.js'
import { decideConnect, decideExecute } from './router.js'

/** The part of a coordinator that holds need; stable across module copies (ESM and CommonJS). */
export interface SnapshotSource {
  readonly bgdId: string
  snapshot(): BlueGreenSnapshot
  waitForChange(sequence: number, deadline: number, signal?: AbortSignal): Promise<boolean>
}

/** Where a new connection should dial. */
export type ConnectPlan =
  | { readonly kind: 'direct' }
  /** Dial `address:port`; keep the target's host name for TLS (servername) and authentication. */
  | { readonly kind: 'substitute'; readonly address: string; readonly port: number; readonly via: string }

const DIRECT: ConnectPlan = Object.freeze({ kind: 'direct' })

/**
 * Carries out the connect decision for `target` (spec §6.2): waits while held (event-driven, bounded by
 * `timeoutMs`), then returns where to dial, or throws a typed error (reject, timeout, abort).
 *
 * @example
 * ```ts
 * const plan = await routeConnect(coordinator, clock, { host, port }, 30_000)
 * const address = plan.kind === 'substitute' ? plan.address : host
 * ```
 */
export async function routeConnect(
  source: SnapshotSource,
  clock: Clock,
  target: ConnectTarget,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<ConnectPlan> {
  let snapshot = source.snapshot()
  let decision = decideConnect(snapshot, target)
  if (decision.kind === 'pass') return DIRECT
  const start = clock.now()
  const deadline = start + timeoutMs
  let holding = false
  for (;;) {
    switch (decision.kind) {
      case 'pass':
        if (holding) endHold(source, target, snapshot, 'connect', clock.now() - start, 'released')
        return DIRECT
      case 'substitute':
        if (holding) endHold(source, target, snapshot, 'connect', clock.now() - start, 'released')
        publishSubstitute({ bgdId: source.bgdId, host: target.host, phase: snapshot.phase, ...decision })
        return { kind: 'substitute', address: decision.address, port: decision.port, via: decision.via }
      case 'reject':
        if (holding) endHold(source, target, snapshot, 'connect', clock.now() - start, 'released')
        publishReject({ bgdId: source.bgdId, host: target.host, phase: snapshot.phase })
        throw new BlueGreenConnectRejectedError({ bgdId: source.bgdId, phase: snapshot.phase })
      case 'hold': {
        if (!holding) {
          holding = true
          publishHoldStart({ bgdId: source.bgdId, kind: 'connect', host: target.host, phase: snapshot.phase })
        }
        const changed = await source.waitForChange(snapshot.sequence, deadline, signal)
        snapshot = source.snapshot()
        decision = decideConnect(snapshot, target)
        if (changed || decision.kind !== 'hold') break
        // One last look after the deadline (JDBC #1923) before giving up.
        const heldMs = clock.now() - start
        const aborted = signal?.aborted === true
        endHold(source, target, snapshot, 'connect', heldMs, aborted ? 'aborted' : 'timeout')
        const options = { bgdId: source.bgdId, phase: snapshot.phase, cause: signal?.reason as unknown }
        if (aborted) throw new BlueGreenHoldAbortedError(options)
        if (decision.reason === 'corresponding-host') {
          throw new BlueGreenCorrespondingHostNotFoundError(target.host, timeoutMs, options)
        }
        throw BlueGreenSwitchoverTimeoutError.connect(timeoutMs, heldMs, options)
      }
    }
  }
}

/**
 * Holds a call on an existing connection to `target` while the switchover is in progress (spec §6.3). Returns
 * `undefined` synchronously when nothing is held, so the per-query cost is one array-length check.
 *
 * @example
 * ```ts
 * const hold = holdExecute(coordinator, clock, target, 30_000, 'query')
 * if (hold !== undefined) await hold
 * ```
 */
export function holdExecute(
  source: SnapshotSource,
  clock: Clock,
  target: ConnectTarget,
  timeoutMs: number,
  method: string,
  signal?: AbortSignal,
): Promise<void> | undefined {
  const snapshot = source.snapshot()
  if (decideExecute(snapshot, target).kind === 'pass') return undefined
  return waitExecute(source, clock, target, timeoutMs, method, snapshot, signal)
}

async function waitExecute(
  source: SnapshotSource,
  clock: Clock,
  target: ConnectTarget,
  timeoutMs: number,
  method: string,
  first: BlueGreenSnapshot,
  signal?: AbortSignal,
): Promise<void> {
  const start = clock.now()
  const deadline = start + timeoutMs
  let snapshot = first
  publishHoldStart({ bgdId: source.bgdId, kind: 'execute', host: target.host, phase: snapshot.phase })
  for (;;) {
    const changed = await source.waitForChange(snapshot.sequence, deadline, signal)
    snapshot = source.snapshot()
    if (decideExecute(snapshot, target).kind === 'pass') {
      endHold(source, target, snapshot, 'execute', clock.now() - start, 'released')
      return
    }
    if (changed) continue
    const heldMs = clock.now() - start
    const aborted = signal?.aborted === true
    endHold(source, target, snapshot, 'execute', heldMs, aborted ? 'aborted' : 'timeout')
    const options = { bgdId: source.bgdId, phase: snapshot.phase, cause: signal?.reason as unknown }
    if (aborted) throw new BlueGreenHoldAbortedError(options)
    throw BlueGreenSwitchoverTimeoutError.execute(timeoutMs, heldMs, method, options)
  }
}

function endHold(
  source: SnapshotSource,
  target: ConnectTarget,
  snapshot: BlueGreenSnapshot,
  kind: 'connect' | 'execute',
  durationMs: number,
  outcome: 'released' | 'timeout' | 'aborted',
): void {
  publishHoldEnd({ bgdId: source.bgdId, kind, host: target.host, phase: snapshot.phase, durationMs, outcome })
}
