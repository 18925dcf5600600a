import { publishArmed, publishPhase } from './channels.js'
import type { DbSystem, PhaseEvent } from './channels.js'
import { FleetMember } from './fleet/fleet-member.js'
import type { SharedStatus } from './fleet/wire.js'
import type { MetadataDiagnosis } from './metadata/diagnosis.js'
import type { MetadataSource } from './metadata/source.js'
import { SideMonitor } from './monitor/side-monitor.js'
import type { ResolvedOptions } from './options.js'
import type { Clock, Logger, Resolver } from './runtime.js'
import type { MonitorFault } from './status/armed-reasons.js'
import type { Instant } from './status/cycle.js'
import type { CoordinatorEffect, CoordinatorEvent, CoordinatorState } from './status/events.js'
import { initialState, reduce } from './status/reducer.js'
import type { BlueGreenSnapshot, ConnectTarget, InterimStatus, Role } from './types.js'
import { rememberOnce } from './warn-once.js'

export { DELETION_DEBOUNCE_MS } from './status/reducer.js'

/** What a coordinator is built from; the first connection of a deployment supplies it. */
export interface CoordinatorDeps {
  readonly options: ResolvedOptions
  readonly source: MetadataSource
  readonly initialHost: ConnectTarget
  readonly resolver: Resolver
  readonly clock: Clock
  readonly logger: Logger
  /** Jitter source of the fleet status channel (tests); `Math.random` by default. */
  readonly random?: () => number
}

