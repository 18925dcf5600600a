import { PHASES } from '../phases.js'
import type { Phase } from '../phases.js'
import type {
  ArmedCode,
  ArmedPair,
  ArmedState,
  BlueGreenSnapshot,
  ConnectDecision,
  ConnectRoute,
  Role,
  RouteMatch,
} from '../types.js'

/**
 * The status a leader publishes on the channel and followers apply: what routing needs, and nothing else (no
 * option, no credential, no server message beyond the armed state's reason). Followers rebuild every object
 * from the parsed JSON, so nothing unexpected rides along, and drop a payload that does not fit.
 */

/**
 * One published status of a deployment, as a follower applies it: the publisher's snapshot without what is local
 * to a process (the IP index is rebuilt, the publication time is the follower's own), plus the lease epoch.
 */
export interface SharedStatus extends Omit<BlueGreenSnapshot, 'roleByIp' | 'publishedAt'> {
  /** The lease epoch of the publisher: a status from an older epoch is ignored. */
  readonly epoch: number
}

const VERSION = 1

/**
 * The payload for `snapshot`, published under lease `epoch`.
 *
 * @example
 * ```ts
 * await channel.publish(bgdId, lease, encodeStatus(coordinator.snapshot(), lease.epoch), ttlMs)
 * ```
 */
export function encodeStatus(snapshot: BlueGreenSnapshot, epoch: number): string {
  const { armed } = snapshot
  return JSON.stringify({
    v: VERSION,
    bgdId: snapshot.bgdId,
    epoch,
    sequence: snapshot.sequence,
    phase: snapshot.phase,
    rollback: snapshot.rollback,
    roleByHost: [...snapshot.roleByHost],
    ipByHost: [...snapshot.ipByHost],
    pairs: [...snapshot.correspondingHosts.values()].map((p) => [p.blue, p.green ?? null]),
    connectRoutes: snapshot.connectRoutes,
    executeRoutes: snapshot.executeRoutes,
    armed: { armed: armed.armed, code: armed.code, reason: armed.reason, fix: armed.fix ?? null },
    armedPairs: armed.pairs.map((p) => [p.blue, p.blueIp ?? null, p.green ?? null, p.greenIp ?? null]),
    blueDnsUpdated: snapshot.blueDnsUpdated,
    greenDnsRemoved: snapshot.greenDnsRemoved,
    greenTopologyChanged: snapshot.greenTopologyChanged,
  })
}

/**
 * The payload a leader publishes when it stops: its followers try to take the lease at once.
 *
 * @example
 * ```ts
 * await channel.publish(bgdId, lease, encodeResign(bgdId, lease.epoch), 1)
 * ```
 */
export function encodeResign(bgdId: string, epoch: number): string {
  return JSON.stringify({ v: VERSION, bgdId, epoch, resign: true })
}

/**
 * The epoch of a resign payload for `bgdId`, or `undefined` for any other payload.
 *
 * @example
 * ```ts
 * decodeResign(encodeResign('orders', 3), 'orders') // 3
 * ```
 */
export function decodeResign(payload: string, bgdId: string): number | undefined {
  try {
    const raw = record(JSON.parse(payload))
    return raw['v'] === VERSION && raw['bgdId'] === bgdId && raw['resign'] === true
      ? count(raw['epoch'])
      : undefined
  } catch {
    return undefined
  }
}

/**
 * The publisher's monitors cannot read the metadata right now (unreachable, refused, failing): its followers
 * look for themselves.
 *
 * @example
 * ```ts
 * if (blind(status)) startOwnMonitors()
 * ```
 */
export function blind(status: SharedStatus): boolean {
  const { code } = status.armed
  return code === 'unreachable' || code === 'metadata-failing' || code === 'monitoring-refused'
}

/** A payload that does not fit the format. */
class Malformed extends Error {}

/**
 * The status in `payload` for deployment `bgdId`, or `undefined` when it is malformed, of another format
 * version, or for another deployment.
 *
 * @example
 * ```ts
 * const status = decodeStatus(payload, 'orders')
 * ```
 */
