import type { TopologyHost } from '../types.js'

/** The three DNS/topology observations of one round (spec §4.7). */
export interface SideFlags {
  readonly allStartTopologyIpChanged: boolean
  readonly allStartTopologyEndpointsRemoved: boolean
  readonly allTopologyChanged: boolean
}

const NONE: SideFlags = {
  allStartTopologyIpChanged: false,
  allStartTopologyEndpointsRemoved: false,
  allTopologyChanged: false,
}

/**
 * Computes the flags from the frozen start snapshot and the current observation. Unlike the Node reference
 * (bug N16), a host counts as "changed" only when both its start and its current address are known and differ,
 * and as "removed" only when it had a start address and no longer resolves. Pure.
 *
 * @example
 * ```ts
 * computeSideFlags({ collecting: false, startTopology, currentTopology, startIpByHost, currentIpByHost })
 * ```
 */
export function computeSideFlags(input: {
  readonly collecting: boolean
  readonly startTopology: readonly TopologyHost[]
  readonly currentTopology: readonly TopologyHost[]
  readonly startIpByHost: ReadonlyMap<string, string | undefined>
  readonly currentIpByHost: ReadonlyMap<string, string | undefined>
}): SideFlags {
  const { startTopology, currentTopology, startIpByHost, currentIpByHost } = input
  if (input.collecting || startTopology.length === 0) return NONE
  const allStartTopologyIpChanged = startTopology.every((h) => {
    const start = startIpByHost.get(h.host)
    const current = currentIpByHost.get(h.host)
    return start !== undefined && current !== undefined && start !== current
  })
  const allStartTopologyEndpointsRemoved = startTopology.every(
    (h) =>
      startIpByHost.get(h.host) !== undefined &&
      currentIpByHost.has(h.host) &&
      currentIpByHost.get(h.host) === undefined,
  )
  const startNames = new Set(startTopology.map((h) => h.host))
  const allTopologyChanged =
    currentTopology.length > 0 && currentTopology.every((h) => !startNames.has(h.host))
  return { allStartTopologyIpChanged, allStartTopologyEndpointsRemoved, allTopologyChanged }
}
