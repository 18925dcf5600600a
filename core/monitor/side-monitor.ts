import { isGreenHost } from '../host-names.js'
import { classifyStatusError } from '../metadata/errors.js'
import { deriveSidePhase } from '../metadata/rows.js'
import type { MetadataConnection, RawMetadataRow, StatusReadResult } from '../metadata/source.js'
import { acceptRowsInChunks } from '../metadata/trust.js'
import type { ConnectTarget, Phase, Role, TopologyHost } from '../types.js'
import { withTimeout } from './deadline.js'
import { closeQuietly, closeWithin, idleAfterRound, interimFor } from './idle.js'
import { UNKNOWN, collectIps } from './ip-collector.js'
import { MonitorHealth, describeError, monitorTimeoutMs } from './monitor-health.js'
import type { MonitorControl, SideMonitorDeps } from './monitor-types.js'
import { StartSnapshot } from './start-snapshot.js'
import { topologyFromRows, topologyRenamed } from './topology.js'

export type { IntervalRate, MonitorControl, SideMonitorDeps } from './monitor-types.js'

const RESOLVE_TIMEOUT_MS = 2_000

/**
 * Polls one side (blue = SOURCE, green = TARGET) of a deployment on its own monitoring connection and reports
 * an interim status after every round (spec §4); while no deployment exists the connection is closed after each
 * round (see `idle.ts`). The loop survives every error; a failing query keeps a healthy connection and backs off
 * ({@link MonitorHealth}); sleeps are unref'd timers that a control change or `stop()` interrupts.
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
  readonly #health: MonitorHealth
  // prettier-ignore
  #control: MonitorControl = { rate: 'BASELINE', collectIps: true, collectTopology: true, useIpAddress: false }
  #stopped = false
  /** Aborts in-flight connects and queries on stop(), so stopping never waits for a hung server. */
  readonly #stopSignal = new AbortController()
  #loop: Promise<void> | undefined
  #attempt: AbortController | undefined
  #wake: AbortController = new AbortController()

  #connection: MetadataConnection | undefined
  #connectionHost: ConnectTarget | undefined
  #connectedIp: string | undefined
  #hostCorrect = false
  #panic = true
  /** The last status read found no deployment (issue 15 item 1: the connection is not kept then). */
  #absent = false
  #phase: Phase | undefined = 'NOT_CREATED'
  #version = '1.0'
  #port = -1
  #primaryEndpoint: string | undefined
  readonly #start: StartSnapshot
  #currentTopology: readonly TopologyHost[] = []
  #currentIpByHost: ReadonlyMap<string, string | undefined> = new Map()

  constructor(deps: SideMonitorDeps) {
    this.#deps = deps
    this.#health = new MonitorHealth(deps.bgdId, deps.role, deps.logger, deps.options, (fault) =>
      deps.onFault?.(deps.role, fault),
    )
    this.#start = new StartSnapshot(deps.role)
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
    if (changed) this.#wake.abort()
  }

  /** Clears the start snapshots (rollback to CREATED, end of cycle). */
  resetCollectedData(): void {
    this.#start.reset()
  }

  /** Stops the loop, aborts an in-flight connect and closes the monitoring connection; idempotent. */
  async stop(): Promise<void> {
    this.#stopped = true
    this.#stopSignal.abort()
    this.#attempt?.abort()
    this.#wake.abort()
    await this.#loop
    await this.#closeConnection()
  }

  /** One polling round (spec §4.2 steps 1–7); never throws. */
  async pollOnce(): Promise<void> {
    this.#start.beginRound()
    await this.#openConnection()
    await this.#collectStatus()
    await this.#collectTopology()
    this.#start.endRound(this.#phase)
    await this.#collectIps()
    if (this.#stopped) return
    const view = { phase: this.#phase, version: this.#version, port: this.#port, start: this.#start }
    const current = { currentTopology: this.#currentTopology, currentIpByHost: this.#currentIpByHost }
    const interim = await interimFor(this.#deps.role, { ...view, ...current, control: this.#control })
    if (this.#stopped) return
    this.#deps.onInterim(this.#deps.role, interim)
    if (idleAfterRound(this.#absent, this.#control)) await this.#closeIdle()
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      try {
        await this.pollOnce()
      } catch (err) {
        // A failed round never ends monitoring (the Node reference loop died on the first exception, bug N13).
        this.#log('monitoring round failed', err)
      }
      if (this.#stopped) break
      const wake = this.#wake
      const { rate, useIpAddress } = this.#control
      await this.#deps.clock.sleep(this.#health.delay(rate, this.#panic, useIpAddress), wake.signal)
      if (wake.signal.aborted) this.#wake = new AbortController()
    }
  }

  #timeoutMs(what: 'connect' | 'query' = 'query'): number {
    return monitorTimeoutMs(this.#deps.options, this.#control.useIpAddress, what)
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
    if (!(this.#control.useIpAddress && this.#connectedIp !== undefined)) {
      // Outside a switchover dial what DNS says; during one stay on the captured address (spec §4.3).
      this.#connectedIp = await this.#resolve(target.host).catch(() => undefined)
    }
    const address = this.#connectedIp ?? target.host
    const timeoutMs = this.#timeoutMs('connect')
    // Aborted on timeout and on stop(): the source destroys the attempt's socket, nothing is left dialing.
    const attempt = new AbortController()
    this.#attempt = attempt
    try {
      this.#connection = await withTimeout(
        this.#deps.source.connect({
          ...target,
          address,
          connectTimeoutMs: timeoutMs,
          signal: attempt.signal,
        }),
        timeoutMs,
        this.#stopSignal.signal,
        (late) => void late.close().catch(() => undefined),
      )
      this.#panic = false
      this.#health.connected()
    } catch (err) {
      attempt.abort()
      if (!this.#stopped) this.#health.connectFailed(err)
    } finally {
      this.#attempt = undefined
    }
  }

  async #closeConnection(): Promise<void> {
    const connection = this.#connection
    this.#connection = undefined
    if (connection !== undefined) await closeQuietly(connection)
  }

  /** No deployment: close until the next round; bounded, and never waited for once stop() is called. */
  async #closeIdle(): Promise<void> {
    const connection = this.#connection
    this.#connection = undefined
    if (connection !== undefined) await closeWithin(connection, this.#timeoutMs(), this.#stopSignal.signal)
  }

  async #dropConnection(): Promise<void> {
    await this.#closeConnection()
    this.#panic = true
  }

  async #collectStatus(): Promise<void> {
    this.#absent = false
    const connection = this.#connection
    if (connection === undefined) return
    let result: StatusReadResult
    try {
      result = await withTimeout(connection.readStatus(), this.#timeoutMs(), this.#stopSignal.signal)
    } catch (err) {
      if (this.#stopped) return
      const kind = classifyStatusError(err)
      if (kind === 'not-created') {
        result = { kind: 'unavailable', reason: describeError(err) }
      } else {
        this.#health.queryFailed(err)
        // A statement that raises leaves a healthy connection: keep it (reconnecting floods the server).
        if (kind === 'connection' || !connection.isOpen()) await this.#dropConnection()
        return
      }
    }
    this.#health.succeeded()
    if (result.kind === 'unavailable') {
      this.#absent = true
      this.#phase = 'NOT_CREATED'
      this.#start.absent()
      // Every time: the armed state needs it. The coordinator warns once per deployment per process.
      this.#deps.onUnavailable(this.#deps.role, result.reason, result.diagnosis)
      return
    }
    await this.#applyRows(result.rows)
  }

  async #applyRows(raw: readonly RawMetadataRow[]): Promise<void> {
    const { bgdId, role, options, logger } = this.#deps
    const trusted = await acceptRowsInChunks(raw, bgdId, options.allowedHostSuffixes, logger)
    const side = deriveSidePhase(trusted, role, this.#phase)
    if (side.phase !== this.#phase && side.phase !== undefined) this.#log(`Status changed to: ${side.phase}`)
    this.#phase = side.phase
    this.#version = side.version
    this.#port = side.port
    this.#primaryEndpoint = side.primaryEndpoint
    this.#start.sawRows(side.phase, side.hostNames, this.#control.collectTopology)
    await this.#correctTarget(side.primaryEndpoint, side.port)
  }

  /** A monitor that started on the other side's endpoint moves to its own side's primary endpoint (spec §2.7 step 6). */
  async #correctTarget(primary: string | undefined, port: number): Promise<void> {
    if (this.#hostCorrect || primary === undefined) return
    const ip = await this.#resolve(primary).catch((): typeof UNKNOWN => UNKNOWN)
    if (ip === UNKNOWN) return // unknown answer: decide on a later round
    this.#hostCorrect = true
    if (this.#connectedIp !== undefined && ip !== undefined && ip !== this.#connectedIp) {
      this.#connectionHost = { host: primary, port: port > 0 ? port : this.#deps.initialHost.port }
      this.#connectedIp = ip
      this.#start.movedSide() // what it read there was the other side's
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
        if (rows !== undefined && base !== undefined) topology = topologyFromRows(rows, base, this.#port)
      } catch (err) {
        this.#log('topology query failed', err)
      }
    }
    // RDS instances have no topology query: the side's topology is its primary instance endpoint (spec §2.11).
    if (topology === undefined && this.#primaryEndpoint !== undefined && connection !== undefined) {
      topology = [{ host: this.#primaryEndpoint, port: this.#port, role: 'WRITER' }]
    }
    if (topology === undefined) return
    this.#currentTopology = topology
    this.#start.sawTopology(this.#phase, topology, this.#control.collectTopology)
  }

  async #collectIps(): Promise<void> {
    this.#currentIpByHost = await collectIps({
      names: [...this.#start.hostNames],
      previous: this.#currentIpByHost,
      collecting: this.#control.collectIps || this.#control.collectTopology,
      renamed: topologyRenamed(this.#start.startTopology, this.#currentTopology),
      isGreenHost,
      resolve: (h) => this.#deps.resolver.resolve(h),
      clock: this.#deps.clock,
      timeoutMs: RESOLVE_TIMEOUT_MS,
      stop: this.#stopSignal.signal,
    })
    this.#start.sawAddresses(this.#phase, this.#currentIpByHost, this.#control.collectIps)
  }

  #log(what: string, err?: unknown): void {
    this.#deps.logger.debug(`[bgdId: '${this.#deps.bgdId}'] [${this.#deps.role}] ${what}`, err)
  }
}
