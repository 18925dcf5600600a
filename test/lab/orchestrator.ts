import type { AddressPlan, LabSide } from './address-plan.js'
import { sleep, type LabClock } from './clock.js'
import type { LabDns } from './dns-server.js'
import type { LabEngine } from './engine.js'
import { LabError } from './errors.js'
import type { EventLog } from './event-log.js'
import type { MetadataController } from './metadata-controller.js'
import type { LabNames, SideNames } from './names.js'
import {
  PRESETS,
  replayTimeline,
  type PresetName,
  type RecordedEvent,
  type ReplayOptions,
  type SwitchoverTimeline,
} from './presets.js'
import type { BlockMode, InstanceProxy } from './proxy.js'
import { scheduleFaults, schedulePhaseFaults, type ScheduledFaults } from './scheduled-faults.js'

/** Options of one switchover; everything but the preset is a fault or a tweak. */
export interface SwitchoverOptions extends ScheduledFaults {
  readonly preset?: PresetName
  /** Overrides single durations of the preset. */
  readonly timeline?: Partial<SwitchoverTimeline>
  /** Replays a recorded timeline instead of the preset. */
  readonly replay?: { readonly events: readonly RecordedEvent[] } & ReplayOptions
  /** What the proxies do with new connections during the cut window. Default `hold`. */
  readonly blockMode?: BlockMode
  /** false: the old blue is never fenced (positive control of the lost-write detector). */
  readonly readOnlyOldBlue?: boolean
  /** Roll back at the end of PREPARATION or right after the cut in IN_PROGRESS. */
  readonly rollbackAt?: 'PREPARATION' | 'IN_PROGRESS'
  /** Replication to green is broken: the PREPARATION guardrail times out and the switchover rolls back. */
  readonly greenNeverReady?: boolean
  /** The DNS server answers nothing for this long from the start of POST (EAI_AGAIN). */
  readonly dnsDownMs?: number
  /** Latency each proxy adds per chunk during the whole switchover. */
  readonly proxyLatencyMs?: number
  readonly catchUpTimeoutMs?: number
}

export interface SwitchoverResult {
  readonly outcome: 'completed' | 'rolled-back'
  readonly timeline: SwitchoverTimeline
  /** Lab time after which the old blue must not acknowledge writes (sessions killed, before the catch-up marker). */
  readonly cutAt: number | undefined
}

/** Everything a switchover acts on. */
export interface OrchestratorContext {
  readonly engine: LabEngine
  readonly proxies: Readonly<Record<LabSide, InstanceProxy>>
  /** Aurora reader instances' proxies per side (empty without readers). */
  readonly readerProxies: Readonly<Record<LabSide, readonly InstanceProxy[]>>
  readonly dns: LabDns
  readonly names: LabNames
  readonly plan: AddressPlan
  readonly clock: LabClock
  readonly events: EventLog
  readonly metadata: MetadataController
  /** Post-COMPLETED timers (metadata emptied / torn down), cleared by `stop()`. */
  readonly timers: Set<NodeJS.Timeout>
}

/** Resolves a switchover's timeline from preset, replay and overrides. */
export function resolveTimeline(opts: SwitchoverOptions): SwitchoverTimeline {
  const base = opts.replay
    ? replayTimeline(opts.replay.events, opts.replay)
    : PRESETS[opts.preset ?? 'default']
  if (base === undefined) throw new LabError('BAD_OPTION', `unknown preset ${String(opts.preset)}`)
  const t = { ...base, ...opts.timeline }
  if (t.inProgressVisibleMs > t.inProgressMs)
    throw new LabError('BAD_OPTION', 'inProgressVisibleMs > inProgressMs')
  if (t.greenRenamedAtMs !== undefined && t.greenRenamedAtMs > Math.min(t.greenDnsAtMs, t.completedAtMs))
    throw new LabError('BAD_OPTION', 'greenRenamedAtMs after Green DNS removed / COMPLETED')
  return t
}

/** Points every name of `from` at `ip` (null: NXDOMAIN). */
function setNames(
  ctx: OrchestratorContext,
  names: readonly string[],
  ip: string | null,
  staleMs: number,
): void {
  for (const n of names) ctx.dns.set(n, ip, staleMs)
}

/**
 * Points one naming state's names at one side's instances: writer and writer instance at the writer, reader
 * instances at the readers, the reader endpoint at the first reader (at the writer without readers).
 */
function setSide(ctx: OrchestratorContext, names: SideNames, side: LabSide, staleMs: number): void {
  const readers = ctx.plan.readers.public[side]
  for (const n of names.all) {
    const i = names.readerInstances.indexOf(n)
    const ip = i >= 0 ? readers[i] : n === names.reader ? (readers[0] ?? ctx.plan.public[side]) : undefined
    ctx.dns.set(n, ip ?? ctx.plan.public[side], staleMs)
  }
}

