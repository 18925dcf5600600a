import type { MetadataDiagnosis } from '../metadata/diagnosis.js'
import type { Phase } from '../phases.js'
import type { ArmedCode, ArmedPair, ArmedState, HostPair, InterimStatus, Role } from '../types.js'
import type { MonitorFault, Verdict } from './armed-reasons.js'
import { explainFault, explainUnavailable, noDeployment, onGreen } from './armed-reasons.js'

/** What the coordinator already said about the armed state. */
export interface ArmedLog {
  /** The INFO for the current armed period was written; a passing green-unknown does not end the period. */
  readonly announced: boolean
  /** Not-armed codes this coordinator warned about (each once; the shell adds once per process). */
  readonly warned: ReadonlySet<ArmedCode>
  /** Protection was armed at some point: a later "no deployment" is the normal end, not a warning. */
  readonly everArmed: boolean
  /** The current not-armed code and since when (monotonic ms), for the green-unknown grace. */
  readonly code: ArmedCode
  readonly since: number | undefined
}

/** What one side's monitor last reported instead of metadata rows. */
export interface UnreadableMetadata {
  readonly reason: string
  readonly diagnosis?: MetadataDiagnosis | undefined
}

/** What the armed state is computed from: the coordinator's cycle and what the monitors reported. */
export interface ArmedFacts {
  /** The published phase. */
  readonly phase: Phase
  readonly interim: ReadonlyMap<Role, InterimStatus>
  readonly pairs: ReadonlyMap<string, HostPair>
  readonly ipByHost: ReadonlyMap<string, string>
  /** Sides whose metadata is not readable (cleared when the side reads rows again). */
  readonly unreadable: ReadonlyMap<Role, UnreadableMetadata>
  /** Sides with a monitoring fault (cleared when the side reads again). */
  readonly faults: ReadonlyMap<Role, MonitorFault>
  /** Sides whose monitor read the metadata at least once (rows or "not there"); until then its interim is hollow. */
  readonly read: ReadonlySet<Role>
}

/**
 * The armed state before any monitor reported.
 *
 * @example
 * ```ts
 * STARTING.code // 'starting'
 * ```
 */
export const STARTING: ArmedState = Object.freeze({
  armed: false,
  code: 'starting',
  reason: 'the monitors have not read the metadata yet',
  fix: undefined,
  pairs: Object.freeze([]),
})

/**
 * Whether protection is armed (docs/design.md, "Armed"): every blue host paired with a green counterpart while a
 * deployment exists; otherwise the first obstacle, blue's before green's: a monitoring fault, unreadable
 * metadata, a finished switchover, no deployment, then a green side not (yet) known. Pure.
 *
 * @example
 * ```ts
 * armedState({ phase: 'CREATED', interim, pairs, ipByHost, unreadable: new Map(), faults: new Map(), read }).armed
 * ```
 */
export function armedState(facts: ArmedFacts): ArmedState {
  const pairs = armedPairs(facts.pairs, facts.ipByHost)
  const not = (verdict: Verdict): ArmedState => Object.freeze({ armed: false, ...verdict, pairs })
  const blue = sideVerdict(facts, 'SOURCE')
  if (blue !== undefined) return not(blue)
  // A monitor that never read still reports rounds (with the NOT_CREATED it started with): that is no verdict.
  if (!facts.read.has('SOURCE')) return STARTING
  if (facts.phase === 'COMPLETED') {
    return Object.freeze({
      armed: false,
      pairs: [],
      code: 'switchover-over' as const,
      reason: 'the switchover completed; nothing to protect until a new Blue/Green deployment exists',
      fix: undefined,
    })
  }
  const source = facts.interim.get('SOURCE')
  if (source === undefined) return STARTING
  if (facts.phase === 'NOT_CREATED') return Object.freeze({ armed: false, ...noDeployment(), pairs: [] })
  // Green's monitor starts on the blue host: its problem is green's only once it knows green's hosts (and moved).
  const target = facts.interim.get('TARGET')
  const green = target !== undefined && target.hostNames.size > 0 ? sideVerdict(facts, 'TARGET') : undefined
  if (green !== undefined) return not(onGreen(green, primaryHost(target)))
  const missing = pairs.filter((pair) => pair.green === undefined).map((pair) => pair.blue)
  if (facts.interim.get('TARGET') === undefined || pairs.length === 0 || missing.length > 0) {
    return not(greenUnknown(missing, source))
  }
  const n = pairs.length
  return Object.freeze({
    armed: true,
    code: 'armed',
    reason: `${n} blue host${n === 1 ? '' : 's'} paired with ${n === 1 ? 'its' : 'their'} green counterpart${n === 1 ? '' : 's'}`,
    fix: undefined,
    pairs,
  })
}

