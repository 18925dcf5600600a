import { readdirSync, readFileSync } from 'node:fs'
import { runScenario, type ScenarioOptions, type ScenarioResult } from '../scenario.js'
import type { CampaignScenario } from './generator.js'
import { checkInvariants } from './invariants.js'

/** Clients that are not protected by the library: they run as the control that the faults were real. */
export function isPlainClient(name: string): boolean {
  return name.startsWith('plain-') || name.includes('-plain-') || name.startsWith('aws-wrapper')
}

/** The outcome of one campaign run. */
export interface CampaignRun {
  readonly scenario: CampaignScenario
  readonly protected: boolean
  readonly broken: readonly string[]
  readonly wallMs: number
  /** Set when the run itself failed (lab error), not an invariant. */
  readonly error?: string
  readonly figures?: RunFigures
}

/** The headline figures of a run, for its line and the summary. */
export interface RunFigures {
  readonly outcome: string
  readonly ops: number
  readonly failedOps: number
  readonly errorsByCode: Readonly<Record<string, number>>
  readonly readOnlyErrors: number
  readonly maxWorkerGapMs: number
  readonly maxOpMs: number
  readonly oldBlueConnectsAfterCompleted: number
}

/** Name, code, the first line of the message and two stack frames: enough to diagnose, no connection strings. */
function describeRejection(reason: unknown): string {
  if (!(reason instanceof Error)) return typeof reason
  const code = (reason as { code?: unknown }).code
  const where = (reason.stack ?? '')
    .split('\n')
    .slice(1, 3)
    .map((l) => l.trim())
    .join(' < ')
  return `${reason.name} ${typeof code === 'string' ? code : ''} ${reason.message.split('\n')[0] ?? ''} @ ${where}`
}

/** The options runScenario gets for a drawn scenario. */
export function scenarioOptions(s: CampaignScenario): ScenarioOptions {
  return {
    engine: s.engine,
    client: s.client,
    topology: s.topology,
    profile: s.profile,
    workers: s.workers,
    poolSize: s.poolSize,
    timeline: s.timeline,
    blockMode: s.blockMode,
    readOnlyOldBlue: !s.unfenced,
    ...(s.rollbackAt === undefined ? {} : { rollbackAt: s.rollbackAt }),
    ...(s.proxyLatencyMs > 0 ? { proxyLatencyMs: s.proxyLatencyMs } : {}),
    ...(s.dnsDownMs > 0 ? { dnsDownMs: s.dnsDownMs } : {}),
    ...(s.killMonitorAt === undefined ? {} : { killMonitorAt: s.killMonitorAt }),
    ...(typeof s.lateMetadataAtMs === 'number' ? { lateMetadataAtMs: s.lateMetadataAtMs } : {}),
    lab: {
      ...(s.profile === 'late-metadata' ? { metadataAfterMs: lateStartMs(s) } : {}),
      ...(s.readers > 0 ? { readers: s.readers } : {}),
    },
    beforeMs: BEFORE_MS,
    afterMs: 600,
  }
}

const BEFORE_MS = 600

/**
 * late-metadata drawn before the switchover start is timed from lab start (the workload runs BEFORE_MS before
 * the switchover); later ones are scheduled by the orchestrator (`lateMetadataAtMs`).
 */
function lateStartMs(s: CampaignScenario): number | null {
  const at = s.lateMetadataAtMs
  return at === null || at === undefined || at >= 0 ? null : Math.max(0, BEFORE_MS + at)
}

/** This process's live children (a server that outlived its lab). Zombies are not counted. */
function liveChildren(): number {
  let n = 0
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (Number(fields[1]) === process.pid && fields[0] !== 'Z') n++
    } catch {
      // gone
    }
  }
  return n
}

const tcpSockets = (): number =>
  process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TCPWRAP').length

/** How long the library may take to read rows that just appeared (a NOT_CREATED poll in the lab, plus a connect). */
const LATE_READ_MS = 300

/**
 * The library could read IN_PROGRESS before the cut: a visible window, and metadata the app user can read by
 * then (late rows count once they appeared early enough inside the visible window to be polled).
 */
function inProgressVisible(s: CampaignScenario): boolean {
  if (s.timeline.inProgressVisibleMs <= 0 || s.profile === 'permission-denied') return false
  if (s.profile !== 'late-metadata') return true
  const at = s.lateMetadataAtMs
  const cut = s.timeline.prepMs + (s.timeline.createdLeadInMs ?? 0) + s.timeline.inProgressVisibleMs
  return at !== null && at !== undefined && at + LATE_READ_MS < cut
}

function figures(r: ScenarioResult): RunFigures {
  return {
    outcome: r.outcome,
    ops: r.ops,
    failedOps: r.failedOps,
    errorsByCode: r.errorsByCode,
    readOnlyErrors: r.readOnlyErrors,
    maxWorkerGapMs: r.maxWorkerGapMs,
    maxOpMs: r.maxOpMs,
    oldBlueConnectsAfterCompleted: r.oldBlueConnectsAfterCompleted,
  }
}

/**
 * Runs one drawn scenario and checks the invariants. Never throws: a lab failure is reported as `error`.
 *
 * @example
 * const run = await runCampaignScenario(drawScenario(seed, { clients }))
 */
export async function runCampaignScenario(s: CampaignScenario): Promise<CampaignRun> {
  const started = Date.now()
  let rejections = 0
  let firstRejection: string | undefined
  const onRejection = (reason: unknown): void => {
    rejections++
    // Name, code and the first line of the message: enough to diagnose, no connection strings.
    if (firstRejection === undefined) firstRejection = describeRejection(reason)
  }
  process.on('unhandledRejection', onRejection)
  const socketsBefore = tcpSockets()
  const childrenBefore = liveChildren()
  const prot = !isPlainClient(s.client)
  try {
    const result = await runScenario(scenarioOptions(s))
    // Sockets closed by close() leave the handle list on the next turns. A ref'd timer: with the lab stopped,
    // the lab's unref'd sleep would let the process exit here.
    await new Promise((resolve) => setTimeout(resolve, 300))
    const broken = checkInvariants({
      result,
      unhandledRejections: rejections,
      leakedSockets: Math.max(0, tcpSockets() - socketsBefore),
      liveServers: Math.max(0, liveChildren() - childrenBefore),
      inProgressVisible: inProgressVisible(s),
    })
    return {
      scenario: s,
      protected: prot,
      broken,
      wallMs: Date.now() - started,
      figures: figures(result),
      ...(firstRejection === undefined ? {} : { error: `unhandled rejection: ${firstRejection}` }),
    }
  } catch (err) {
    const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
    return { scenario: s, protected: prot, broken: [`runError`], error, wallMs: Date.now() - started }
  } finally {
    process.off('unhandledRejection', onRejection)
  }
}
