import { classifyStatusError, isNetworkError } from '../metadata/errors.js'
import type { ResolvedOptions } from '../options.js'
import type { Logger } from '../runtime.js'
import type { MonitorFault } from '../status/armed-reasons.js'
import { explainFault } from '../status/armed-reasons.js'
import type { Role } from '../types.js'
import type { IntervalRate } from './monitor-types.js'

/** Longest wait between retries of a failing metadata query outside a switchover. */
export const QUERY_BACKOFF_CAP_MS = 30_000
/** During a switchover a failing query is retried at least every second: the next phase must be seen. */
const ACTIVE_QUERY_BACKOFF_CAP_MS = 1_000
/** Monitoring connect/query timeout outside a switchover (the `monitoring.connectTimeoutMs` default). */
export const DEFAULT_MONITOR_TIMEOUT_MS = 10_000

const FAILING = Symbol.for('rds-bluegreen.failing-metadata.v1')

/** Deployments whose metadata fails in this process, and which sides report it (shared by module copies). */
function failing(): Map<string, Set<Role>> {
  const scope = globalThis as typeof globalThis & { [FAILING]?: Map<string, Set<Role>> }
  scope[FAILING] ??= new Map()
  return scope[FAILING]
}

/**
 * The monitor's connect or query timeout. During a switchover (the monitor dials captured IPs) a connect gets a
 * small multiple of `bgHighMs` (4×, from 500 ms to 2 s): a reconnect into a blackholed server then costs a few
 * hundred ms and the next phase is still seen on time, while a real connect (TCP, TLS, authentication) on a
 * loaded host still fits. Queries keep 2 s then: a status query on a busy server must not be cut short. A second,
 * parallel connect attempt is not made: it would double the sessions opened into a server that is being cut
 * over, and a short timeout followed by an immediate retry gives the same latency.
 *
 * @example
 * ```ts
 * monitorTimeoutMs(resolveOptions({}), true, 'connect') // 500
 * ```
 */
export function monitorTimeoutMs(
  options: ResolvedOptions,
  active: boolean,
  what: 'connect' | 'query',
): number {
  const configured = options.monitoring['connectTimeoutMs']
  const base = typeof configured === 'number' && configured > 0 ? configured : DEFAULT_MONITOR_TIMEOUT_MS
  if (!active) return base
  const short = what === 'connect' ? Math.min(2_000, Math.max(500, 4 * options.highMs)) : 2_000
  return Math.min(base, short)
}

/**
 * Failure bookkeeping of one monitor: backoff delays, and the warnings a user must see. A metadata query that
 * fails with anything but "not there" (a raising function, a broken view) or a monitoring connection refused by
 * the server (authentication, database access) is warned once per deployment per process, naming the error and
 * what it means for protection; the recovery is logged once at INFO. Network errors stay at debug: they are the
 * normal life of a switchover.
 *
 * @example
 * ```ts
 * const health = new MonitorHealth('orders', 'SOURCE', logger, options)
 * health.queryFailed(err) // WARN once
 * const ms = health.delay('INCREASED', false, false)
 * health.succeeded() // INFO once when it had failed
 * ```
 */
export class MonitorHealth {
  readonly #bgdId: string
  readonly #role: Role
  readonly #logger: Logger
  readonly #options: ResolvedOptions
  readonly #report: ((fault: MonitorFault | undefined) => void) | undefined
  /** Connects that failed, and rounds whose connection broke, since the last good read (network trouble). */
  #connectFailures = 0
  /** Faults a user must fix: a query that raises, a server that refuses the monitoring user. */
  #faults = 0
  /** A read succeeded once; a network failure was reported since the last read. */
  #read = false
  #unreachable = false

  /**
   * `report` hears every fault (network failures included), and `undefined` at the first read and once reads work
   * again after a fault (the coordinator's armed state).
   */
  constructor(
    bgdId: string,
    role: Role,
    logger: Logger,
    options: ResolvedOptions,
    report?: (fault: MonitorFault | undefined) => void,
  ) {
    this.#bgdId = bgdId
    this.#role = role
    this.#logger = logger
    this.#options = options
    this.#report = report
  }

  /** A monitoring connect failed: network errors only back off; a server refusal is also warned. */
  connectFailed(err: unknown): void {
    if (isNetworkError(err)) {
      this.#connectFailures++
      this.#debug('monitoring connect failed', err)
      // Not warned here (the normal life of a switchover); the armed state weighs it until a first read.
      this.#unreachable = true
      this.#report?.({ kind: 'unreachable', detail: describeError(err) })
      return
    }
    this.#faults++
    this.#fault({ kind: 'refused', detail: describeError(err) }, err)
  }

