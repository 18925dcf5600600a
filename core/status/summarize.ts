import type { ConnectDecision, ConnectRoute, ExecuteRoute, HostPair, Phase, Role } from '../types.js'
import type { LateFacts } from './late-start.js'

/** Everything the summary of one deployment is computed from (the coordinator's accumulated state). */
export interface SummaryInput {
  /** The combined phase of both sides (docs/design.md, "Phases"). */
  readonly latestPhase: Phase
  readonly rollback: boolean
  readonly timerExpired: boolean
  readonly releaseOnBlueDnsUpdate: boolean
  readonly blueDnsUpdated: boolean
  readonly greenDnsRemoved: boolean
  readonly greenTopologyChanged: boolean
  /** COMPLETED is the first active phase seen (the process started after the switchover): nothing to route. */
  readonly completedWithoutSwitchover: boolean
  readonly roleByHost: ReadonlyMap<string, Role>
  readonly ipByHost: ReadonlyMap<string, string>
  readonly correspondingHosts: ReadonlyMap<string, HostPair>
  readonly portByRole: Readonly<Record<Role, number>>
  /** Present when protection started late (docs/design.md, "Late metadata"). */
  readonly late?: LateFacts
}

/** The routing part of a snapshot. */
export interface Summary {
  readonly phase: Phase
  readonly connectRoutes: readonly ConnectRoute[]
  readonly executeRoutes: readonly ExecuteRoute[]
  /** Whether hosts participate in routing at all (empty while NOT_CREATED). */
  readonly roleByHost: ReadonlyMap<string, Role>
  readonly correspondingHosts: ReadonlyMap<string, HostPair>
  /** IN_PROGRESS was published as POST because blue DNS already points elsewhere. */
  readonly releasedOnBlueDns: boolean
}

const EMPTY_ROLES: ReadonlyMap<string, Role> = new Map()
const EMPTY_PAIRS: ReadonlyMap<string, HostPair> = new Map()

/**
 * The summary status per phase (docs/design.md, "Routing"): which phase is published and which connect and
 * execute routings apply. Pure.
 *
 * @example
 * ```ts
 * summarize({ ...input, latestPhase: 'IN_PROGRESS' }).executeRoutes // holds for both roles
 * ```
 */
export function summarize(input: SummaryInput): Summary {
  const { latestPhase } = input
  if (latestPhase === 'NOT_CREATED') return plain('NOT_CREATED', EMPTY_ROLES, EMPTY_PAIRS)
  if (latestPhase === 'CREATED') return plain('CREATED', input.roleByHost, input.correspondingHosts)
  if (input.timerExpired) {
    return plain(input.rollback ? 'CREATED' : 'COMPLETED', input.roleByHost, input.correspondingHosts)
  }
  switch (latestPhase) {
    case 'PREPARATION':
      return {
        ...plain('PREPARATION', input.roleByHost, input.correspondingHosts),
        connectRoutes: preparation(input),
      }
    case 'IN_PROGRESS':
      if (input.blueDnsUpdated && !input.rollback && input.releaseOnBlueDnsUpdate) {
        // Where the metadata freezes at IN_PROGRESS (RDS PostgreSQL), DNS is the only completion signal:
        // both flips seen means the names already point where COMPLETED would leave them.
        if (input.greenDnsRemoved)
          return { ...plain('COMPLETED', input.roleByHost, EMPTY_PAIRS), releasedOnBlueDns: true }
        return { ...post(input), releasedOnBlueDns: true }
      }
      return inProgress(input)
    case 'POST':
      return post(input)
    case 'COMPLETED':
      // DNS is the last thing RDS changes; until it is seen, keep steering connections. Green names
      // that were renamed are retired (never looked up again), so their removal is not waited for.
      if (!input.completedWithoutSwitchover && (awaitsBlueDns(input) || awaitsGreenRetired(input)))
        return post(input)
      return plain('COMPLETED', input.roleByHost, EMPTY_PAIRS)
  }
}

/** After a late start, a DNS change that cannot be observed is not waited for (that would be the timer). */
function awaitsBlueDns(input: SummaryInput): boolean {
  return !input.blueDnsUpdated && (input.late?.blueDnsObservable ?? true)
}

function awaitsGreenRetired(input: SummaryInput): boolean {
  const retired = input.greenDnsRemoved || input.greenTopologyChanged
  return !retired && (input.late?.greenRetirementObservable ?? true)
}

