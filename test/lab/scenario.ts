import type { LabEngineName } from './address-plan.js'
import { analyze, type LabMetrics } from './analyze.js'
import { sleep } from './clock.js'
import { loadLabClient, openLabClients } from './clients/registry.js'
import type { LabClientFactory, LabClientTarget, LabSession } from './clients/types.js'
import type { LabEvent } from './event-log.js'
import type { MetadataProfile } from './metadata.js'
import type { LabTopology } from './names.js'
import type { SwitchoverOptions } from './orchestrator.js'
import type { PresetName } from './presets.js'
import { startLab, type Lab, type StartLabOptions } from './start-lab.js'
import { startWorkload, type OpRecord, type Workload } from './workload.js'

export interface ScenarioOptions extends Omit<SwitchoverOptions, 'preset'> {
  readonly engine: LabEngineName
  readonly preset?: PresetName
  /** A client name (file in test/lab/clients/) or a factory. Default plain-pg / plain-mysql2. */
  readonly client?: string | LabClientFactory
  readonly workers?: number
  readonly topology?: LabTopology
  /** Aurora PG reader instances per side (default 0). */
  readonly readers?: number
  /** Read-only workers on the reader endpoint (`cluster-ro`). Default: 2 with readers, else 0. */
  readonly readerWorkers?: number
  readonly profile?: MetadataProfile
  /** Workload time before the switchover starts and after it completes. Default 1000 ms each. */
  readonly beforeMs?: number
  readonly afterMs?: number
  readonly paceMs?: number
  readonly connectTimeoutMs?: number
  /** Pool size of clients with one shared pool per run. Default 16. */
  readonly poolSize?: number
  /** How long stopping the workload may take before its unfinished ops count as unresolved. Default 15000. */
  readonly stopTimeoutMs?: number
  readonly lab?: Omit<StartLabOptions, 'engine' | 'topology' | 'profile'>
  /** Called once the lab is up, before the workload starts (e.g. to start a library's monitor). */
  readonly onLab?: (lab: Lab, target: LabClientTarget) => Promise<void> | void
  /** Called after the workload stopped, before the lab stops (e.g. to stop pollers). */
  readonly onFinish?: (lab: Lab) => Promise<void> | void
}

/** Metrics plus what produced them. */
export interface ScenarioResult extends LabMetrics {
  readonly engine: LabEngineName
  readonly preset: string
  readonly client: string
  readonly topology: LabTopology
  readonly profile: MetadataProfile
  readonly outcome: 'completed' | 'rolled-back'
  readonly labStartMs: number
  readonly wallMs: number
  readonly events: readonly LabEvent[]
  readonly opLog: readonly OpRecord[]
  /** Ops still pending `stopTimeoutMs` after the workload was told to stop (held and never released). */
  readonly unresolvedOps: number
}

/** The connection target of a lab's workload: the blue writer name, as the app user. */
export function labTarget(lab: Lab, connectTimeoutMs = 1000, poolSize?: number): LabClientTarget {
  return {
    ...(poolSize === undefined ? {} : { poolSize }),
    engine: lab.engine,
    host: lab.names.blue.writer,
    port: lab.port,
    user: lab.app.user,
    password: lab.app.password,
    database: lab.app.database,
    connectTimeoutMs,
    names: lab.names,
    ...(lab.resolver === 'inject' ? { lookup: lab.lookup } : {}),
  }
}

