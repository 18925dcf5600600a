import { instanceHostFromId, isGreenHost } from '../host-names.js'
import { classifyStatusError } from '../metadata/errors.js'
import { deriveSidePhase, parseRows } from '../metadata/rows.js'
import type { MetadataConnection, MetadataSource } from '../metadata/source.js'
import type { ResolvedOptions } from '../options.js'
import type { Clock, Logger, Resolver } from '../runtime.js'
import type { ConnectTarget, InterimStatus, Phase, Role, TopologyHost } from '../types.js'
import { PHASE_ORDER, isActivePhase } from '../types.js'
import { computeSideFlags } from './side-flags.js'

/** Polling rate names (spec §4.4). */
export type IntervalRate = 'BASELINE' | 'INCREASED' | 'HIGH'

/** What the coordinator tells a monitor after each published phase (spec §5.7). */
export interface MonitorControl {
  readonly rate: IntervalRate
  readonly collectIps: boolean
  readonly collectTopology: boolean
  readonly useIpAddress: boolean
}

/** Everything a monitor needs, injected. */
export interface SideMonitorDeps {
  readonly role: Role
  readonly bgdId: string
  readonly initialHost: ConnectTarget
  readonly source: MetadataSource
  readonly resolver: Resolver
  readonly clock: Clock
  readonly logger: Logger
  readonly options: ResolvedOptions
  readonly onInterim: (role: Role, interim: InterimStatus) => void
  readonly onUnavailable: (role: Role, reason: string) => void
}

const DEFAULT_MONITOR_TIMEOUT_MS = 10_000
/** During a switchover a monitor must notice the next phase quickly; a long connect attempt would hide it. */
const ACTIVE_MONITOR_TIMEOUT_MS = 2_000
const RESOLVE_TIMEOUT_MS = 2_000
const UNKNOWN = Symbol('unknown address')

/**
 * Polls one side (blue = SOURCE, green = TARGET) of a deployment on its own monitoring connection and reports
 * an interim status after every round (spec §4). The loop survives every error, reconnects with a capped backoff,
 * and sleeps on unref'd timers that a control change or `stop()` interrupts.
 *
 * @example
 * ```ts
 * const monitor = new SideMonitor({ role: 'SOURCE', ...deps })
 * monitor.start()
 * await monitor.stop()
 * ```
 */
