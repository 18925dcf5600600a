import { publishPhase } from './channels.js'
import type { MetadataSource } from './metadata/source.js'
import type { MonitorControl } from './monitor/side-monitor.js'
import { SideMonitor } from './monitor/side-monitor.js'
import type { ResolvedOptions } from './options.js'
import type { Clock, Logger, Resolver } from './runtime.js'
import { pairHosts } from './status/corresponding-hosts.js'
import { PhaseTimeline } from './status/phase-timeline.js'
import { summarize } from './status/summarize.js'
import { formatReadiness } from './status/readiness.js'
import type { BlueGreenSnapshot, ConnectTarget, HostPair, InterimStatus, Phase, Role } from './types.js'
import { PHASE_ORDER, isActivePhase } from './types.js'

/** What a coordinator is built from; the first connection of a deployment supplies it. */
export interface CoordinatorDeps {
  readonly options: ResolvedOptions
  readonly source: MetadataSource
  readonly initialHost: ConnectTarget
  readonly resolver: Resolver
  readonly clock: Clock
  readonly logger: Logger
}

/** How long blue must report no deployment before a CREATED deployment counts as deleted (spec §5.12). */
export const DELETION_DEBOUNCE_MS = 30_000

/**
 * One per deployment (`bgdId`) per process: owns the blue and green monitors, combines their interim statuses
 * into one phase (spec §5), and publishes an immutable {@link BlueGreenSnapshot} on every change. Publishing wakes
 * every held connect and call at once.
 *
 * @example
 * ```ts
 * const coordinator = new Coordinator(deps)
 * coordinator.start()
 * coordinator.subscribe((snapshot) => console.log(snapshot.phase))
 * ```
 */
export class Coordinator {
  readonly bgdId: string
  readonly #deps: CoordinatorDeps
  readonly #monitors = new Map<Role, SideMonitor>()
  readonly #waiters = new Set<() => void>()
  readonly #listeners = new Set<(snapshot: BlueGreenSnapshot) => void>()
  #started = false
  #closed = false
  #sequence = 0
  #snapshot: BlueGreenSnapshot
  #cancelTimer: (() => void) | undefined

  // Cycle state, cleared by #resetCycle() (spec §5.9).
  #interim = new Map<Role, InterimStatus>()
  #hash = new Map<Role, string>()
  #latest: Phase = 'NOT_CREATED'
  #rollback = false
  #deadline: number | undefined
  #blueDnsUpdated = false
  #greenDnsRemoved = false
  #greenTopologyChanged = false
  #releaseLogged = false
  #readinessLogged = false
  #summaryLogged = false
  #ipByHost = new Map<string, string>()
  #roleByHost = new Map<string, Role>()
  #pairs = new Map<string, HostPair>()
  #timeline: PhaseTimeline
  #blueAbsentSince: number | undefined
  #unavailableWarned = false

  constructor(deps: CoordinatorDeps) {
    this.#deps = deps
    this.bgdId = deps.options.bgdId
    this.#timeline = new PhaseTimeline(deps.clock)
    this.#snapshot = this.#build('NOT_CREATED', [], [], new Map(), new Map(), false)
  }

  get options(): ResolvedOptions {
    return this.#deps.options
  }

  /** The latest published snapshot. */
  snapshot(): BlueGreenSnapshot {
    return this.#snapshot
  }