/** Read-only workers on the reader endpoint, on their own session of the same client. */
async function startReaders(
  lab: Lab,
  opts: ScenarioOptions,
  name: string,
  custom: LabClientFactory | undefined,
  target: LabClientTarget,
  writers: number,
): Promise<(Workload & { close(): Promise<void> }) | undefined> {
  const n = opts.readerWorkers ?? ((opts.readers ?? 0) > 0 ? 2 : 0)
  const host = lab.names.blue.reader
  if (n === 0 || host === undefined) return undefined
  const readerTarget = { ...target, host }
  const session: LabSession =
    custom === undefined
      ? await openLabClients(name, opts.engine, readerTarget)
      : { client: () => custom(readerTarget), close: async () => undefined }
  const w = startWorkload({
    factory: () => session.client(),
    target: readerTarget,
    clock: lab.clock,
    workers: n,
    readEvery: 1,
    endpoint: 'reader',
    firstWorker: writers + 1,
    ...(opts.paceMs === undefined ? {} : { paceMs: opts.paceMs }),
  })
  return { ...w, close: () => session.close() }
}

/**
 * Starts a lab, runs a workload through one switchover and returns the metrics. The lab is always stopped.
 *
 * @example
 * const m = await runScenario({ engine: 'pg', preset: 'fast', client: 'plain-pg' })
 * expect(m.lostWrites).toBe(0)
 */
export async function runScenario(opts: ScenarioOptions): Promise<ScenarioResult> {
  const started = Date.now()
  const clientName =
    typeof opts.client === 'string' ? opts.client : opts.client === undefined ? undefined : 'custom'
  const name = clientName ?? (opts.engine === 'pg' ? 'plain-pg' : 'plain-mysql2')
  const custom = typeof opts.client === 'function' ? opts.client : undefined
  if (custom === undefined) await loadLabClient(name, opts.engine) // fail fast on an unknown client
  const lab = await startLab({
    ...opts.lab,
    engine: opts.engine,
    ...(opts.topology === undefined ? {} : { topology: opts.topology }),
    ...(opts.profile === undefined ? {} : { profile: opts.profile }),
    ...(opts.readers === undefined ? {} : { readers: opts.readers }),
  })
  try {
    const target = labTarget(lab, opts.connectTimeoutMs, opts.poolSize)
    await opts.onLab?.(lab, target)
    const session: LabSession =
      custom === undefined
        ? await openLabClients(name, opts.engine, target)
        : { client: () => custom(target), close: async () => undefined }
    const workers = opts.workers ?? 4
    const workload = startWorkload({
      factory: () => session.client(),
      target,
      clock: lab.clock,
      workers,
      ...(opts.paceMs === undefined ? {} : { paceMs: opts.paceMs }),
    })
    const readers = await startReaders(lab, opts, name, custom, target, workers)
    let result
    let unresolvedOps = 0
    try {
      await sleep(opts.beforeMs ?? 1000)
      result = await lab.switchover({ ...opts, preset: opts.preset ?? 'default' })
      await sleep(opts.afterMs ?? 1000)
    } finally {
      const stopping = Promise.all([workload.stop(), readers?.stop()]).then(() => true)
      const done = await Promise.race([stopping, sleep(opts.stopTimeoutMs ?? 15_000).then(() => false)])
      if (!done) unresolvedOps = workload.inFlight() + (readers?.inFlight() ?? 0)
      await session.close()
      await readers?.close()
      await opts.onFinish?.(lab)
    }
    const rolledBack = result.outcome === 'rolled-back'
    const ops = [...workload.ops(), ...(readers?.ops() ?? [])]
    const metrics = analyze({
      ops,
      events: lab.events(),
      dnsLog: lab.dnsLog(),
      proxyLog: lab.proxyLog(),
      finalWriterKeys: await lab.writtenKeys(rolledBack ? 'blue' : 'green'),
      cutAt: rolledBack ? undefined : result.cutAt,
      oldBlueIp: lab.ips.public.blue,
    })
    return {
      engine: opts.engine,
      preset: opts.replay ? 'replay' : (opts.preset ?? 'default'),
      client: name,
      topology: lab.topology,
      profile: lab.profile,
      outcome: result.outcome,
      labStartMs: Math.round(lab.startMs),
      wallMs: Date.now() - started,
      ...metrics,
      events: lab.events(),
      opLog: ops,
      unresolvedOps,
    }
  } finally {
    await lab.stop()
  }
}
