import dns from 'node:dns'
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { addressPlan, type AddressPlan, type LabEngineName, type LabSide } from './address-plan.js'
import { createClock, type LabClock } from './clock.js'
import { startLabDns, type DnsLogEntry, type LabDns } from './dns-server.js'
import type { AppCredentials, LabEngine } from './engine.js'
import { LabError } from './errors.js'
import { createEventLog, type LabEvent } from './event-log.js'
import {
  createLabLookup,
  resolverMode,
  setLabLookupServer,
  type LabLookupFunction,
  type LabResolverMode,
} from './lab-lookup.js'
import { labRoot } from './lab-root.js'
import { createMariaEngine } from './maria-engine.js'
import { mariaSocket, startMariaServer } from './maria-server.js'
import { createMetadataController, initMetadata } from './metadata-controller.js'
import type { MetadataProfile, SideMetadataState } from './metadata.js'
import { labNames, type LabNames, type LabTopology } from './names.js'
import {
  initialDns,
  runSwitchover,
  type OrchestratorContext,
  type SwitchoverOptions,
  type SwitchoverResult,
} from './orchestrator.js'
import { createPgEngine } from './pg-engine.js'
import { startPgServer } from './pg-server.js'
import { startReaderInstances } from './reader-instances.js'
import { guardDir, reapStale } from './process-guard.js'
import { startProxy, type InstanceProxy, type ProxyAcceptEntry } from './proxy.js'
import type { ServerProcess } from './server-process.js'
import { takeSlot } from './slot-lock.js'

export interface StartLabOptions {
  readonly engine: LabEngineName
  readonly topology?: LabTopology
  /** Aurora PG: reader instances per side (real servers replicating from the side's writer). Default 0. */
  readonly readers?: number
  readonly profile?: MetadataProfile
  /** A fixed slot (address block); default: the lowest free one. */
  readonly slot?: number
  /** late-metadata: rows appear this long after start; null = never. Default 2000. */
  readonly metadataAfterMs?: number | null
  /** Extra DDL run as the app user on both sides before replication (an ORM's tables). */
  readonly schema?: readonly string[]
  readonly dnsTtl?: number
  readonly staleJitter?: number
  /** Default: `RDS_BG_LAB_RESOLVER` (system inside with-lab-dns.mjs, inject otherwise). */
  readonly resolver?: LabResolverMode
}

