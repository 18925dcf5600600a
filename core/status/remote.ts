import type { SharedStatus } from '../fleet/wire.js'
import { isSwitchoverRunning } from '../phases.js'
import type { BlueGreenSnapshot, Role } from '../types.js'
import type { Instant } from './cycle.js'
import { freshCycle } from './cycle.js'
import type { CoordinatorEffect, CoordinatorState } from './events.js'

/**
 * A follower's step (README, "Fleets: the Redis status channel"): the status its fleet's leader published
 * becomes this process's snapshot, with this process's own sequence and time. While a deployment is active the
 * cycle keeps the leader's host facts (addresses captured while CREATED, roles, DNS flags), so monitors this
 * process starts itself when the leader goes silent begin from them rather than from nothing: their first
 * interim statuses merge into it exactly as a fresh process's would.
 *
 * @example
 * ```ts
 * const next = applyRemote(state, status, { mono: clock.now(), wall: clock.wallNow() }, effects)
 * ```
 */
export function applyRemote(
  s: CoordinatorState,
  status: SharedStatus,
  at: Instant,
  fx: CoordinatorEffect[],
): CoordinatorState {
  const previous = s.snapshot
  const roleByIp = new Map<string, Role>()
  for (const [host, ip] of status.ipByHost) {
    const role = status.roleByHost.get(host)
    if (role !== undefined && !roleByIp.has(ip)) roleByIp.set(ip, role)
  }
  const snapshot: BlueGreenSnapshot = Object.freeze({
    bgdId: s.config.bgdId,
    sequence: previous.sequence + 1,
    phase: status.phase,
    rollback: status.rollback,
    roleByHost: status.roleByHost,
    roleByIp,
    ipByHost: status.ipByHost,
    correspondingHosts: status.correspondingHosts,
    connectRoutes: status.connectRoutes,
    executeRoutes: status.executeRoutes,
    armed: status.armed,
    blueDnsUpdated: status.blueDnsUpdated,
    greenDnsRemoved: status.greenDnsRemoved,
    greenTopologyChanged: status.greenTopologyChanged,
    publishedAt: at.mono,
  })
  const { bgdId } = s.config
  const phaseChange =
    previous.phase === snapshot.phase
      ? undefined
      : { bgdId, phase: snapshot.phase, previous: previous.phase, rollback: snapshot.rollback }
  fx.push({ type: 'cancel-timer' }, { type: 'publish', snapshot, phaseChange, notify: true })
  if (phaseChange !== undefined) {
    fx.push({ type: 'log', level: 'debug', message: `[bgdId: '${bgdId}'] BG status: ${snapshot.phase}` })
  }
  if (previous.armed.code !== status.armed.code || previous.armed.armed !== status.armed.armed) {
    const dbSystem = s.config.dbSystem
    const event = {
      bgdId,
      ...(dbSystem === undefined ? {} : { dbSystem }),
      phase: status.phase,
      ...status.armed,
    }
    fx.push({ type: 'armed', event })
  }
  return { ...s, snapshot, cycle: seedCycle(status) }
}

/** The cycle a follower keeps: the leader's host facts while a deployment is active, else nothing. */
function seedCycle(status: SharedStatus): CoordinatorState['cycle'] {
  const fresh = freshCycle()
  const active = status.phase === 'CREATED' || isSwitchoverRunning(status.phase)
  if (!active) return fresh
  return {
    ...fresh,
    ipByHost: status.ipByHost,
    roleByHost: status.roleByHost,
    blueDnsUpdated: status.blueDnsUpdated,
    greenDnsRemoved: status.greenDnsRemoved,
    greenTopologyChanged: status.greenTopologyChanged,
  }
}
