import type { ArmedState, BlueGreenSnapshot, ConnectRoute, ExecuteRoute, Role } from '../types.js'
import type { Cycle } from './cycle.js'
import { summarize } from './summarize.js'
import type { Summary } from './summarize.js'

/** The summary of a deployment not (or no longer) known: nothing routed. */
export function notCreated(): Summary {
  return summarize({
    latestPhase: 'NOT_CREATED',
    rollback: false,
    timerExpired: false,
    releaseOnBlueDnsUpdate: false,
    blueDnsUpdated: false,
    greenDnsRemoved: false,
    greenTopologyChanged: false,
    completedWithoutSwitchover: false,
    roleByHost: new Map(),
    ipByHost: new Map(),
    correspondingHosts: new Map(),
    portByRole: { SOURCE: -1, TARGET: -1 },
  })
}

/**
 * The immutable snapshot published for `summary`: the routing plus the cycle's host facts, with an IP → side
 * index so targets given as captured IPs are routed too, and the armed state computed for it.
 */
export function buildSnapshot(
  bgdId: string,
  sequence: number,
  cycle: Cycle,
  summary: Summary,
  now: number,
  rollback: boolean,
  armed: ArmedState,
): BlueGreenSnapshot {
  const { roleByHost } = summary
  const roleByIp = new Map<string, Role>()
  if (roleByHost.size > 0) {
    for (const [host, ip] of cycle.ipByHost) {
      const role = roleByHost.get(host)
      if (role !== undefined && !roleByIp.has(ip)) roleByIp.set(ip, role)
    }
  }
  return Object.freeze({
    bgdId,
    sequence,
    phase: summary.phase,
    rollback,
    // The cycle's maps are never changed once made (every update makes new ones): shared, not copied (a copy
    // of three 10,000-entry maps per published snapshot was a large part of the step on a large deployment).
    roleByHost,
    roleByIp,
    ipByHost: cycle.ipByHost,
    correspondingHosts: summary.correspondingHosts,
    connectRoutes: Object.freeze<ConnectRoute[]>([...summary.connectRoutes]),
    executeRoutes: Object.freeze<ExecuteRoute[]>([...summary.executeRoutes]),
    armed,
    blueDnsUpdated: cycle.blueDnsUpdated,
    greenDnsRemoved: cycle.greenDnsRemoved,
    greenTopologyChanged: cycle.greenTopologyChanged,
    publishedAt: now,
  })
}
