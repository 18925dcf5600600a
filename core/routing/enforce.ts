import { channel } from 'node:diagnostics_channel'
import {
  CHANNELS,
  publishEvict,
  publishHoldEnd,
  publishHoldStart,
  publishReject,
  publishSubstitute,
} from '../channels.js'
import type { DbSystem } from '../channels.js'
import {
  BlueGreenConnectRejectedError,
  BlueGreenCorrespondingHostNotFoundError,
  BlueGreenHoldAbortedError,
  BlueGreenSwitchoverTimeoutError,
  BlueGreenTransactionInterruptedError,
} from '../errors.js'
import type { Clock } from '../runtime.js'
import type { BlueGreenSnapshot, ConnectTarget, DialDecision, ExecuteKind } from '../types.js'
import { decideConnect, decideExecute, transactionCut } from './router.js'
import type { ExecuteContext, ExecuteDecision } from './router.js'

const holdEndChannel = channel(CHANNELS.holdEnd)
const INTERRUPTED: ExecuteDecision = Object.freeze({ kind: 'interrupt' })

/** The part of a coordinator that holds need; stable across module copies (ESM and CommonJS). */
export interface SnapshotSource {
  readonly bgdId: string
  /** The engine; events carry it (OpenTelemetry's `db.system.name`). */
  readonly dbSystem?: DbSystem | undefined
  snapshot(): BlueGreenSnapshot
  waitForChange(sequence: number, deadline: number, signal?: AbortSignal): Promise<boolean>
}

const PASS: DialDecision = Object.freeze({ kind: 'pass' })

/**
 * Carries out the connect decision for `target` (docs/design.md, "Routing"): waits while held (event-driven,
 * bounded by `timeoutMs`), then returns where to dial, or throws a typed error (reject, timeout).
 *
 * @example
 * ```ts
 * const dial = await routeConnect(coordinator, clock, { host, port }, 30_000)
 * const address = dial.kind === 'substitute' ? dial.address : host
 * ```
 */
export async function routeConnect(
  source: SnapshotSource,
  clock: Clock,
  target: ConnectTarget,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<DialDecision> {
  let snapshot = source.snapshot()
  let decision = decideConnect(snapshot, target)
  if (decision.kind === 'pass') return PASS
  const start = clock.now()
  const deadline = start + timeoutMs
  let holding = false
  const released = (): void => {
    if (holding) endHold(source, target, snapshot, 'connect', clock.now() - start, 'released')
  }
  for (;;) {
    switch (decision.kind) {
      case 'pass':
        released()
        return PASS
      case 'substitute':
        released()
        publishSubstitute({ ...ids(source), host: target.host, phase: snapshot.phase, ...decision })
        return decision
      case 'reject':
        released()
        publishReject({ ...ids(source), host: target.host, phase: snapshot.phase })
        throw new BlueGreenConnectRejectedError({ bgdId: source.bgdId, phase: snapshot.phase })
      case 'hold': {
        if (!holding) {
          holding = true
          publishHoldStart({ ...ids(source), kind: 'connect', host: target.host, phase: snapshot.phase })
        }
        const changed = await source.waitForChange(snapshot.sequence, deadline, signal)
        snapshot = source.snapshot()
        decision = decideConnect(snapshot, target)
        if (changed || decision.kind !== 'hold') break
        // One last look after the deadline (JDBC #1923) before giving up.
        const heldMs = clock.now() - start
        const aborted = signal?.aborted === true
        endHold(source, target, snapshot, 'connect', heldMs, aborted ? 'aborted' : 'timeout')
        if (aborted) {
          throw new BlueGreenHoldAbortedError({
            bgdId: source.bgdId,
            phase: snapshot.phase,
            cause: signal.reason,
          })
        }
        const options = { bgdId: source.bgdId, phase: snapshot.phase }
        if (decision.reason === 'corresponding-host') {
          throw new BlueGreenCorrespondingHostNotFoundError(target.host, timeoutMs, options)
        }
        throw BlueGreenSwitchoverTimeoutError.connect(timeoutMs, heldMs, options)
      }
    }
  }
}

/**
 * Holds a call on an existing connection to `target` while the switchover is in progress. Returns `undefined`
 * synchronously when nothing is held, so the per-query cost is one array-length check. A statement of a
 * transaction opened on blue before IN_PROGRESS (per `context`) is rejected at once with
 * {@link BlueGreenTransactionInterruptedError}; the driver then discards the connection.
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
  kind: ExecuteKind,
  context?: ExecuteContext,
): Promise<void> | undefined {
  const snapshot = source.snapshot()
  const openedIn = context?.transactionOpenedIn
  const cut = openedIn !== undefined && transactionCut(snapshot, target, openedIn)
  const decision = cut ? INTERRUPTED : decideExecute(snapshot, target, context)
  if (decision.kind === 'pass') return undefined
  if (decision.kind === 'interrupt') {
    // The driver takes the connection out of use on this error (its transaction is cut).
    publishEvict({
      ...ids(source),
      host: target.host,
      phase: snapshot.phase,
      reason: 'transaction-interrupted',
    })
    const error = new BlueGreenTransactionInterruptedError({ bgdId: source.bgdId, phase: snapshot.phase })
    return Promise.reject(error)
  }
  return waitExecute(source, clock, target, timeoutMs, kind, snapshot)
}

async function waitExecute(
  source: SnapshotSource,
  clock: Clock,
  target: ConnectTarget,
  timeoutMs: number,
  kind: ExecuteKind,
  first: BlueGreenSnapshot,
): Promise<void> {
  const start = clock.now()
  const deadline = start + timeoutMs
  let snapshot = first
  publishHoldStart({ ...ids(source), kind: 'execute', host: target.host, phase: snapshot.phase })
  for (;;) {
    const changed = await source.waitForChange(snapshot.sequence, deadline)
    snapshot = source.snapshot()
    if (decideExecute(snapshot, target).kind === 'pass') {
      endHold(source, target, snapshot, 'execute', clock.now() - start, 'released')
      return
    }
    if (changed) continue
    const heldMs = clock.now() - start
    endHold(source, target, snapshot, 'execute', heldMs, 'timeout')
    const options = { bgdId: source.bgdId, phase: snapshot.phase }
    throw BlueGreenSwitchoverTimeoutError.execute(timeoutMs, heldMs, kind, options)
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
  // Not even built when nobody listens: 10,000 held calls end in one pass, and building it cost 30 ms then.
  if (!holdEndChannel.hasSubscribers) return
  publishHoldEnd({ ...ids(source), kind, host: target.host, phase: snapshot.phase, durationMs, outcome })
}

/** The deployment fields of every event. */
function ids(source: SnapshotSource): { readonly bgdId: string; readonly dbSystem?: DbSystem } {
  return source.dbSystem === undefined
    ? { bgdId: source.bgdId }
    : { bgdId: source.bgdId, dbSystem: source.dbSystem }
}
