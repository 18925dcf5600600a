import { instanceHostFromId } from '../host-names.js'
import type { RawTopologyRow } from '../metadata/source.js'
import { isInstanceId } from '../metadata/trust.js'
import type { TopologyHost } from '../types.js'

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