function plain(
  phase: Phase,
  roleByHost: ReadonlyMap<string, Role>,
  correspondingHosts: ReadonlyMap<string, HostPair>,
): Summary {
  return {
    phase,
    connectRoutes: [],
    executeRoutes: [],
    roleByHost,
    correspondingHosts,
    releasedOnBlueDns: false,
  }
}

/** Blue hosts that take part in routing: role SOURCE and a pairing entry. */
function blueHosts(input: SummaryInput): string[] {
  return [...input.roleByHost]
    .filter(([host, role]) => role === 'SOURCE' && input.correspondingHosts.has(host))
    .map(([host]) => host)
}

function greenHosts(input: SummaryInput): string[] {
  return [...input.roleByHost].filter(([, role]) => role === 'TARGET').map(([host]) => host)
}

/**
 * A per-host routing. It carries no port: the AWS wrappers add every route for `host` and for `host:port`, and a
 * bare host already matches every port, so one route is the same routing.
 */
function route(host: string, role: Role, decision: ConnectDecision): ConnectRoute {
  return { match: { host, role }, decision }
}

/** PREPARATION: new blue connections go to the blue IP captured while CREATED, whatever DNS says now. */
function preparation(input: SummaryInput): ConnectRoute[] {
  const port = input.portByRole.SOURCE
  return blueHosts(input).flatMap((host) => {
    const ip = input.ipByHost.get(host)
    if (ip === undefined) return []
    return [route(host, 'SOURCE', { kind: 'substitute', address: ip, port, via: host })]
  })
}

const HOLD: ConnectDecision = Object.freeze({ kind: 'hold', reason: 'in-progress' })
const HOLD_FOR_PAIR: ConnectDecision = Object.freeze({ kind: 'hold', reason: 'corresponding-host' })
const REJECT: ConnectDecision = Object.freeze({ kind: 'reject' })

/** IN_PROGRESS: hold new connections and calls to both sides (targets given as known IPs carry a role too). */
function inProgress(input: SummaryInput): Summary {
  return {
    ...plain('IN_PROGRESS', input.roleByHost, input.correspondingHosts),
    connectRoutes: [
      { match: { role: 'SOURCE' }, decision: HOLD },
      { match: { role: 'TARGET' }, decision: HOLD },
    ],
    executeRoutes: [{ match: { role: 'SOURCE' } }, { match: { role: 'TARGET' } }],
  }
}

/**
 * POST: blue names go to the green counterpart's IP (held while no counterpart is known); green names go to
 * their own IP until the green topology changes, then are rejected until green DNS is gone. After a late start
 * a blue name waits only for a green address that may still be learned; one that cannot be learned any more
 * (no counterpart, a counterpart gone or renamed) passes: DNS is then the best guess, and holding would only
 * end in the hold's timeout.
 */
function post(input: SummaryInput): Summary {
  const routes: ConnectRoute[] = []
  const bluePort = input.portByRole.SOURCE
  const { late } = input
  for (const host of blueHosts(input)) {
    const green = input.correspondingHosts.get(host)?.green
    const ip = green === undefined ? undefined : input.ipByHost.get(green)
    if (late !== undefined && ip === undefined) {
      if (green !== undefined && late.pendingGreen.has(green))
        routes.push(route(host, 'SOURCE', HOLD_FOR_PAIR))
      continue
    }
    if (green === undefined) {
      routes.push(route(host, 'SOURCE', HOLD_FOR_PAIR))
      continue
    }
    const greenPort = input.portByRole.TARGET > 0 ? input.portByRole.TARGET : bluePort
    const address = ip ?? green
    routes.push(route(host, 'SOURCE', { kind: 'substitute', address, port: greenPort, via: green }))
  }
  if (!input.greenTopologyChanged) {
    const port = input.portByRole.TARGET
    for (const host of greenHosts(input)) {
      const ip = input.ipByHost.get(host)
      if (ip !== undefined)
        routes.push(route(host, 'TARGET', { kind: 'substitute', address: ip, port, via: host }))
    }
  } else if (!input.greenDnsRemoved) {
    routes.push({ match: { role: 'TARGET' }, decision: REJECT })
  }
  return {
    ...plain('POST', input.roleByHost, input.correspondingHosts),
    connectRoutes: routes,
  }
}