  /**
   * A connect succeeded. The backoff is not reset here but by a good read: a server that accepts sessions and
   * kills them at once must not be reconnected to at full speed.
   */
  connected(): void {
    this.#debug('monitoring connection open')
  }

  /** The status query failed; `kind` from {@link classifyStatusError}. */
  queryFailed(err: unknown): void {
    if (classifyStatusError(err) === 'connection') {
      this.#connectFailures++
      this.#debug('status query failed', err)
      return
    }
    this.#faults++
    this.#fault({ kind: 'failing', detail: describeError(err) }, err)
  }

  /** A status read answered (rows or "not there"): backoffs reset, and a past failure is reported recovered. */
  succeeded(): void {
    this.#connectFailures = 0
    // The first read, and the first after a fault: the armed state needs both, not every read.
    if (this.#faults > 0 || this.#unreachable || !this.#read) this.#report?.(undefined)
    this.#read = true
    this.#unreachable = false
    this.#faults = 0
    const map = failing()
    const sides = map.get(this.#bgdId)
    if (sides === undefined || !sides.delete(this.#role) || sides.size > 0) return
    map.delete(this.#bgdId)
    this.#logger.info(
      `[bgdId: '${this.#bgdId}'] Blue/Green metadata is readable again; switchover protection is back.`,
    )
  }

  /**
   * Milliseconds until the next round: the polling rate, or the connect backoff while there is no connection
   * (capped low so POST is still seen quickly), never less than the exponential backoff of failed rounds.
   */
  delay(rate: IntervalRate, panic: boolean, active: boolean): number {
    const { highMs, increasedMs, baselineMs } = this.#options
    const rateMs = rate === 'HIGH' ? highMs : rate === 'INCREASED' ? increasedMs : baselineMs
    const exponential = (failures: number, base: number): number =>
      base * 2 ** Math.min(Math.max(failures - 1, 0), 16)
    const normal = panic
      ? Math.min(exponential(this.#connectFailures, highMs), Math.max(highMs, Math.min(1_000, highMs * 5)))
      : rateMs
    if (this.#faults === 0) return normal
    // A fault is not fixed in milliseconds: retry from bgIncreasedMs (1 s) doubling to 30 s (1 s mid-switchover).
    const cap = Math.max(active ? ACTIVE_QUERY_BACKOFF_CAP_MS : QUERY_BACKOFF_CAP_MS, highMs)
    return Math.max(normal, Math.min(exponential(this.#faults, Math.max(highMs, increasedMs)), cap))
  }

  #fault(fault: MonitorFault, err: unknown): void {
    // The armed state's reason and fix are these very words (armed-reasons.ts), so the two never disagree.
    const { reason: what, fix: hint = '' } = explainFault(fault)
    this.#report?.(fault)
    this.#debug(what, err)
    const map = failing()
    let sides = map.get(this.#bgdId)
    const first = sides === undefined || sides.size === 0
    if (sides === undefined) {
      sides = new Set()
      map.set(this.#bgdId, sides)
    }
    sides.add(this.#role)
    if (!first) return
    this.#logger.warn(
      `[bgdId: '${this.#bgdId}'] Blue/Green monitoring: ${what}. Until it succeeds the switchover is not ` +
        `detected and connections are not protected (no hold, no routing); retrying with backoff up to ` +
        `${QUERY_BACKOFF_CAP_MS / 1000} s. ${hint[0]?.toUpperCase() ?? ''}${hint.slice(1)}.`,
    )
  }

  #debug(what: string, err?: unknown): void {
    this.#logger.debug(`[bgdId: '${this.#bgdId}'] [${this.#role}] ${what}`, err)
  }
}

/**
 * Code and server message of an error, never the config it came with (so never a password).
 *
 * @example
 * ```ts
 * describeError({ code: 'ER_DBACCESS_DENIED_ERROR', message: "Access denied for user 'm'@'%' to database 'x'" })
 * ```
 */
export function describeError(err: unknown): string {
  if (typeof err !== 'object' || err === null) return String(err)
  const { code, message } = err as { code?: unknown; message?: unknown }
  const text = typeof message === 'string' && message !== '' ? message : 'error'
  return `${typeof code === 'string' ? `${code}: ` : ''}${text}`
}
