import { isGreenHost } from '../host-names.js'
import type { Phase } from '../phases.js'
import type { InterimStatus, Role } from '../types.js'
import type { Cycle } from './cycle.js'

/**
 * Protection that starts late (docs/design.md, "Late metadata"): the monitors first saw the deployment at
 * IN_PROGRESS or POST. Blue addresses were not captured before the switchover, so the start-vs-current
 * comparison that detects "Blue DNS updated" is impossible, and POST substitution relies on the green side's
 * own addresses. Pure functions over a cycle.
 */

/** What the summary needs to know about a cycle whose protection started late. */
export interface LateFacts {
  /** "Blue DNS updated" can be seen (a start address per blue host, or a green address per counterpart). */
  readonly blueDnsObservable: boolean
  /** Green names' retirement can be seen (green-marked start topology, or a start address per green host). */
  readonly greenRetirementObservable: boolean
  /** Green counterparts whose address may still be learned (a connect to their blue host waits for it). */
  readonly pendingGreen: ReadonlySet<string>
}

/**
 * The side a host reported by `role` belongs to. A late green snapshot taken after the rename carries the blue
 * names (they now belong to the green servers): without the green marker they are the names the application
 * knows as blue, and are routed as blue.
 *
 * @example
 * ```ts
 * roleOfReported('TARGET', { ...interim, lateStart: 'POST' }, 'db.x.rds.amazonaws.com') // 'SOURCE'
 * ```
 */
export function roleOfReported(role: Role, interim: InterimStatus, host: string): Role {
  return role === 'TARGET' && interim.lateStart !== undefined && !isGreenHost(host) ? 'SOURCE' : role
}

/**
 * Whether this interim makes the cycle's protection late: its snapshot was late, and it is the blue side, or
 * the blue side has no regular snapshot either (green's late addresses alone lose nothing).
 *
 * @example
 * ```ts
 * if (startsLate(cycle, role, interim)) cycle = { ...cycle, late: interim.lateStart }
 * ```
 */
export function startsLate(cycle: Cycle, role: Role, interim: InterimStatus): boolean {
  if (cycle.late !== undefined || interim.lateStart === undefined) return false
  if (role === 'SOURCE') return true
  const blue = cycle.interim.get('SOURCE')
  return blue === undefined || blue.lateStart !== undefined || blue.startTopology.length === 0
}

/**
 * The one warning of a late start: when protection began and what it could not do.
 *
 * @example
 * ```ts
 * lateWarning('IN_PROGRESS', false)
 * // 'Blue/Green switchover first seen at IN_PROGRESS: protection started late. ...'
 * ```
 */
export function lateWarning(phase: Phase, renamed: boolean): string {
  const start = `Blue/Green switchover first seen at ${phase}`
  if (renamed) {
    return (
      `${start}, after the green servers took over the blue names: protection started late. Connections opened ` +
      'before were not protected, and no green address is known: new blue connections are held while ' +
      'IN_PROGRESS, then go where DNS points.'
    )
  }
  return (
    `${start}: protection started late. Connections opened before were not protected; blue addresses were ` +
    "not captured, so POST substitutes the green side's own addresses and blue DNS is seen updated when blue " +
    'names resolve to them.'
  )
}

/** A late green snapshot with names that lost the green marker: the rename happened before it. */
export function renamedBeforeSnapshot(role: Role, interim: InterimStatus): boolean {
  return role === 'TARGET' && [...interim.hostNames].some((h) => !isGreenHost(h))
}

/** The blue hosts whose DNS update is watched: the start topology, else the paired host names. */
function watchedBlueHosts(cycle: Cycle, blue: InterimStatus): string[] {
  if (blue.startTopology.length > 0) return blue.startTopology.map((h) => h.host)
  return [...blue.hostNames].filter((h) => cycle.pairs.has(h))
}

function greenAddressOf(cycle: Cycle, blueHost: string): string | undefined {
  const green = cycle.pairs.get(blueHost)?.green
  return green === undefined ? undefined : cycle.ipByHost.get(green)
}

/** The blue side captured start addresses: the regular "Blue DNS updated" test applies. */
function hasBlueStartIps(blue: InterimStatus): boolean {
  for (const ip of blue.startIpByHost.values()) if (ip !== undefined) return true
  return false
}

/**
 * The positive "Blue DNS updated" signal for a blue side without start addresses: every watched blue host now
 * resolves to its green counterpart's address (captured from the green name itself).
 *
 * @example
 * ```ts
 * if (blueResolvesToGreen(cycle)) latch('blueDnsUpdated')
 * ```
 */
export function blueResolvesToGreen(cycle: Cycle): boolean {
  const blue = cycle.interim.get('SOURCE')
  if (blue === undefined || hasBlueStartIps(blue)) return false
  const hosts = watchedBlueHosts(cycle, blue)
  return (
    hosts.length > 0 &&
    hosts.every((h) => {
      const ip = greenAddressOf(cycle, h)
      return ip !== undefined && blue.currentIpByHost.get(h) === ip
    })
  )
}

/**
 * The facts {@link LateFacts} of a cycle.
 *
 * @example
 * ```ts
 * summarize({ ...input, late: cycle.late === undefined ? undefined : lateFacts(cycle) })
 * ```
 */
export function lateFacts(cycle: Cycle): LateFacts {
  const blue = cycle.interim.get('SOURCE')
  const green = cycle.interim.get('TARGET')
  let blueDnsObservable = false
  if (blue !== undefined) {
    const hosts = watchedBlueHosts(cycle, blue)
    const regular = blue.startTopology.length > 0 && hasBlueStartIps(blue)
    blueDnsObservable =
      regular || (hosts.length > 0 && hosts.every((h) => greenAddressOf(cycle, h) !== undefined))
  }
  const start = green?.startTopology ?? []
  const greenRetirementObservable =
    start.length > 0 &&
    (start.every((h) => isGreenHost(h.host)) ||
      start.every((h) => green?.startIpByHost.get(h.host) !== undefined))
  const pendingGreen = new Set<string>()
  if (!cycle.greenDnsRemoved && !cycle.greenTopologyChanged) {
    for (const { green: host } of cycle.pairs.values()) {
      if (host === undefined || !isGreenHost(host) || cycle.ipByHost.has(host)) continue
      // A name the green side resolved to nothing is gone: its address will not come.
      const gone = green?.currentIpByHost.has(host) === true && green.currentIpByHost.get(host) === undefined
      if (!gone) pendingGreen.add(host)
    }
  }
  return { blueDnsObservable, greenRetirementObservable, pendingGreen }
}
