import { instanceHostFromId } from '../host-names.js'
import type { RawTopologyRow } from '../metadata/source.js'
import { isInstanceId } from '../metadata/trust.js'
import type { Phase, TopologyHost } from '../types.js'
import { PHASE_ORDER, isActivePhase } from '../types.js'

/**
 * The instance hosts of a topology answer, named in the domain of `base` (any endpoint of the cluster). An id
 * that is not a single DNS label is dropped: it could otherwise smuggle another domain into a connect target.
 *
 * @example
 * ```ts
 * topologyFromRows([{ id: 'db-2', role: 'READER' }], 'bg.cluster-xyz.us-east-2.rds.amazonaws.com', 5432)
 * // [{ host: 'db-2.xyz.us-east-2.rds.amazonaws.com', port: 5432, role: 'READER' }]
 * ```
 */
export function topologyFromRows(
  rows: readonly RawTopologyRow[],
  base: string,
  port: number,
): TopologyHost[] {
  return rows.flatMap((r) => {
    const host = isInstanceId(r.id) ? instanceHostFromId(r.id, base) : undefined
    return host === undefined ? [] : [{ host, port, role: r.role }]
  })
}

/**
 * No host of the current topology was in the start topology: the hosts were renamed (spec §4.7).
 *
 * @example
 * ```ts
 * topologyRenamed([{ host: 'a', port: 1, role: 'WRITER' }], [{ host: 'b', port: 1, role: 'WRITER' }]) // true
 * ```
 */
export function topologyRenamed(start: readonly TopologyHost[], current: readonly TopologyHost[]): boolean {
  if (start.length === 0 || current.length === 0) return false
  const names = new Set(start.map((h) => h.host))
  return current.every((h) => !names.has(h.host))
}

/**
 * Whether a round may update a start snapshot (topology or IPs). The coordinator allows it while CREATED
 * (`collected`); a monitor with no snapshot at all (the process started after CREATED) also takes one in
 * PREPARATION, when names and DNS have not moved yet. Never from IN_PROGRESS on: the control lags one round behind
 * the published phase, and a round that already sees the switchover (renamed hosts, flipped DNS) must not become
 * the "before" picture.
 *
 * @example
 * ```ts
 * maySnapshot('PREPARATION', false, true) // true
 * maySnapshot('IN_PROGRESS', true, true) // false
 * ```
 */
export function maySnapshot(phase: Phase | undefined, collected: boolean, empty: boolean): boolean {
  if (phase !== undefined && PHASE_ORDER[phase] >= PHASE_ORDER.IN_PROGRESS) return false
  if (collected) return phase === undefined || !isActivePhase(phase) || empty
  return empty && phase === 'PREPARATION'
}