/** Every proxy of the deployment: writers, then readers. */
function allProxies(ctx: OrchestratorContext): InstanceProxy[] {
  return [ctx.proxies.blue, ctx.proxies.green, ...ctx.readerProxies.blue, ...ctx.readerProxies.green]
}

/** Before any switchover: blue and green names on their instances, no `-old1` names. */
export function initialDns(ctx: OrchestratorContext): void {
  setSide(ctx, ctx.names.blue, 'blue', 0)
  setSide(ctx, ctx.names.green, 'green', 0)
}

interface RunState {
  rollbackRequested: boolean
}

async function rollback(ctx: OrchestratorContext, reason: string): Promise<void> {
  ctx.events.add('ROLLBACK', { reason })
  await ctx.engine.setWritable('blue', true)
  await ctx.metadata.apply({ kind: 'rollback' })
  await Promise.all(allProxies(ctx).map((p) => p.unblock()))
  ctx.events.add('CREATED', { status: 'AVAILABLE' })
}

/** The cut: block new connections, fence blue, drop every app connection, wait for green to catch up. */
async function cut(
  ctx: OrchestratorContext,
  opts: SwitchoverOptions,
): Promise<{ cutAt: number; point: string }> {
  const mode = opts.blockMode ?? 'hold'
  await Promise.all(allProxies(ctx).map((p) => p.block(mode)))
  ctx.events.add('connections blocked', { mode })
  if (opts.readOnlyOldBlue !== false) {
    await ctx.engine.setWritable('blue', false)
    ctx.events.add('old blue fenced')
  }
  const resets = allProxies(ctx).reduce((n, p) => n + p.resetAll(), 0)
  const [kb, kg] = await Promise.all([
    ctx.engine.killAppSessions('blue'),
    ctx.engine.killAppSessions('green'),
  ])
  const cutAt = ctx.clock.now()
  ctx.events.add('connections dropped', { resets, sessionsKilled: kb + kg })
  const point = await ctx.engine.catchUp(opts.catchUpTimeoutMs ?? 10_000)
  ctx.events.add('replication caught up', { point })
  return { cutAt, point }
}

/**
 * Runs one switchover (design §2.3) and resolves at COMPLETED, or after a rollback.
 * `state.rollbackRequested` may be set from outside (lab.rollback()) until POST.
 */