/**
 * One per deployment (`bgdId`) per process: the shell around the pure reducer in `status/reducer.ts`. It owns
 * what the reducer must not touch (the two monitors, the switchover timer, held waiters, subscribers, the
 * clock) and carries out the reducer's effects. Publishing a snapshot wakes every held connect and call at once.
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
  /** The engine, from the metadata source (`pg`, `mysql2`); events carry it as OpenTelemetry's `db.system.name`. */
  readonly dbSystem: DbSystem | undefined
  readonly #deps: CoordinatorDeps
  readonly #monitors = new Map<Role, SideMonitor>()
  /** Held connects and calls waiting for the next publish; all released in one pass by it. */
  readonly #waiters = new Set<Waiter>()
  readonly #listeners = new Set<(snapshot: BlueGreenSnapshot) => void>()
  #state: CoordinatorState
  /** The snapshot of the last publish effect run (the state may be a step ahead while effects run). */
  #published: BlueGreenSnapshot
  #started = false
  #cancelTimer: (() => void) | undefined
  /** Events raised while effects run (a listener reacting synchronously) wait their turn: one step at a time. */
  readonly #queue: CoordinatorEvent[] = []
  #stepping = false
  /** With a status channel: this process's part in the fleet, which decides whether the monitors run here. */
  #fleet: FleetMember | undefined

  constructor(deps: CoordinatorDeps) {
    this.#deps = deps
    this.bgdId = deps.options.bgdId
    this.dbSystem = dbSystemOf(deps.source.name)
    const { switchoverTimeoutMs, releaseOnBlueDnsUpdate } = deps.options
    this.#state = initialState(
      { bgdId: this.bgdId, switchoverTimeoutMs, releaseOnBlueDnsUpdate, dbSystem: this.dbSystem },
      deps.clock.now(),
    )
    this.#published = this.#state.snapshot
  }

  get options(): ResolvedOptions {
    return this.#deps.options
  }

  /** The latest published snapshot. */
  snapshot(): BlueGreenSnapshot {
    return this.#published
  }

  /** Starts both monitors, or with a status channel joins the fleet (which starts them when this process leads). */
  start(): void {
    if (this.#started || this.#state.closed) return
    this.#started = true
    const channel = this.#deps.options.statusChannel
    if (channel === undefined) return this.#startMonitors()
    this.#fleet = new FleetMember({
      bgdId: this.bgdId,
      channel,
      options: this.#deps.options,
      clock: this.#deps.clock,
      logger: this.#deps.logger,
      ...(this.#deps.random === undefined ? {} : { random: this.#deps.random }),
      snapshot: () => this.#published,
      startMonitors: () => {
        if (this.#monitors.size === 0 && !this.#state.closed) this.#startMonitors()
      },
      stopMonitors: () => this.#stopMonitors(),
      apply: (status) => this.applyRemote(status),
    })
    this.#fleet.start()
  }

  /** This process's part in its fleet (`undefined` without a status channel). */
  get fleetRole(): FleetMember['role'] | undefined {
    return this.#fleet?.role
  }

  /** Number of monitors running in this process (0 while following a fleet's leader). */
  get runningMonitors(): number {
    return this.#monitors.size
  }

  /** Calls `listener` with every newly published snapshot; returns the unsubscribe function. */
  subscribe(listener: (snapshot: BlueGreenSnapshot) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /**
   * Resolves when a snapshot newer than `sequence` is published, or with `false` at `deadline` (monotonic ms).
   * Event-driven: no polling.
   */
  waitForChange(sequence: number, deadline: number, signal?: AbortSignal): Promise<boolean> {
    if (this.#published.sequence !== sequence || this.#state.closed) return Promise.resolve(true)
    if (signal?.aborted === true) return Promise.resolve(false)
    return new Promise<boolean>((resolve) => {
      const waiter: Waiter = { resolve, cancel: undefined, signal, onAbort: undefined }
      const giveUp = (): void => {
        if (this.#waiters.delete(waiter)) settle(waiter, false)
      }
      if (signal !== undefined) {
        waiter.onAbort = giveUp
        signal.addEventListener('abort', giveUp, { once: true })
      }
      // Whole milliseconds: timers of one duration share one list in Node, so 10,000 of them clear in O(1) each.
      const ms = Math.max(0, Math.ceil(deadline - this.#deps.clock.now()))
      waiter.cancel = this.#deps.clock.timer(ms, giveUp)
      this.#waiters.add(waiter)
    })
  }

  /** Receives one monitor's interim status. */
  accept(role: Role, interim: InterimStatus): void {
    this.#dispatch({ type: 'interim', role, interim, at: this.#now() })
  }

  /** A monitor found no readable metadata. */
  reportUnavailable(role: Role, reason: string, diagnosis?: MetadataDiagnosis): void {
    this.#dispatch({ type: 'unavailable', role, reason, diagnosis, at: this.#now() })
  }

  /** A monitor hit a fault a user must fix, or (`undefined`) read again after one. */
  reportFault(role: Role, fault: MonitorFault | undefined): void {
    this.#dispatch({ type: 'fault', role, fault, at: this.#now() })
  }

  /** Applies a status published by the fleet's leader (README, "Fleets: the Redis status channel"). */
  applyRemote(status: SharedStatus): void {
    this.#dispatch({ type: 'remote', status, at: this.#now() })
  }

  /** Stops both monitors and wakes every waiter; idempotent. */
  async close(): Promise<void> {
    if (this.#state.closed) return
    this.#fleet?.stop()
    this.#dispatch({ type: 'closed' })
    await Promise.all([...this.#monitors.values()].map((m) => m.stop()))
    this.#monitors.clear()
  }

  #now(): Instant {
    return { mono: this.#deps.clock.now(), wall: this.#deps.clock.wallNow() }
  }

  #dispatch(event: CoordinatorEvent): void {
    this.#queue.push(event)
    if (this.#stepping) return
    this.#stepping = true
    try {
      for (let next = this.#queue.shift(); next !== undefined; next = this.#queue.shift()) {
        const { state, effects } = reduce(this.#state, next)
        this.#state = state
        for (const effect of effects) this.#run(effect)
      }
    } finally {
      this.#stepping = false
    }
  }

  #run(effect: CoordinatorEffect): void {
    switch (effect.type) {
      case 'publish':
        return this.#publish(effect.snapshot, effect.phaseChange, effect.notify)
      case 'log':
        if (effect.once !== undefined && !rememberOnce(effect.once)) return
        return this.#deps.logger[effect.level](effect.message)
      case 'armed':
        return publishArmed(effect.event)
      case 'schedule-timer':
        this.#cancelTimer?.()
        this.#cancelTimer = this.#deps.clock.timer(effect.delayMs, () =>
          this.#dispatch({ type: 'timer-fired', at: this.#now() }),
        )
        return
      case 'cancel-timer':
        this.#cancelTimer?.()
        this.#cancelTimer = undefined
        return
      case 'control-monitors':
        for (const monitor of this.#monitors.values()) {
          if (effect.resetCollected) monitor.resetCollectedData()
          monitor.setControl(effect.control)
        }
        return
      case 'restart-monitors':
        return this.#restartMonitors()
    }
  }

  #publish(snapshot: BlueGreenSnapshot, phaseChange: PhaseEvent | undefined, notify: boolean): void {
    this.#published = snapshot
    if (phaseChange !== undefined) publishPhase(phaseChange)
    if (this.#waiters.size > 0) {
      const waiters = [...this.#waiters]
      this.#waiters.clear()
      for (const waiter of waiters) settle(waiter, true)
    }
    if (!notify) return
    for (const listener of this.#listeners) {
      try {
        listener(snapshot)
      } catch (err) {
        this.#deps.logger.error(`[bgdId: '${this.bgdId}'] snapshot listener failed`, err)
      }
    }
    this.#fleet?.published(snapshot)
  }

  #startMonitors(): void {
    for (const role of ['SOURCE', 'TARGET'] as const) {
      const monitor = new SideMonitor({
        ...this.#deps,
        role,
        bgdId: this.bgdId,
        onInterim: (r, interim) => this.accept(r, interim),
        onUnavailable: (r, reason, diagnosis) => this.reportUnavailable(r, reason, diagnosis),
        onFault: (r, fault) => this.reportFault(r, fault),
      })
      this.#monitors.set(role, monitor)
      monitor.start()
    }
  }

  #stopMonitors(): void {
    for (const monitor of this.#monitors.values()) void monitor.stop().catch(() => undefined)
    this.#monitors.clear()
  }

  #restartMonitors(): void {
    // A follower runs none: it restarts nothing.
    if (!this.#started || this.#monitors.size === 0) return
    const old = [...this.#monitors.values()]
    this.#monitors.clear()
    for (const monitor of old) void monitor.stop().catch(() => undefined)
    if (!this.#state.closed) this.#startMonitors()
  }
}

/** One held connect or call (see {@link Coordinator.waitForChange}). */
interface Waiter {
  readonly resolve: (changed: boolean) => void
  /** Cancels the deadline timer. */
  cancel: (() => void) | undefined
  readonly signal: AbortSignal | undefined
  onAbort: (() => void) | undefined
}

/** Ends a waiter already taken out of the set: its timer and abort listener go, its promise resolves. */
function settle(waiter: Waiter, changed: boolean): void {
  waiter.cancel?.()
  if (waiter.onAbort !== undefined) waiter.signal?.removeEventListener('abort', waiter.onAbort)
  waiter.resolve(changed)
}

/** `db.system.name` of the drivers' own metadata sources; other sources (tests, custom) name none. */
function dbSystemOf(source: string): DbSystem | undefined {
  return source === 'pg' ? 'postgresql' : source === 'mysql2' ? 'mysql' : undefined
}