/** A running lab. Every log uses `clock` (ms since start). */
export interface Lab {
  readonly engine: LabEngineName
  readonly topology: LabTopology
  readonly profile: MetadataProfile
  readonly names: LabNames
  readonly ips: AddressPlan
  readonly port: number
  readonly app: AppCredentials
  readonly clock: LabClock
  readonly dns: LabDns
  readonly proxies: Readonly<Record<LabSide, InstanceProxy>>
  /** Aurora reader instances' proxies per side (instances `blue-reader-1`, `green-reader-1`, ...). */
  readonly readerProxies: Readonly<Record<LabSide, readonly InstanceProxy[]>>
  readonly resolver: LabResolverMode
  /** `dns.lookup` through this lab's DNS; use it (e.g. in a driver's stream factory) in inject mode. */
  readonly lookup: LabLookupFunction
  /** How long startLab took, in ms. */
  readonly startMs: number
  /** The lab's data folder (removed by stop()). */
  readonly dir: string
  switchover(opts?: SwitchoverOptions): Promise<SwitchoverResult>
  /** Requests a rollback at the next checkpoint (allowed until POST, as on AWS). */
  rollback(): void
  events(): readonly LabEvent[]
  dnsLog(): readonly DnsLogEntry[]
  proxyLog(): readonly ProxyAcceptEntry[]
  metadataState(side: LabSide): SideMetadataState
  sql(side: LabSide, text: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>
  writtenKeys(side: LabSide): Promise<Set<string>>
  stop(): Promise<void>
}

/** Points the bind-mounted /etc/resolv.conf (see scripts/with-lab-dns.mjs) at this lab's DNS, in place. */
function pointResolvConf(ip: string): void {
  const file = process.env['RDS_BG_LAB_RESOLV_CONF']
  // Written in place (O_TRUNC), never renamed: the bind mount pins the inode. glibc re-reads it on mtime change.
  if (file !== undefined && existsSync(file))
    writeFileSync(file, `nameserver ${ip}\noptions timeout:1 attempts:1\n`)
  try {
    dns.setServers([ip]) // c-ares (dns.resolve*) read resolv.conf at process start
  } catch {
    // keep the previous servers
  }
}

/** Starts a component and registers its cleanup at once, so a failure elsewhere never leaks it. */
async function track<T>(
  cleanup: (() => Promise<void>)[],
  start: Promise<T>,
  close: (t: T) => Promise<void>,
): Promise<T> {
  const started = await start
  cleanup.push(() => close(started))
  return started
}

function startServer(
  engine: LabEngineName,
  side: LabSide,
  plan: AddressPlan,
  dir: string,
): Promise<ServerProcess> {
  return engine === 'pg'
    ? startPgServer({
        name: `pg-${side}`,
        labDir: dir,
        ip: plan.private[side],
        port: plan.port,
        instance: side,
      })
    : startMariaServer({
        name: `my-${side}`,
        labDir: dir,
        ip: plan.private[side],
        port: plan.port,
        serverId: side === 'blue' ? 1 : 2,
      })
}

/**
 * Starts a lab: two real servers (blue replicating to green) behind one proxy each, a DNS server for the AWS
 * names, and the fake Blue/Green metadata in state AVAILABLE.
 *
 * @example
 * const lab = await startLab({ engine: 'pg' })
 * try { await lab.switchover({ preset: 'fast' }) } finally { await lab.stop() }
 */
export async function startLab(opts: StartLabOptions): Promise<Lab> {
  const clock = createClock()
  const topology = opts.topology ?? 'rds-instance'
  const profile = opts.profile ?? 'standard'
  if (opts.engine === 'mysql' && profile === 'aurora-pg-deleted') {
    throw new LabError('BAD_OPTION', 'aurora-pg-deleted is a PostgreSQL profile')
  }
  const readers = opts.readers ?? 0
  if (readers > 0 && (topology !== 'aurora' || opts.engine !== 'pg')) {
    throw new LabError(
      'BAD_OPTION',
      'readers need --topology aurora on pg (Aurora MySQL topology cannot be faked on MariaDB)',
    )
  }
  if (!Number.isInteger(readers) || readers < 0 || readers > 8)
    throw new LabError('BAD_OPTION', 'readers must be an integer 0..8')
  reapStale()
  const { slot, release } = takeSlot(opts.slot)
  const plan = addressPlan(slot, opts.engine, readers)
  const names = labNames(topology, readers)
  const dir = join(labRoot(), 'labs', `${opts.engine}-slot${slot}-${process.pid}`)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true, mode: 0o755 })
  const releaseDir = guardDir(`lab-slot${slot}-${process.pid}`, dir)
  const cleanup: (() => Promise<void>)[] = []
  const timers = new Set<NodeJS.Timeout>()
  let stopped = false
  const stop = async (): Promise<void> => {
    if (stopped) return
    stopped = true
    for (const t of timers) clearTimeout(t)
    for (const fn of cleanup.reverse()) await fn().catch(() => undefined)
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 })
    releaseDir()
    release()
  }
  try {
    const target = (side: LabSide) => ({ host: plan.private[side], port: plan.port })
    const proxy = (side: LabSide): Promise<InstanceProxy> =>
      startProxy({
        instance: side,
        listen: { host: plan.public[side], port: plan.port },
        target: target(side),
        clock,
      })
    const stopServer = (srv: ServerProcess): Promise<void> => srv.stop()
    const closeProxy = (p: InstanceProxy): Promise<void> => p.close()
    // Readers start alongside the writers, DNS and proxies (below); awaited together.
    const readerStarting = startReaderInstances({
      plan,
      dir,
      clock,
      onStarted: (stop) => cleanup.push(stop),
    }).then(
      (v) => ({ ok: true as const, v }),
      (err: unknown) => ({ ok: false as const, err }),
    )
    const mainStarting = Promise.allSettled([
      track(
        cleanup,
        startLabDns({ ip: plan.dnsIp, clock, ttl: opts.dnsTtl ?? 5, staleJitter: opts.staleJitter ?? 0 }),
        (d) => d.close(),
      ),
      track(cleanup, startServer(opts.engine, 'blue', plan, dir), stopServer),
      track(cleanup, startServer(opts.engine, 'green', plan, dir), stopServer),
      track(cleanup, proxy('blue'), closeProxy),
      track(cleanup, proxy('green'), closeProxy),
    ])
    const [readerStarts, started] = await Promise.all([readerStarting, mainStarting])
    if (!readerStarts.ok) throw readerStarts.err
    const readerProxies = readerStarts.v
    const failed = started.find((r) => r.status === 'rejected')
    if (failed !== undefined) throw failed.reason
    const [dnsServer, , , blue, green] = started.map((r) => (r as PromiseFulfilledResult<unknown>).value) as [
      LabDns,
      ServerProcess,
      ServerProcess,
      InstanceProxy,
      InstanceProxy,
    ]
    const engine: LabEngine =
      opts.engine === 'pg'
        ? createPgEngine({ private: plan.private, port: plan.port, readers: plan.readers.private })
        : createMariaEngine({
            private: plan.private,
            port: plan.port,
            sockets: { blue: mariaSocket(dir, 'my-blue'), green: mariaSocket(dir, 'my-green') },
          })
    cleanup.push(() => engine.close())
    await engine.setup({
      aurora: topology === 'aurora',
      denyMetadata: profile === 'permission-denied',
      schema: opts.schema ?? [],
    })
    const metadata = createMetadataController(engine, profile, names, plan.port)
    await initMetadata(metadata)
    const events = createEventLog(clock)
    const proxies = { blue, green }
    const ctx: OrchestratorContext = {
      engine,
      proxies,
      readerProxies,
      dns: dnsServer,
      names,
      plan,
      clock,
      events,
      metadata,
      timers,
    }
    initialDns(ctx)
    events.add(metadata.state('blue').visible ? 'CREATED' : 'NOT_CREATED')
    if (profile === 'late-metadata' && opts.metadataAfterMs !== null) {
      const t = setTimeout(() => {
        metadata.apply({ kind: 'visible' }).then(
          () => events.add('CREATED', { late: true }),
          () => undefined,
        )
      }, opts.metadataAfterMs ?? 2000)
      timers.add(t)
    }
    const resolver = opts.resolver ?? resolverMode()
    if (resolver === 'system') pointResolvConf(plan.dnsIp)
    setLabLookupServer(plan.dnsIp)
    const run = { rollbackRequested: false }
    let active: Promise<SwitchoverResult> | undefined
    return {
      engine: opts.engine,
      topology,
      profile,
      names,
      ips: plan,
      port: plan.port,
      app: engine.app,
      clock,
      dns: dnsServer,
      proxies,
      readerProxies,
      resolver,
      lookup: createLabLookup(() => plan.dnsIp),
      startMs: clock.now(),
      dir,
      switchover(sw = {}) {
        if (active !== undefined) throw new LabError('BAD_STATE', 'a switchover already ran in this lab')
        active = runSwitchover(ctx, sw, run)
        return active
      },
      rollback() {
        const last = events.all().at(-1)?.event
        if (events.at('POST') !== undefined)
          throw new LabError('BAD_STATE', `rollback not allowed after POST (${String(last)})`)
        run.rollbackRequested = true
      },
      events: () => events.all(),
      dnsLog: () => dnsServer.log(),
      proxyLog: () =>
        [blue, green, ...readerProxies.blue, ...readerProxies.green]
          .flatMap((p) => p.log())
          .sort((a, b) => a.t - b.t),
      metadataState: (side) => metadata.state(side),
      sql: (side, text, params) => engine.sql(side, text, params),
      writtenKeys: (side) => engine.writtenKeys(side),
      stop,
    }
  } catch (err) {
    await stop()
    throw err
  }
}