export async function runSwitchover(
  ctx: OrchestratorContext,
  opts: SwitchoverOptions,
  state: RunState,
): Promise<SwitchoverResult> {
  const tl = resolveTimeline(opts)
  const proxies = allProxies(ctx)
  if (opts.proxyLatencyMs !== undefined) for (const p of proxies) p.setLatency(opts.proxyLatencyMs)
  const rolledBack = { outcome: 'rolled-back', timeline: tl, cutAt: undefined } as const
  scheduleFaults(ctx, opts)

  await leadIn(ctx, tl)
  const prepStart = ctx.clock.now()
  await ctx.metadata.apply({ kind: 'status', status: 'SWITCHOVER_INITIATED' })
  ctx.events.add('PREPARATION', { status: 'SWITCHOVER_INITIATED' })
  if (opts.greenNeverReady === true) await ctx.engine.stopReplication()
  try {
    const point = await ctx.engine.catchUp(Math.max(200, Math.min(tl.prepMs, 2000)))
    ctx.events.add('guardrail passed', { point })
  } catch (err) {
    if (!(err instanceof LabError && err.code === 'REPLICATION_TIMEOUT')) throw err
    ctx.events.add('guardrail failed', { reason: 'green not caught up' })
    await rollback(ctx, 'green not ready')
    if (opts.greenNeverReady === true) await ctx.engine.startReplication()
    return rolledBack
  }
  await sleep(prepStart + tl.prepMs - ctx.clock.now())
  if (opts.rollbackAt === 'PREPARATION' || state.rollbackRequested) {
    await rollback(ctx, 'requested in PREPARATION')
    return rolledBack
  }

  const ipStart = ctx.clock.now()
  await ctx.metadata.apply({ kind: 'status', status: 'SWITCHOVER_IN_PROGRESS' })
  ctx.events.add('IN_PROGRESS', { status: 'SWITCHOVER_IN_PROGRESS' })
  schedulePhaseFaults(ctx, opts, 'IN_PROGRESS')
  // RDS shows IN_PROGRESS for seconds; pollers must be able to read it before connections are cut.
  await sleep(ipStart + tl.inProgressVisibleMs - ctx.clock.now())
  const { cutAt } = await cut(ctx, opts)
  if (opts.rollbackAt === 'IN_PROGRESS' || state.rollbackRequested) {
    await rollback(ctx, 'requested in IN_PROGRESS')
    return { ...rolledBack, cutAt }
  }
  const seqs = await ctx.engine.syncSequences()
  await ctx.engine.stopReplication()
  ctx.events.add('replication stopped', { sequencesSynced: seqs })
  await ctx.engine.setWritable('green', true)
  ctx.events.add('green writable')
  // rds-pg-frozen describes metadata that stops at the cut, whenever the rename comes.
  if (tl.greenRenamedAtMs === undefined) await rename(ctx)
  else if (ctx.metadata.profile === 'rds-pg-frozen') await ctx.metadata.apply({ kind: 'renamed' })
  else ctx.events.add('green still under green names', { renameAtPostMs: tl.greenRenamedAtMs })
  await sleep(ipStart + tl.inProgressMs - ctx.clock.now())

  const postStart = ctx.clock.now()
  await ctx.metadata.apply({ kind: 'status', status: 'SWITCHOVER_IN_POST_PROCESSING' })
  ctx.events.add('POST', { status: 'SWITCHOVER_IN_POST_PROCESSING' })
  schedulePhaseFaults(ctx, opts, 'POST')
  await Promise.all(proxies.map((p) => p.unblock()))
  ctx.events.add('connections allowed')
  if (opts.dnsDownMs !== undefined && opts.dnsDownMs > 0) {
    ctx.dns.setDown(true)
    ctx.events.add('DNS down')
    const t = setTimeout(() => {
      ctx.dns.setDown(false)
      ctx.events.add('DNS up')
    }, opts.dnsDownMs)
    ctx.timers.add(t)
  }

  const steps: { at: number; run: () => Promise<void> | void }[] = [
    // Until the rename the green side serves under its green names (metadata TARGET rows, server id).
    ...(tl.greenRenamedAtMs === undefined ? [] : [{ at: tl.greenRenamedAtMs, run: () => rename(ctx) }]),
    {
      at: tl.blueDnsAtMs,
      run: () => {
        setSide(ctx, ctx.names.blue, 'green', tl.dnsStaleMs)
        setSide(ctx, ctx.names.old, 'blue', tl.dnsStaleMs)
        ctx.events.add('Blue DNS updated', { staleMs: tl.dnsStaleMs })
        const t = setTimeout(() => ctx.events.add('blue DNS stale window over'), tl.dnsStaleMs)
        ctx.timers.add(t)
      },
    },
    {
      at: tl.greenDnsAtMs,
      run: () => {
        setNames(ctx, ctx.names.green.all, null, tl.dnsStaleMs)
        ctx.events.add('Green DNS removed', { staleMs: tl.dnsStaleMs })
      },
    },
    {
      at: tl.completedAtMs,
      run: async () => {
        await ctx.metadata.apply({ kind: 'status', status: 'SWITCHOVER_COMPLETED' })
        ctx.events.add('COMPLETED', { status: 'SWITCHOVER_COMPLETED' })
      },
    },
  ]
  // Stable sort: at equal offsets DNS moves before COMPLETED, as AWS's contract requires.
  for (const step of steps.sort((a, b) => a.at - b.at)) {
    await sleep(postStart + step.at - ctx.clock.now())
    await step.run()
  }
  scheduleAfterCompleted(ctx, tl)
  return { outcome: 'completed', timeline: tl, cutAt }
}

/** "Green topology changed": TARGET rows now carry the blue names, SOURCE rows the -old1 names. */
async function rename(ctx: OrchestratorContext): Promise<void> {
  await ctx.metadata.apply({ kind: 'renamed' }) // a frozen side ignores it
  ctx.events.add('green topology changed', { writer: ctx.names.blue.writer })
}

/** A replay's lead-in: NOT_CREATED (metadata hidden) for notCreatedMs, then CREATED for createdLeadInMs. */
async function leadIn(ctx: OrchestratorContext, tl: SwitchoverTimeline): Promise<void> {
  if ((tl.notCreatedMs ?? 0) > 0) {
    await ctx.metadata.apply({ kind: 'hidden' })
    ctx.events.add('NOT_CREATED')
    await sleep(tl.notCreatedMs ?? 0)
    await ctx.metadata.apply({ kind: 'visible' })
    ctx.events.add('CREATED', { status: 'AVAILABLE' })
  }
  await sleep(tl.createdLeadInMs ?? 0)
}

function scheduleAfterCompleted(ctx: OrchestratorContext, tl: SwitchoverTimeline): void {
  const profile = ctx.metadata.profile
  const delay =
    profile === 'mysql-trace' ? tl.emptyAfterMs : profile === 'aurora-pg-deleted' ? tl.teardownAfterMs : -1
  if (delay < 0) return
  const t = setTimeout(() => {
    ctx.timers.delete(t)
    ctx.metadata
      .apply({ kind: 'completed-later' })
      .then(() => ctx.events.add(profile === 'mysql-trace' ? 'metadata emptied' : 'metadata deleted'))
      .catch(() => undefined)
  }, delay)
  ctx.timers.add(t)
}