export class SideMonitor {
  readonly #deps: SideMonitorDeps
  #control: MonitorControl = {
    rate: 'BASELINE',
    collectIps: true,
    collectTopology: true,
    useIpAddress: false,
  }
  #stopped = false
  /** Aborts in-flight connects and queries on stop(), so stopping never waits for a hung server. */
  readonly #stopSignal = new AbortController()
  #loop: Promise<void> | undefined
  #wake: AbortController = new AbortController()

  #connection: MetadataConnection | undefined
  #connectionHost: ConnectTarget | undefined
  #connectedIp: string | undefined
  #hostCorrect = false
  #panic = true
  #failures = 0

  #phase: Phase | undefined = 'NOT_CREATED'
  #version = '1.0'
  #port = -1
  #primaryEndpoint: string | undefined
  #hostNames = new Set<string>()
  #startTopology: readonly TopologyHost[] = []
  #currentTopology: readonly TopologyHost[] = []
  #startIpByHost: ReadonlyMap<string, string | undefined> = new Map()
  #currentIpByHost: ReadonlyMap<string, string | undefined> = new Map()

  constructor(deps: SideMonitorDeps) {
    this.#deps = deps
  }

  get role(): Role {
    return this.#deps.role
  }

  /** Starts the polling loop (constructors start nothing). */
  start(): void {
    if (this.#loop !== undefined || this.#stopped) return
    this.#loop = this.#run()
  }

  /** Applies the coordinator's control; a rate change interrupts the current sleep (spec §4.8). */
  setControl(control: MonitorControl): void {
    const changed = control.rate !== this.#control.rate
    this.#control = control
    if (changed) this.#interrupt()
  }

  /** Clears the start snapshots (rollback to CREATED, end of cycle). */
  resetCollectedData(): void {
    this.#hostNames = new Set()
    this.#startTopology = []
    this.#startIpByHost = new Map()
  }

  /** Stops the loop and closes the monitoring connection; idempotent. */
  async stop(): Promise<void> {
    this.#stopped = true
    this.#stopSignal.abort()
    this.#interrupt()
    await this.#loop
    await this.#closeConnection()
  }

  /** One polling round (spec §4.2 steps 1–7); never throws. */
  async pollOnce(): Promise<void> {
    await this.#openConnection()
    await this.#collectStatus()
    await this.#collectTopology()
    await this.#collectIps()
    if (this.#stopped) return
    this.#deps.onInterim(this.#deps.role, this.#interim())
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      try {
        await this.pollOnce()
      } catch (err) {
        // A failed round never ends monitoring (the Node reference loop died on the first exception, bug N13).
        this.#deps.logger.debug(
          `[bgdId: '${this.#deps.bgdId}'] [${this.#deps.role}] monitoring round failed`,
          err,
        )
      }
      if (this.#stopped) break
      const wake = this.#wake
      await this.#deps.clock.sleep(this.#nextDelay(), wake.signal)
      if (wake.signal.aborted) this.#wake = new AbortController()
    }
  }

  #interrupt(): void {
    this.#wake.abort()
  }

  #nextDelay(): number {
    const { options } = this.#deps
    if (!this.#panic) return this.#rateMs(this.#control.rate)
    // Panic polls at the high rate; repeated connect failures back off, capped so POST is still seen quickly.
    const backoff = options.highMs * 2 ** Math.min(Math.max(this.#failures - 1, 0), 6)
    return Math.min(backoff, Math.max(options.highMs, Math.min(1_000, options.highMs * 5)))
  }

  #rateMs(rate: IntervalRate): number {
    const { options } = this.#deps
    return rate === 'HIGH' ? options.highMs : rate === 'INCREASED' ? options.increasedMs : options.baselineMs
  }

  #timeoutMs(): number {
    const configured = this.#deps.options.monitoring['connectTimeoutMs']
    const base = typeof configured === 'number' && configured > 0 ? configured : DEFAULT_MONITOR_TIMEOUT_MS
    return this.#control.useIpAddress ? Math.min(base, ACTIVE_MONITOR_TIMEOUT_MS) : base
  }

  /**
   * Whether this round may update the start snapshot. The coordinator allows it while CREATED; a monitor with no
   * snapshot at all (the process started after CREATED) also takes one in PREPARATION, when names and DNS have not
   * moved yet. Never from IN_PROGRESS on: the control lags one round behind the published phase, and a round that
   * already sees the switchover (renamed hosts, flipped DNS) must not become the "before" picture.
   */
  #snapshotting(what: 'topology' | 'ips'): boolean {
    const phase = this.#phase
    if (phase !== undefined && PHASE_ORDER[phase] >= PHASE_ORDER.IN_PROGRESS) return false
    const empty = what === 'topology' ? this.#startTopology.length === 0 : this.#startIpByHost.size === 0
    if (what === 'topology' ? this.#control.collectTopology : this.#control.collectIps) {
      return phase === undefined || !isActivePhase(phase) || empty
    }
    return empty && phase === 'PREPARATION'
  }

  /** Resolves with a bounded wait, so a slow DNS server cannot stall the round. */
  #resolve(host: string): Promise<string | undefined> {
    return withTimeout(this.#deps.resolver.resolve(host), RESOLVE_TIMEOUT_MS, this.#stopSignal.signal)
  }

  async #openConnection(): Promise<void> {
    if (this.#connection?.isOpen() === true) return
    await this.#closeConnection()
    this.#panic = true
    if (this.#connectionHost === undefined) {
      this.#connectionHost = this.#deps.initialHost
      this.#connectedIp = undefined
      this.#hostCorrect = false
    }
    const target = this.#connectionHost
    let address: string
    if (this.#control.useIpAddress && this.#connectedIp !== undefined) {
      // Stay on this side while DNS flips: dial the address captured before the switchover (spec §4.3).
      address = this.#connectedIp
    } else {
      this.#connectedIp = await this.#resolve(target.host).catch(() => undefined)
      address = this.#connectedIp ?? target.host
    }
    try {
      this.#connection = await withTimeout(
        this.#deps.source.connect({
          host: target.host,
          port: target.port,
          address,
          connectTimeoutMs: this.#timeoutMs(),
        }),
        this.#timeoutMs(),
        this.#stopSignal.signal,
        (late) => void late.close().catch(() => undefined),
      )
      this.#panic = false
      this.#failures = 0
    } catch (err) {
      this.#failures++
      this.#deps.logger.debug(
        `[bgdId: '${this.#deps.bgdId}'] [${this.#deps.role}] monitoring connect failed`,
        err,
      )
    }
  }

  async #closeConnection(): Promise<void> {
    const connection = this.#connection
    this.#connection = undefined
    if (connection !== undefined) await connection.close().catch(() => undefined)
  }

  async #dropConnection(): Promise<void> {
    await this.#closeConnection()
    this.#panic = true
  }

  async #collectStatus(): Promise<void> {
    const connection = this.#connection
    if (connection === undefined) return
    let result
    try {
      result = await withTimeout(connection.readStatus(), this.#timeoutMs(), this.#stopSignal.signal)
    } catch (err) {
      const kind = classifyStatusError(err)
      if (kind === 'not-created') {
        this.#phase = 'NOT_CREATED'
        this.#deps.onUnavailable(this.#deps.role, errorText(err))
        return
      }
      this.#deps.logger.debug(`[bgdId: '${this.#deps.bgdId}'] [${this.#deps.role}] status query failed`, err)
      await this.#dropConnection()
      return
    }
    if (result.kind === 'unavailable') {
      this.#phase = 'NOT_CREATED'
      this.#deps.onUnavailable(this.#deps.role, result.reason)
      return
    }
    const warn = (message: string): void =>
      this.#deps.logger.warn(`[bgdId: '${this.#deps.bgdId}'] ${message}`)
    const { rows } = parseRows(result.rows, warn)
    const side = deriveSidePhase(rows, this.#deps.role, this.#phase)
    if (side.phase !== this.#phase && side.phase !== undefined) {
      this.#deps.logger.debug(
        `[bgdId: '${this.#deps.bgdId}'] [${this.#deps.role}] Status changed to: ${side.phase}`,
      )
    }
    this.#phase = side.phase
    this.#version = side.version
    this.#port = side.port
    this.#primaryEndpoint = side.primaryEndpoint
    if (this.#snapshotting('topology')) for (const host of side.hostNames) this.#hostNames.add(host)
    await this.#correctTarget(side.primaryEndpoint, side.port)
  }

  /** A monitor that started on the other side's endpoint moves to its own side's primary endpoint (spec §2.7 step 6). */
  async #correctTarget(primary: string | undefined, port: number): Promise<void> {
    if (this.#hostCorrect || primary === undefined) return
    let ip: string | undefined
    try {
      ip = await this.#resolve(primary)
    } catch {
      return // unknown answer: decide on a later round
    }
    this.#hostCorrect = true
    if (this.#connectedIp !== undefined && ip !== undefined && ip !== this.#connectedIp) {
      this.#connectionHost = { host: primary, port: port > 0 ? port : this.#deps.initialHost.port }
      this.#connectedIp = ip
      await this.#dropConnection()
    }
  }

  async #collectTopology(): Promise<void> {
    const connection = this.#connection
    let topology: readonly TopologyHost[] | undefined
    if (connection?.readTopology !== undefined) {
      try {
        const rows = await withTimeout(connection.readTopology(), this.#timeoutMs(), this.#stopSignal.signal)
        const base = this.#primaryEndpoint ?? this.#connectionHost?.host
        if (rows !== undefined && base !== undefined) {
          topology = rows.flatMap((r) => {
            const host = instanceHostFromId(r.id, base)
            return host === undefined ? [] : [{ host, port: this.#port, role: r.role }]
          })
        }
      } catch (err) {
        this.#deps.logger.debug(
          `[bgdId: '${this.#deps.bgdId}'] [${this.#deps.role}] topology query failed`,
          err,
        )
      }
    }
    // RDS instances have no topology query: the side's topology is its primary instance endpoint (spec §2.11).
    if (topology === undefined && this.#primaryEndpoint !== undefined && connection !== undefined) {
      topology = [{ host: this.#primaryEndpoint, port: this.#port, role: 'WRITER' }]
    }
    if (topology === undefined) return
    this.#currentTopology = topology
    if (this.#snapshotting('topology')) {
      this.#startTopology = topology
      for (const h of topology) this.#hostNames.add(h.host)
    }
  }

  async #collectIps(): Promise<void> {
    const previous = this.#currentIpByHost
    const collecting = this.#control.collectIps || this.#control.collectTopology
    const retired = !collecting && this.#topologyRenamed()
    // During a switchover a removed name does not come back, and green names are retired once the green hosts
    // carry their new names: stop asking DNS for either (nothing routes to them any more).
    const skip = (h: string): boolean =>
      !collecting && ((previous.has(h) && previous.get(h) === undefined) || (retired && isGreenHost(h)))
    const hosts = [...this.#hostNames].filter((h) => !skip(h))
    const kept = [...this.#hostNames].filter(skip)
    // An unknown answer (DNS down, timeout) keeps the last known one: only a name that is gone counts as removed.
    const ips = await Promise.all(
      hosts.map((h) => this.#resolve(h).catch(() => (previous.has(h) ? previous.get(h) : UNKNOWN))),
    )
    const known = hosts.flatMap((h, i): [string, string | undefined][] =>
      ips[i] === UNKNOWN ? [] : [[h, ips[i]]],
    )
    const carried = kept.flatMap((h): [string, string | undefined][] =>
      previous.has(h) ? [[h, previous.get(h)]] : [],
    )
    this.#currentIpByHost = new Map([...known, ...carried])
    if (this.#snapshotting('ips')) this.#startIpByHost = this.#currentIpByHost
  }

  /** No host of the current topology was in the start topology: the hosts were renamed (spec §4.7). */
  #topologyRenamed(): boolean {
    if (this.#startTopology.length === 0 || this.#currentTopology.length === 0) return false
    const start = new Set(this.#startTopology.map((h) => h.host))
    return this.#currentTopology.every((h) => !start.has(h.host))
  }

  #interim(): InterimStatus {
    const flags = computeSideFlags({
      collecting: this.#control.collectTopology || this.#control.collectIps,
      startTopology: this.#startTopology,
      currentTopology: this.#currentTopology,
      startIpByHost: this.#startIpByHost,
      currentIpByHost: this.#currentIpByHost,
    })
    return {
      phase: this.#phase,
      version: this.#version,
      port: this.#port,
      hostNames: new Set(this.#hostNames),
      startTopology: this.#startTopology,
      currentTopology: this.#currentTopology,
      startIpByHost: this.#startIpByHost,
      currentIpByHost: this.#currentIpByHost,
      ...flags,
    }
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/**
 * Races `promise` against an unref'd timer and the stop signal; a result that arrives after either goes to
 * `onLate` (a late connection must still be closed).
 */
function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  stop: AbortSignal,
  onLate?: (value: T) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false
    const give = (reason: string): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      stop.removeEventListener('abort', onStop)
      reject(new Error(reason))
    }
    const onStop = (): void => give('monitor stopped')
    const timer = setTimeout(() => give(`monitoring operation timed out after ${ms} ms`), ms)
    timer.unref()
    if (stop.aborted) onStop()
    else stop.addEventListener('abort', onStop, { once: true })
    promise.then(
      (value) => {
        if (settled) return onLate?.(value)
        settled = true
        clearTimeout(timer)
        stop.removeEventListener('abort', onStop)
        resolve(value)
      },
      (err: unknown) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        stop.removeEventListener('abort', onStop)
        reject(err instanceof Error ? err : new Error(String(err)))
      },
    )
  })
}