  /** Starts both monitors. */
  start(): void {
    if (this.#started || this.#closed) return
    this.#started = true
    this.#startMonitors()
  }

  /** Calls `listener` with every newly published snapshot; returns the unsubscribe function. */
  subscribe(listener: (snapshot: BlueGreenSnapshot) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /**
   * Resolves when a snapshot newer than `sequence` is published, or with `false` at `deadline` (monotonic ms) or
   * on abort. Event-driven: no polling.
   */
  waitForChange(sequence: number, deadline: number, signal?: AbortSignal): Promise<boolean> {
    if (this.#snapshot.sequence !== sequence || this.#closed) return Promise.resolve(true)
    if (signal?.aborted === true) return Promise.resolve(false)
    return new Promise<boolean>((resolve) => {
      const finish = (changed: boolean): void => {
        cancel()
        this.#waiters.delete(wake)
        signal?.removeEventListener('abort', onAbort)
        resolve(changed)
      }
      const wake = (): void => finish(true)
      const onAbort = (): void => finish(false)
      const cancel = this.#deps.clock.timer(Math.max(0, deadline - this.#deps.clock.now()), () =>
        finish(false),
      )
      this.#waiters.add(wake)
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  /** Receives one monitor's interim status (spec §5.1 `prepareStatus`). */
  accept(role: Role, interim: InterimStatus): void {
    if (this.#closed) return
    const hash = interimHash(interim)
    if (this.#hash.get(role) === hash) {
      this.#checkTimer()
      this.#checkDeletion(role, interim)
      return
    }
    this.#updatePhase(role, interim.phase)
    this.#interim.set(role, interim)
    this.#hash.set(role, hash)
    for (const [host, ip] of interim.startIpByHost) if (ip !== undefined) this.#ipByHost.set(host, ip)
    // First writer wins: after the rename a green row carries the blue name, and must not make it green.
    for (const host of interim.hostNames) if (!this.#roleByHost.has(host)) this.#roleByHost.set(host, role)
    this.#pairs = pairHosts(this.#interim.get('SOURCE'), this.#interim.get('TARGET'))
    this.#updateFlags(role, interim)
    this.#checkDeletion(role, interim)
    this.#recompute()
  }

  /** A monitor found no readable metadata: warn once per coordinator (the deployment may simply not exist). */
  reportUnavailable(role: Role, reason: string): void {
    if (this.#unavailableWarned || role !== 'SOURCE') return
    this.#unavailableWarned = true
    this.#deps.logger.warn(
      `[bgdId: '${this.bgdId}'] No Blue/Green metadata is readable (${reason}); connections are not routed until a deployment appears.`,
    )
  }

  /** Stops both monitors and wakes every waiter; idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#cancelTimer?.()
    // A closed deployment routes nothing: release every hold still in flight.
    this.#snapshot = Object.freeze({
      ...this.#snapshot,
      sequence: ++this.#sequence,
      connectRoutes: [],
      executeRoutes: [],
    })
    for (const wake of [...this.#waiters]) wake()
    await Promise.all([...this.#monitors.values()].map((m) => m.stop()))
    this.#monitors.clear()
  }

  #startMonitors(): void {
    for (const role of ['SOURCE', 'TARGET'] as const) {
      const monitor = new SideMonitor({
        ...this.#deps,
        role,
        bgdId: this.bgdId,
        onInterim: (r, interim) => this.accept(r, interim),
        onUnavailable: (r, reason) => this.reportUnavailable(r, reason),
      })
      this.#monitors.set(role, monitor)
      monitor.start()
    }
  }

  #restartMonitors(): void {
    if (!this.#started) return
    const old = [...this.#monitors.values()]
    this.#monitors.clear()
    for (const monitor of old) void monitor.stop().catch(() => undefined)
    if (!this.#closed) this.#startMonitors()
  }

  /** Spec §5.2: rollback only from the green side, never on NOT_CREATED or unknown, never after COMPLETED. */
  #updatePhase(role: Role, next: Phase | undefined): void {
    const previous = this.#interim.get(role)?.phase
    if (
      role === 'TARGET' &&
      previous !== undefined &&
      next !== undefined &&
      next !== 'NOT_CREATED' &&
      this.#latest !== 'COMPLETED' &&
      PHASE_ORDER[next] < PHASE_ORDER[previous]
    ) {
      this.#rollback = true
    }
    if (next === undefined) return
    if (!this.#rollback) {
      if (PHASE_ORDER[next] > PHASE_ORDER[this.#latest]) this.#latest = next
    } else if (PHASE_ORDER[next] < PHASE_ORDER[this.#latest]) {
      this.#latest = next
    }
  }

  /** Spec §5.5: flags are latched once per cycle, in every phase but NOT_CREATED. */
  #updateFlags(role: Role, interim: InterimStatus): void {
    if (this.#latest === 'NOT_CREATED') return
    if (role === 'SOURCE' && interim.allStartTopologyIpChanged && !this.#blueDnsUpdated) {
      this.#blueDnsUpdated = true
      this.#timeline.record('Blue DNS updated', this.#rollback)
    }
    if (role === 'TARGET' && interim.allStartTopologyEndpointsRemoved && !this.#greenDnsRemoved) {
      this.#greenDnsRemoved = true
      this.#timeline.record('Green DNS removed', this.#rollback)
    }
    if (role === 'TARGET' && interim.allTopologyChanged && !this.#greenTopologyChanged) {
      this.#greenTopologyChanged = true
      this.#timeline.record('Green topology changed', this.#rollback)
    }
  }

  #recompute(): void {
    const latest = this.#latest
    // The switchover timer starts at the first active phase seen, not only at PREPARATION (Node bug N6, JDBC gap).
    if (this.#deadline === undefined && isActivePhase(latest) && latest !== 'COMPLETED') {
      this.#deadline = this.#deps.clock.now() + this.#deps.options.switchoverTimeoutMs
      this.#scheduleTimer(this.#deps.options.switchoverTimeoutMs)
    }
    const summary = summarize({
      latestPhase: latest,
      rollback: this.#rollback,
      timerExpired: this.#timerExpired(),
      releaseOnBlueDnsUpdate: this.#deps.options.releaseOnBlueDnsUpdate,
      blueDnsUpdated: this.#blueDnsUpdated,
      greenDnsRemoved: this.#greenDnsRemoved,
      greenTopologyChanged: this.#greenTopologyChanged,
      allGreenNodesChangedName: false,
      completedWithoutSwitchover: latest === 'COMPLETED' && !this.#timeline.hasSwitchover(),
      roleByHost: this.#roleByHost,
      ipByHost: this.#ipByHost,
      correspondingHosts: this.#pairs,
      portByRole: {
        SOURCE: this.#interim.get('SOURCE')?.port ?? -1,
        TARGET: this.#interim.get('TARGET')?.port ?? -1,
      },
    })
    if (summary.releasedOnBlueDns && !this.#releaseLogged) {
      this.#releaseLogged = true
      this.#timeline.record('Traffic released on blue DNS update', false)
      this.#deps.logger.info(`[bgdId: '${this.bgdId}'] Blue DNS updated: traffic released before POST.`)
    }
    const staleCompleted = latest === 'COMPLETED' && !this.#timeline.hasSwitchover()
    this.#controlMonitors(summary.phase)
    this.#publish(
      this.#build(
        summary.phase,
        summary.connectRoutes,
        summary.executeRoutes,
        summary.roleByHost,
        summary.correspondingHosts,
        this.#rollback,
      ),
    )
    this.#logReadiness()
    if (staleCompleted) {
      // A switchover first seen at COMPLETED is over for us: nothing to route, no summary, start afresh.
      this.#resetCycle()
      return
    }
    const cycleDone = this.#rollback ? summary.phase === 'CREATED' : summary.phase === 'COMPLETED'
    if (!cycleDone || !this.#timeline.hasSwitchover()) return
    if (!this.#summaryLogged) {
      this.#summaryLogged = true
      this.#deps.logger.info(this.#timeline.format(this.bgdId, this.#rollback))
    }
    // Reset only once the metadata itself settled: after a timeout or a DNS-detected completion over frozen
    // metadata, a fresh cycle would read the same stale IN_PROGRESS and hold traffic all over again.
    if (this.#settled()) {
      this.#resetCycle()
      this.#restartMonitors()
    }
  }

  #settled(): boolean {
    return this.#rollback ? this.#latest === 'CREATED' : this.#latest === 'COMPLETED'
  }

  #timerExpired(): boolean {
    return this.#deadline !== undefined && this.#deps.clock.now() >= this.#deadline
  }

  #scheduleTimer(ms: number): void {
    this.#cancelTimer?.()
    this.#cancelTimer = this.#deps.clock.timer(ms + 1, () => this.#checkTimer())
  }

  /** Spec §5.8 (JDBC #1923): checked on every poll, and by a timer, so a stuck monitor cannot hold traffic forever. */
  #checkTimer(): void {
    if (this.#closed || !this.#timerExpired() || this.#summaryLogged) return
    if (this.#latest !== 'PREPARATION' && this.#latest !== 'IN_PROGRESS' && this.#latest !== 'POST') return
    this.#deps.logger.warn(
      `[bgdId: '${this.bgdId}'] Blue/Green switchover did not finish within ${this.#deps.options.switchoverTimeoutMs} ms; routing is dropped.`,
    )
    this.#recompute()
  }

  /** Spec §5.12: blue reporting no deployment for a while (outside a switchover) means it was deleted. */
  #checkDeletion(role: Role, interim: InterimStatus): void {
    if (role !== 'SOURCE') return
    const absent = interim.phase === undefined || interim.phase === 'NOT_CREATED'
    const idle = this.#latest === 'CREATED' || (this.#summaryLogged && !this.#settled())
    if (!absent || !idle) {
      this.#blueAbsentSince = undefined
      return
    }
    const now = this.#deps.clock.now()
    this.#blueAbsentSince ??= now
    if (now - this.#blueAbsentSince < DELETION_DEBOUNCE_MS) return
    this.#deps.logger.info(
      `[bgdId: '${this.bgdId}'] Blue/Green deployment deleted; monitoring starts afresh.`,
    )
    this.#resetCycle()
    this.#publish(this.#build('NOT_CREATED', [], [], new Map(), new Map(), false))
    this.#restartMonitors()
  }

  #controlMonitors(phase: Phase): void {
    const control: MonitorControl =
      phase === 'NOT_CREATED'
        ? { rate: 'BASELINE', collectIps: false, collectTopology: false, useIpAddress: false }
        : phase === 'CREATED'
          ? { rate: 'INCREASED', collectIps: true, collectTopology: true, useIpAddress: false }
          : phase === 'COMPLETED'
            ? { rate: 'BASELINE', collectIps: false, collectTopology: false, useIpAddress: false }
            : { rate: 'HIGH', collectIps: false, collectTopology: false, useIpAddress: true }
    const reset = phase === 'COMPLETED' || (phase === 'CREATED' && this.#rollback)
    for (const monitor of this.#monitors.values()) {
      if (reset) monitor.resetCollectedData()
      monitor.setControl(control)
    }
  }

  #logReadiness(): void {
    if (this.#readinessLogged) return
    const text = formatReadiness(this.bgdId, this.#snapshot.phase, this.#interim, this.#pairs, this.#ipByHost)
    if (text === undefined) return
    this.#readinessLogged = true
    this.#deps.logger.info(text)
  }

  #publish(snapshot: BlueGreenSnapshot): void {
    const previous = this.#snapshot
    this.#snapshot = snapshot
    if (previous.phase !== snapshot.phase) {
      this.#timeline.record(snapshot.phase, snapshot.rollback)
      this.#deps.logger.debug(`[bgdId: '${this.bgdId}'] BG status: ${snapshot.phase}`)
      publishPhase({
        bgdId: this.bgdId,
        phase: snapshot.phase,
        previous: previous.phase,
        rollback: snapshot.rollback,
      })
    }
    for (const wake of [...this.#waiters]) wake()
    for (const listener of this.#listeners) {
      try {
        listener(snapshot)
      } catch (err) {
        this.#deps.logger.error(`[bgdId: '${this.bgdId}'] snapshot listener failed`, err)
      }
    }
  }

  #build(
    phase: Phase,
    connectRoutes: BlueGreenSnapshot['connectRoutes'],
    executeRoutes: BlueGreenSnapshot['executeRoutes'],
    roleByHost: ReadonlyMap<string, Role>,
    correspondingHosts: ReadonlyMap<string, HostPair>,
    rollback: boolean,
  ): BlueGreenSnapshot {
    const roleByIp = new Map<string, Role>()
    if (roleByHost.size > 0) {
      for (const [host, ip] of this.#ipByHost) {
        const role = roleByHost.get(host)
        if (role !== undefined && !roleByIp.has(ip)) roleByIp.set(ip, role)
      }
    }
    return Object.freeze({
      bgdId: this.bgdId,
      sequence: ++this.#sequence,
      phase,
      rollback,
      roleByHost: new Map(roleByHost),
      roleByIp,
      ipByHost: new Map(this.#ipByHost),
      correspondingHosts: new Map(correspondingHosts),
      connectRoutes: Object.freeze([...connectRoutes]),
      executeRoutes: Object.freeze([...executeRoutes]),
      blueDnsUpdated: this.#blueDnsUpdated,
      greenDnsRemoved: this.#greenDnsRemoved,
      greenTopologyChanged: this.#greenTopologyChanged,
      publishedAt: this.#deps.clock.now(),
    })
  }

  /** Spec §5.9 step 2. The published snapshot stays until the next change. */
  #resetCycle(): void {
    this.#interim = new Map()
    this.#hash = new Map()
    this.#latest = 'NOT_CREATED'
    this.#rollback = false
    this.#deadline = undefined
    this.#cancelTimer?.()
    this.#blueDnsUpdated = false
    this.#greenDnsRemoved = false
    this.#greenTopologyChanged = false
    this.#releaseLogged = false
    this.#readinessLogged = false
    this.#summaryLogged = false
    this.#ipByHost = new Map()
    this.#roleByHost = new Map()
    this.#pairs = new Map()
    this.#timeline = new PhaseTimeline(this.#deps.clock)
    this.#blueAbsentSince = undefined
  }
}

/** Order-independent fingerprint of an interim status (spec §5.1), to skip unchanged polls. */
function interimHash(s: InterimStatus): string {
  const sorted = (values: Iterable<string>): string => [...values].sort().join(',')
  return [
    s.phase ?? '-',
    s.version,
    s.port,
    s.allStartTopologyIpChanged,
    s.allStartTopologyEndpointsRemoved,
    s.allTopologyChanged,
    sorted(s.hostNames),
    sorted(s.startTopology.map((h) => `${h.host}:${h.port}${h.role}`)),
    sorted(s.currentTopology.map((h) => `${h.host}:${h.port}${h.role}`)),
    sorted([...s.startIpByHost].map(([h, ip]) => `${h}=${ip ?? ''}`)),
    sorted([...s.currentIpByHost].map(([h, ip]) => `${h}=${ip ?? ''}`)),
  ].join('|')
}
