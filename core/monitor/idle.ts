import type { MetadataConnection } from '../metadata/source.js'
import { prepareInterim } from '../status/cycle.js'
import type { InterimStatus, Phase, Role, TopologyHost } from '../types.js'
import { withTimeout } from './deadline.js'
import type { MonitorControl } from './monitor-types.js'
import { computeSideFlags } from './side-flags.js'
import type { StartSnapshot } from './start-snapshot.js'

/**
 * Whether a monitor lets its connection go at the end of a round (issue 15 item 1): its status read answered
 * "no deployment here" (metadata absent, not readable, or NOT_CREATED) while the coordinator polls at the
 * baseline rate, so nothing is going on. Most servers never have a deployment; they then see one short session
 * per side per `bgBaselineMs` instead of two sessions held for the life of the process. From CREATED on (the
 * coordinator polls faster then, and a side reading rows is never idle) the connection is kept, through the
 * switchover and COMPLETED, until the metadata is gone again. Asked after the round's report, so the control the
 * coordinator set on it decides. A query that raises keeps its connection as before:
 * reconnecting to a server whose metadata fails only adds sessions (spec §10, N12).
 *
 * @example
 * ```ts
 * idleAfterRound(true, { rate: 'BASELINE', collectIps: false, collectTopology: false, useIpAddress: false }) // true
 * ```
 */
export function idleAfterRound(absent: boolean, control: MonitorControl): boolean {
  return absent && control.rate === 'BASELINE'
}

/**
 * Closes `connection` without ever throwing (a close that rejects, or throws before returning a promise, is
 * swallowed), waiting at most `ms` and not at all once `stop` is aborted: a hung close never delays the loop or
 * `stop()`.
 *
 * @example
 * ```ts
 * await closeWithin(connection, 10_000, stopSignal)
 * ```
 */
export async function closeWithin(
  connection: MetadataConnection,
  ms: number,
  stop: AbortSignal,
): Promise<void> {
  await withTimeout(closeQuietly(connection), ms, stop).catch(() => undefined)
}

/**
 * Closes `connection` and waits for it; never rejects, even for a `close` that throws before returning a promise.
 *
 * @example
 * ```ts
 * await closeQuietly(connection)
 * ```
 */
export function closeQuietly(connection: MetadataConnection): Promise<void> {
  return Promise.resolve()
    .then(() => connection.close())
    .catch(() => undefined)
}

/** What one round observed, as {@link buildInterim} needs it. */
export interface RoundView {
  readonly phase: Phase | undefined
  readonly version: string
  readonly port: number
  readonly start: StartSnapshot
  readonly currentTopology: readonly TopologyHost[]
  readonly currentIpByHost: ReadonlyMap<string, string | undefined>
  readonly control: MonitorControl
}

/**
 * The interim status a monitor reports after a round (spec §4.2 step 7), with the side's DNS and topology flags.
 *
 * @example
 * ```ts
 * onInterim(role, buildInterim({ phase, version, port, start, currentTopology, currentIpByHost, control }))
 * ```
 */
export function buildInterim(view: RoundView): InterimStatus {
  const { start, control } = view
  const snapshot = {
    startTopology: start.startTopology,
    currentTopology: view.currentTopology,
    startIpByHost: start.startIps,
    currentIpByHost: view.currentIpByHost,
  }
  const collecting = control.collectTopology || control.collectIps
  return {
    phase: view.phase,
    version: view.version,
    port: view.port,
    hostNames: new Set(start.hostNames),
    ...snapshot,
    ...computeSideFlags({ collecting, ...snapshot }),
    lateStart: start.lateStart,
  }
}

/**
 * {@link buildInterim}, prepared for the coordinator; a large deployment's status is prepared in a turn of its own,
 * so the coordinator's step stays short.
 *
 * @example
 * ```ts
 * onInterim(role, await interimFor(role, view))
 * ```
 */
export async function interimFor(role: Role, view: RoundView): Promise<InterimStatus> {
  const interim = buildInterim(view)
  await prepareInterim(role, interim)
  return interim
}
