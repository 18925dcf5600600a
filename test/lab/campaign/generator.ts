import type { LabEngineName, LabSide } from '../address-plan.js'
import type { MetadataProfile } from '../metadata.js'
import type { LabTopology } from '../names.js'
import type { SwitchoverTimeline } from '../presets.js'
import type { BlockMode } from '../proxy.js'
import { createRng, type Rng } from './random.js'

/** One drawn switchover: everything needed to run it again exactly (it is plain JSON). */
export interface CampaignScenario {
  readonly seed: number
  readonly engine: LabEngineName
  readonly topology: LabTopology
  /** Aurora PG: reader instances per side (0 = none). */
  readonly readers: number
  readonly client: string
  readonly profile: MetadataProfile
  /** late-metadata: rows appear this long after the switchover started (null: never). */
  readonly lateMetadataAtMs?: number | null
  readonly blockMode: BlockMode
  readonly rollbackAt?: 'PREPARATION' | 'IN_PROGRESS'
  readonly unfenced: boolean
  readonly workers: number
  readonly poolSize: number
  readonly proxyLatencyMs: number
  readonly dnsDownMs: number
  readonly killMonitorAt?: { readonly atMs: number; readonly side: LabSide }
  readonly timeline: SwitchoverTimeline
}

/** A client the generator may draw, with the engines it supports. */
export interface CampaignClient {
  readonly name: string
  readonly engines: readonly LabEngineName[]
}

export interface GeneratorOptions {
  readonly clients: readonly CampaignClient[]
  /**
   * Draw only scenario kinds the library is known to handle (the CI seed). Each exclusion names its open issue;
   * see KNOWN_GAPS.
   */
  readonly knownOnly?: boolean
}

/**
 * What `knownOnly` leaves out, and why: open library gaps that make a protected client break an invariant
 * (they stay in the full campaign, whose invariants are not relaxed).
 */
export const KNOWN_GAPS: readonly string[] = [
  'monitor killed while the proxies blackhole: issue 11 item 7 (the monitor waits its 2 s connect timeout)',
  'unfenced old blue with IN_PROGRESS invisible, or with late or unreadable metadata: nothing can tell the ' +
    'client that writes after the cut reach the old blue (lab positive control: no server fence, no metadata)',
  'rds-pg-frozen profile: campaign finding, no issue yet (POST/COMPLETED never appear; the hold ends only when DNS ' +
    'shows the blue names moved, after the stale window: gap ~2.5 s > bound, and green names are resolved until ' +
    'they answer NXDOMAIN, past COMPLETED)',
  'DNS outage at POST: campaign finding, no issue yet (green names are resolved per connect in POST, so the ' +
    'outage plus the 1 s resolver timeout adds to the worker gap)',
]

// Ranges seen in the published switchovers (ms): PREPARATION 1-7 s, IN_PROGRESS 2-7 s, rename 7-18 s after POST,
// blue DNS 8-13 s after the rename, green DNS removal up to ~65 s later, COMPLETED 1-12 s after that.
const REAL = {
  prep: [1000, 7000],
  inProgress: [2000, 7000],
  rename: [7000, 18_000],
  blueDnsAfterRename: [8000, 13_000],
  blueDnsAtCut: [0, 13_000],
  greenDnsAfterBlue: [0, 65_000],
  completedAfterGreen: [1000, 12_000],
} as const

function span(rng: Rng, range: readonly [number, number], scale: number): number {
  return Math.round(rng.float(range[0], range[1]) * scale)
}

/** A random timeline: real phase lengths, compressed (pre-POST ×0.08–0.15, POST ×0.03–0.06), with floors. */
function drawTimeline(rng: Rng): SwitchoverTimeline {
  const pre = rng.float(0.08, 0.15)
  const post = rng.float(0.03, 0.06)
  const prepMs = Math.max(300, span(rng, REAL.prep, pre))
  const inProgressMs = Math.max(500, span(rng, REAL.inProgress, pre))
  const invisible = rng.chance(0.15)
  const inProgressVisibleMs = invisible ? 0 : Math.max(200, Math.round(inProgressMs * rng.float(0.4, 0.7)))
  const lateRename = rng.chance(0.5)
  const greenRenamedAtMs = lateRename ? span(rng, REAL.rename, post) : undefined
  const blueDnsAtMs =
    greenRenamedAtMs === undefined
      ? span(rng, REAL.blueDnsAtCut, post)
      : greenRenamedAtMs + span(rng, REAL.blueDnsAfterRename, post)
  const greenDnsAtMs = blueDnsAtMs + span(rng, REAL.greenDnsAfterBlue, post)
  const completedAtMs = greenDnsAtMs + span(rng, REAL.completedAfterGreen, post)
  // Resolver caches (TTL 5 s) end long before COMPLETED on RDS; keep the compressed stale window inside POST.
  const dnsStaleMs = Math.min(rng.int(0, 1500), Math.max(0, completedAtMs - blueDnsAtMs - 100))
  return {
    prepMs,
    inProgressMs,
    inProgressVisibleMs,
    blueDnsAtMs,
    greenDnsAtMs,
    completedAtMs,
    dnsStaleMs,
    emptyAfterMs: rng.int(200, 800),
    teardownAfterMs: rng.int(200, 800),
    ...(greenRenamedAtMs === undefined ? {} : { greenRenamedAtMs }),
  }
}

