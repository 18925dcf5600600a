import type { InterimStatus, Phase, TopologyHost } from '../../core/types.js'

/** An interim status with sensible empty defaults. */
export function interim(phase: Phase | undefined, partial: Partial<InterimStatus> = {}): InterimStatus {
  return {
    phase,
    version: '1.0',
    port: 5432,
    hostNames: new Set(),
    startTopology: [],
    currentTopology: [],
    startIpByHost: new Map(),
    currentIpByHost: new Map(),
    allStartTopologyIpChanged: false,
    allStartTopologyEndpointsRemoved: false,
    allTopologyChanged: false,
    ...partial,
  }
}

/** One writer host as a topology. */
export function writer(host: string, port = 5432): TopologyHost[] {
  return [{ host, port, role: 'WRITER' }]
}