export function decodeStatus(payload: string, bgdId: string): SharedStatus | undefined {
  try {
    const raw = record(JSON.parse(payload))
    if (raw['v'] !== VERSION || raw['bgdId'] !== bgdId) return undefined
    return Object.freeze({
      bgdId,
      epoch: count(raw['epoch']),
      sequence: count(raw['sequence']),
      phase: phase(raw['phase']),
      rollback: bool(raw['rollback']),
      roleByHost: new Map(list(raw['roleByHost'], (e) => pair(e, str, role))),
      ipByHost: new Map(list(raw['ipByHost'], (e) => pair(e, str, str))),
      correspondingHosts: new Map(
        list(raw['pairs'], (e) => {
          const [blue, green] = pair(e, str, optional)
          return [blue, Object.freeze({ blue, green })] as const
        }),
      ),
      connectRoutes: Object.freeze(list(raw['connectRoutes'], connectRoute)),
      executeRoutes: Object.freeze(list(raw['executeRoutes'], (e) => ({ match: match(record(e)['match']) }))),
      armed: armedState(record(raw['armed']), raw['armedPairs']),
      blueDnsUpdated: bool(raw['blueDnsUpdated']),
      greenDnsRemoved: bool(raw['greenDnsRemoved']),
      greenTopologyChanged: bool(raw['greenTopologyChanged']),
    })
  } catch {
    return undefined
  }
}

const ROLES: ReadonlySet<string> = new Set<Role>(['SOURCE', 'TARGET'])
const ARMED_CODES: Record<ArmedCode, true> = {
  armed: true,
  starting: true,
  'no-metadata': true,
  'not-permitted': true,
  'untrusted-metadata': true,
  'engine-too-old': true,
  'extension-outdated': true,
  'no-deployment': true,
  'metadata-failing': true,
  'monitoring-refused': true,
  unreachable: true,
  'green-unknown': true,
  'switchover-over': true,
}

function record(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Malformed()
  return value as Record<string, unknown>
}

function list<T>(value: unknown, item: (entry: unknown) => T): T[] {
  if (!Array.isArray(value)) throw new Malformed()
  return value.map(item)
}

function pair<A, B>(value: unknown, a: (v: unknown) => A, b: (v: unknown) => B): readonly [A, B] {
  if (!Array.isArray(value) || value.length !== 2) throw new Malformed()
  return [a(value[0]), b(value[1])]
}

function str(value: unknown): string {
  if (typeof value !== 'string' || value === '' || value.length > 255) throw new Malformed()
  return value
}

function text(value: unknown): string {
  if (typeof value !== 'string' || value.length > 4_096) throw new Malformed()
  return value
}

function optional(value: unknown): string | undefined {
  return value === null || value === undefined ? undefined : str(value)
}

function bool(value: unknown): boolean {
  if (typeof value !== 'boolean') throw new Malformed()
  return value
}

function count(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new Malformed()
  return value
}

function port(value: unknown): number {
  const n = count(value)
  if (n > 65_535) throw new Malformed()
  return n
}

function role(value: unknown): Role {
  if (typeof value !== 'string' || !ROLES.has(value)) throw new Malformed()
  return value as Role
}

function phase(value: unknown): Phase {
  const found = PHASES.find((p) => p === value)
  if (found === undefined) throw new Malformed()
  return found
}

function match(value: unknown): RouteMatch {
  const raw = record(value)
  return Object.freeze({
    ...(raw['host'] === undefined ? {} : { host: str(raw['host']) }),
    ...(raw['port'] === undefined ? {} : { port: port(raw['port']) }),
    ...(raw['role'] === undefined ? {} : { role: role(raw['role']) }),
  })
}

function connectRoute(value: unknown): ConnectRoute {
  const raw = record(value)
  return Object.freeze({ match: match(raw['match']), decision: decision(record(raw['decision'])) })
}

function decision(raw: Record<string, unknown>): ConnectDecision {
  switch (raw['kind']) {
    case 'pass':
      return { kind: 'pass' }
    case 'reject':
      return { kind: 'reject' }
    case 'hold':
      if (raw['reason'] !== 'in-progress' && raw['reason'] !== 'corresponding-host') throw new Malformed()
      return { kind: 'hold', reason: raw['reason'] }
    case 'substitute':
      return {
        kind: 'substitute',
        address: str(raw['address']),
        port: port(raw['port']),
        via: str(raw['via']),
      }
    default:
      throw new Malformed()
  }
}

function armedState(raw: Record<string, unknown>, pairs: unknown): ArmedState {
  const code = raw['code']
  if (typeof code !== 'string' || !(code in ARMED_CODES)) throw new Malformed()
  return Object.freeze({
    armed: bool(raw['armed']),
    code: code as ArmedCode,
    reason: text(raw['reason']),
    fix: raw['fix'] === null ? undefined : text(raw['fix']),
    pairs: Object.freeze(list(pairs, armedPair)),
  })
}

function armedPair(value: unknown): ArmedPair {
  if (!Array.isArray(value) || value.length !== 4) throw new Malformed()
  const [blue, blueIp, green, greenIp] = value as unknown[]
  return Object.freeze({
    blue: str(blue),
    blueIp: optional(blueIp),
    green: optional(green),
    greenIp: optional(greenIp),
  })
}