function drawProfile(
  rng: Rng,
  engine: LabEngineName,
  topology: LabTopology,
  knownOnly: boolean,
): MetadataProfile {
  const options: MetadataProfile[] = ['standard', 'standard']
  if (engine === 'mysql') options.push('mysql-trace')
  if (engine === 'pg' && topology === 'rds-instance' && !knownOnly) options.push('rds-pg-frozen')
  if (engine === 'pg' && topology === 'aurora') options.push('aurora-pg-deleted')
  options.push('late-metadata', 'late-metadata', 'permission-denied')
  return rng.pick(options)
}

/**
 * Draws one scenario from a run seed. Every random choice comes from `seed`, in a fixed order.
 *
 * @example
 * drawScenario(runSeed(1, 0), { clients: [{ name: 'pg', engines: ['pg'] }] })
 */
export function drawScenario(seed: number, opts: GeneratorOptions): CampaignScenario {
  const rng = createRng(seed)
  const knownOnly = opts.knownOnly === true
  const { name: client, engines } = rng.pick(opts.clients)
  const engine = rng.pick(engines)
  const topology: LabTopology = rng.chance(0.4) ? 'aurora' : 'rds-instance'
  const readers = topology === 'aurora' && engine === 'pg' ? rng.int(0, 2) : 0
  const profile = drawProfile(rng, engine, topology, knownOnly)
  const timeline = drawTimeline(rng)
  const switchoverMs = timeline.prepMs + timeline.inProgressMs
  const lateMetadataAtMs =
    profile === 'late-metadata' ? (rng.chance(0.1) ? null : rng.int(-300, switchoverMs)) : undefined
  const blockMode = rng.pick<BlockMode>(['hold', 'hold', 'refuse', 'blackhole'])
  const r = rng.next()
  const rollbackAt = r < 0.1 ? 'PREPARATION' : r < 0.2 ? 'IN_PROGRESS' : undefined
  // Unfenced (the old blue stays writable) is a positive control when nothing else can tell the client: with
  // IN_PROGRESS invisible, or metadata that is late or unreadable, writes after the cut reach the old blue.
  const blind =
    timeline.inProgressVisibleMs === 0 || profile === 'late-metadata' || profile === 'permission-denied'
  const unfenced = rng.chance(0.1) && !(knownOnly && blind)
  const workers = rng.int(2, 16)
  const poolSize = rng.int(2, 16)
  const proxyLatencyMs = rng.chance(0.6) ? 0 : rng.int(1, 15)
  const down = rng.chance(0.2) ? Math.min(rng.int(200, 1000), timeline.completedAtMs) : 0
  const dnsDownMs = knownOnly ? 0 : down
  const kill = rng.chance(0.5)
    ? { atMs: rng.int(0, switchoverMs + 1000), side: rng.pick<LabSide>(['blue', 'green']) }
    : undefined
  const killMonitorAt = knownOnly && blockMode === 'blackhole' ? undefined : kill
  return {
    seed,
    engine,
    topology,
    readers,
    client,
    profile,
    ...(lateMetadataAtMs === undefined ? {} : { lateMetadataAtMs }),
    blockMode,
    ...(rollbackAt === undefined ? {} : { rollbackAt }),
    unfenced,
    workers,
    poolSize,
    proxyLatencyMs,
    dnsDownMs,
    ...(killMonitorAt === undefined ? {} : { killMonitorAt }),
    timeline,
  }
}

/** One short line describing a scenario. */
export function describeScenario(s: CampaignScenario): string {
  const t = s.timeline
  const parts = [
    `${s.client}/${s.engine}/${s.topology}${s.readers > 0 ? `+${s.readers}r` : ''}`,
    s.profile + (s.lateMetadataAtMs === undefined ? '' : `@${String(s.lateMetadataAtMs)}`),
    s.blockMode,
    `w${s.workers}p${s.poolSize}`,
    `tl ${t.prepMs}/${t.inProgressMs}(${t.inProgressVisibleMs})/${t.greenRenamedAtMs ?? 'cut'}/${t.blueDnsAtMs}/${t.greenDnsAtMs}/${t.completedAtMs} stale ${t.dnsStaleMs}`,
  ]
  if (s.rollbackAt !== undefined) parts.push(`rollback@${s.rollbackAt}`)
  if (s.unfenced) parts.push('unfenced')
  if (s.proxyLatencyMs > 0) parts.push(`lat ${s.proxyLatencyMs}`)
  if (s.dnsDownMs > 0) parts.push(`dnsDown ${s.dnsDownMs}`)
  if (s.killMonitorAt !== undefined) parts.push(`kill ${s.killMonitorAt.side}@${s.killMonitorAt.atMs}`)
  return parts.join(' ')
}