/**
 * Two armed states say the same (same verdict and pairs), so nothing is published or logged again.
 *
 * @example
 * ```ts
 * sameArmed(previous.armed, next.armed)
 * ```
 */
export function sameArmed(a: ArmedState, b: ArmedState): boolean {
  if (a === b) return true
  if (a.armed !== b.armed || a.code !== b.code || a.reason !== b.reason || a.fix !== b.fix) return false
  if (a.pairs.length !== b.pairs.length) return false
  return a.pairs.every((pair, i) => {
    const other = b.pairs[i]
    return (
      other !== undefined &&
      pair.blue === other.blue &&
      pair.green === other.green &&
      pair.blueIp === other.blueIp &&
      pair.greenIp === other.greenIp
    )
  })
}

/**
 * One line naming the pairs: `mydb.x (127.0.1.1) -> mydb-green-abc.x (127.0.1.2)`, `, `-separated.
 *
 * @example
 * ```ts
 * describePairs(getStatus('1')!.armed.pairs)
 * ```
 */
export function describePairs(pairs: readonly ArmedPair[]): string {
  const ip = (address: string | undefined): string => ` (${address ?? 'unresolved'})`
  return pairs
    .map(
      (p) => `${p.blue}${ip(p.blueIp)} -> ${p.green === undefined ? '(none)' : `${p.green}${ip(p.greenIp)}`}`,
    )
    .join(', ')
}

function sideVerdict(facts: ArmedFacts, role: Role): Verdict | undefined {
  const fault = facts.faults.get(role)
  // Unreachable matters only before a first read: a switchover cuts every connection, and that is no obstacle.
  if (fault !== undefined && (fault.kind !== 'unreachable' || !facts.read.has(role)))
    return explainFault(fault)
  const unreadable = facts.unreadable.get(role)
  return unreadable === undefined ? undefined : explainUnavailable(unreadable.reason, unreadable.diagnosis)
}

function greenUnknown(missing: readonly string[], source: InterimStatus): Verdict {
  const detail =
    missing.length > 0
      ? `no green counterpart is known for ${missing.join(', ')}`
      : source.hostNames.size === 0
        ? 'the blue hosts are not known'
        : "the green side's monitor has not read its metadata"
  return {
    code: 'green-unknown',
    reason: `the green side is not known yet: ${detail}`,
    fix:
      'this process must resolve and reach the green endpoints named in the metadata: check DNS, security ' +
      'groups and network ACLs from where it runs',
  }
}

function armedPairs(
  pairs: ReadonlyMap<string, HostPair>,
  ipByHost: ReadonlyMap<string, string>,
): ArmedPair[] {
  return [...pairs.values()]
    .sort((a, b) => (a.blue < b.blue ? -1 : a.blue > b.blue ? 1 : 0))
    .map((pair) => ({
      blue: pair.blue,
      blueIp: ipByHost.get(pair.blue),
      green: pair.green,
      greenIp: pair.green === undefined ? undefined : ipByHost.get(pair.green),
    }))
}

function primaryHost(interim: InterimStatus | undefined): string | undefined {
  return interim?.startTopology.find((host) => host.role === 'WRITER')?.host
}
