import { BlueGreenConfigError } from './errors.js'
import { isStatusChannel } from './fleet/status-channel.js'
import type { StatusChannel } from './fleet/status-channel.js'
import { isMonitoringKey, monitoringKey, readMonitoring } from './monitoring-options.js'
import { rejectMisspeltKeys } from './option-keys.js'
import type { OptionInput } from './option-values.js'
import { asRecord, describeValue, parseBoolean, parseHostSuffixes, parseMs } from './option-values.js'
import { warnOnce } from './warn-once.js'

export { warnOnce } from './warn-once.js'

/**
 * Blue/Green options as the user writes them, and the frozen, validated form the core uses (spec §8.1).
 * Values may come from code (numbers, booleans) or from connection strings and the environment (strings).
 */

/**
 * Options of the Blue/Green plugin, as given on a connection config (`blueGreen: {...}`) or as `bg*` keys.
 *
 * @example
 * ```ts
 * const blueGreen: BlueGreenOptions = { bgdId: 'orders', bgConnectTimeoutMs: 10_000 }
 * ```
 */
export interface BlueGreenOptions {
  /** Groups every connection of one deployment in this process. Default `"1"`; trimmed and lower-cased. */
  bgdId?: string
  /** Longest hold of a new connection while the switchover is in progress. Default 30000. */
  bgConnectTimeoutMs?: number
  /** Longest hold of a call on an existing connection. Default: `bgConnectTimeoutMs`. */
  bgExecuteTimeoutMs?: number
  /** Polling interval while no deployment exists. Default 60000 (keep below 900000). */
  bgBaselineMs?: number
  /** Polling interval while the deployment exists (CREATED). Default 1000 (500–2000). */
  bgIncreasedMs?: number
  /** Polling interval during the switchover and while a monitor has no connection. Default 100 (50–500). */
  bgHighMs?: number
  /** Longest switchover, from the first active phase seen; then routing is dropped. Default 180000. */
  bgSwitchoverTimeoutMs?: number
  /** Treat IN_PROGRESS as POST once every blue instance name resolves to a new address. Default true. */
  bgReleaseOnBlueDnsUpdate?: boolean
  /** Close idle pooled connections to blue hosts when the switchover starts. Default true. */
  bgDropBlueConnections?: boolean
  /** Deprecated: new blue connections are always held while IN_PROGRESS. Accepted with one warning. */
  bgSuspendNewBlueConnections?: boolean
  /**
   * When a server that accepted writes turns read-only (the old blue after a switchover, seen with or without
   * metadata): new connections that reach it retry until the name resolves to a writable server, and an
   * autocommit statement it refused (never one inside a transaction, never one that may have run) is sent again
   * on a fresh connection, both within `bgConnectTimeoutMs`. Default true; `false` keeps only the eviction.
   */
  bgRetryReadOnly?: boolean
  /**
   * Host-name suffixes accepted from the metadata besides the RDS / Aurora ones (`*.rds.amazonaws.com`, China,
   * GovCloud), for custom DNS setups; a row naming any other host is skipped with one warning. Default none.
   */
  bgAllowedHostSuffixes?: readonly string[] | string
  /** Overrides for the monitoring connections (for example `{ connectTimeoutMs: 5000, user: 'monitor' }`). */
  monitoring?: Readonly<Record<string, unknown>>
  /**
   * A fleet-wide status channel (`redisStatusChannel(client)` from `rds-bluegreen/redis`): one process per
   * deployment monitors and the others follow its published status. Default none (every process monitors).
   */
  statusChannel?: StatusChannel
  /**
   * How long a follower waits for a fresh status before it starts its own monitors. Default: 3 × the polling
   * interval of the current phase, at least 500 ms during a switchover.
   */
  bgChannelStaleMs?: number
}

/** The validated, frozen options. */
export interface ResolvedOptions {
  readonly bgdId: string
  readonly connectTimeoutMs: number
  readonly executeTimeoutMs: number
  readonly baselineMs: number
  readonly increasedMs: number
  readonly highMs: number
  readonly switchoverTimeoutMs: number
  readonly releaseOnBlueDnsUpdate: boolean
  readonly dropBlueConnections: boolean
  readonly retryReadOnly: boolean
  /** Lower-cased suffixes accepted from metadata besides the RDS ones. */
  readonly allowedHostSuffixes: readonly string[]
  /** Monitoring-connection overrides, from `monitoring` and the `blue-green-monitoring-*` keys. */
  readonly monitoring: Readonly<Record<string, unknown>>
  /** The fleet's status channel, if any. */
  readonly statusChannel: StatusChannel | undefined
  /** A fixed staleness for followers; `undefined` for the per-phase default. */
  readonly channelStaleMs: number | undefined
}

/**
 * The options used when nothing is configured.
 *
 * @example
 * ```ts
 * DEFAULT_OPTIONS.connectTimeoutMs // 30000
 * ```
 */
export const DEFAULT_OPTIONS: ResolvedOptions = Object.freeze({
  bgdId: '1',
  connectTimeoutMs: 30_000,
  executeTimeoutMs: 30_000,
  baselineMs: 60_000,
  increasedMs: 1_000,
  highMs: 100,
  switchoverTimeoutMs: 180_000,
  releaseOnBlueDnsUpdate: true,
  dropBlueConnections: true,
  retryReadOnly: true,
  allowedHostSuffixes: Object.freeze([]),
  monitoring: Object.freeze({}),
  statusChannel: undefined,
  channelStaleMs: undefined,
})

const KNOWN_KEYS: readonly (keyof BlueGreenOptions)[] = [
  'bgdId',
  'bgConnectTimeoutMs',
  'bgExecuteTimeoutMs',
  'bgBaselineMs',
  'bgIncreasedMs',
  'bgHighMs',
  'bgSwitchoverTimeoutMs',
  'bgReleaseOnBlueDnsUpdate',
  'bgDropBlueConnections',
  'bgSuspendNewBlueConnections',
  'bgRetryReadOnly',
  'bgAllowedHostSuffixes',
  'monitoring',
  'statusChannel',
  'bgChannelStaleMs',
]
/** Documented ranges (spec §8.1): outside them we warn, because the value still works. */
const ADVISED: Readonly<Record<string, readonly [number, number]>> = {
  bgIncreasedMs: [500, 2_000],
  bgHighMs: [50, 500],
  bgBaselineMs: [1, 899_999],
}

/**
 * Validates the Blue/Green part of a configuration and returns frozen options with defaults applied.
 *
 * `input` must hold only Blue/Green keys (use {@link optionsFromConfig} to extract them from a driver config):
 * keys that look like misspelt Blue/Green options throw, other unknown keys are ignored. Numbers may be numeric
 * strings. `blue-green-monitoring-<key>` / `blue_green_monitoring_<key>` keys are applied to `monitoring[<key>]`;
 * an explicit `monitoring` object wins over them for the same `<key>`, because it is the typed form.
 *
 * @throws {BlueGreenConfigError} naming the key, for an invalid value or a misspelt key.
 * @example
 * ```ts
 * const options = resolveOptions({ bgdId: ' Orders ', bgConnectTimeoutMs: '5000' })
 * options.bgdId // 'orders'
 * options.executeTimeoutMs // 5000
 * ```
 */
export function resolveOptions(
  input: unknown,
  warn: (message: string) => void = console.warn,
): ResolvedOptions {
  const options = asRecord(input, 'blueGreen')
  rejectMisspeltKeys(options, KNOWN_KEYS, (key) => monitoringKey(key) !== undefined)
  if (options['bgSuspendNewBlueConnections'] !== undefined) {
    readBoolean(options, 'bgSuspendNewBlueConnections', false)
    warnOnce(
      'option:bgSuspendNewBlueConnections',
      "Blue/Green option 'bgSuspendNewBlueConnections' is deprecated and ignored: new blue connections are always held while the switchover is in progress.",
      warn,
    )
  }
  const connectTimeoutMs = readMs(options, 'bgConnectTimeoutMs', DEFAULT_OPTIONS.connectTimeoutMs)
  const resolved: ResolvedOptions = {
    bgdId: readBgdId(options),
    connectTimeoutMs,
    executeTimeoutMs: readMs(options, 'bgExecuteTimeoutMs', connectTimeoutMs),
    baselineMs: readMs(options, 'bgBaselineMs', DEFAULT_OPTIONS.baselineMs),
    increasedMs: readMs(options, 'bgIncreasedMs', DEFAULT_OPTIONS.increasedMs),
    highMs: readMs(options, 'bgHighMs', DEFAULT_OPTIONS.highMs),
    switchoverTimeoutMs: readMs(options, 'bgSwitchoverTimeoutMs', DEFAULT_OPTIONS.switchoverTimeoutMs),
    releaseOnBlueDnsUpdate: readBoolean(options, 'bgReleaseOnBlueDnsUpdate', true),
    dropBlueConnections: readBoolean(options, 'bgDropBlueConnections', true),
    retryReadOnly: readBoolean(options, 'bgRetryReadOnly', true),
    allowedHostSuffixes:
      parseHostSuffixes(options['bgAllowedHostSuffixes']) ?? DEFAULT_OPTIONS.allowedHostSuffixes,
    monitoring: readMonitoring(options),
    statusChannel: readChannel(options),
    channelStaleMs:
      options['bgChannelStaleMs'] === undefined
        ? undefined
        : parseMs(options['bgChannelStaleMs'], 'bgChannelStaleMs'),
  }
  warnOutsideAdvisedRanges(resolved, warn)
  return Object.freeze(resolved)
}

/**
 * Extracts the Blue/Green part of a driver connection config: the `blueGreen` object and the top-level
 * `bg*`, `blue-green-monitoring-*` and `blue_green_monitoring_*` keys. On conflict `blueGreen` wins.
 * The result is unvalidated input for {@link resolveOptions}.
 *
 * @example
 * ```ts
 * optionsFromConfig({ host: 'db', bgdId: 'a', blueGreen: { bgHighMs: 50 } }) // { bgdId: 'a', bgHighMs: 50 }
 * ```
 */
export function optionsFromConfig(config: unknown): Readonly<Record<string, unknown>> {
  if (typeof config !== 'object' || config === null) return {}
  const record = config as OptionInput
  const nested = record['blueGreen'] === undefined ? {} : asRecord(record['blueGreen'], 'blueGreen')
  const topLevel = Object.fromEntries(Object.entries(record).filter(([key]) => isBlueGreenKey(key)))
  return { ...topLevel, ...nested }
}

/**
 * A shallow copy of a driver config without the keys {@link optionsFromConfig} reads, so drivers that warn
 * about unknown options (mysql2) never see them.
 *
 * @example
 * ```ts
 * withoutBlueGreenKeys({ host: 'db', bgdId: 'a', blueGreen: {} }) // { host: 'db' }
 * ```
 */
export function withoutBlueGreenKeys<T extends object>(config: T): Partial<T> {
  // Descriptors, not entries: pg-pool hides `password` as non-enumerable, and it must survive (hidden) the copy.
  const descriptors = Object.getOwnPropertyDescriptors(config) as Record<string, PropertyDescriptor>
  for (const key of Object.keys(descriptors)) {
    if (key === 'blueGreen' || isBlueGreenKey(key)) delete descriptors[key]
  }
  return Object.defineProperties({}, descriptors)
}

function isBlueGreenKey(key: string): boolean {
  return /^bg/i.test(key) || isMonitoringKey(key)
}

function readBgdId(options: OptionInput): string {
  const value = options['bgdId']
  if (value === undefined) return DEFAULT_OPTIONS.bgdId
  const id = typeof value === 'string' ? value.trim().toLowerCase() : ''
  if (id === '')
    throw new BlueGreenConfigError(
      'bgdId',
      `expected a non-empty string, got ${describeValue('bgdId', value)}`,
    )
  return id
}

function readMs(options: OptionInput, key: keyof BlueGreenOptions, fallback: number): number {
  const value = options[key]
  return value === undefined ? fallback : parseMs(value, key)
}

function readChannel(options: OptionInput): StatusChannel | undefined {
  const value = options['statusChannel']
  if (value === undefined || isStatusChannel(value)) return value
  throw new BlueGreenConfigError(
    'statusChannel',
    `expected a status channel (redisStatusChannel(client) from 'rds-bluegreen/redis'), got ${describeValue('statusChannel', value)}`,
  )
}

function readBoolean(options: OptionInput, key: keyof BlueGreenOptions, fallback: boolean): boolean {
  const value = options[key]
  return value === undefined ? fallback : parseBoolean(value, key)
}

function warnOutsideAdvisedRanges(resolved: ResolvedOptions, warn: (message: string) => void): void {
  const values: Readonly<Record<string, number>> = {
    bgIncreasedMs: resolved.increasedMs,
    bgHighMs: resolved.highMs,
    bgBaselineMs: resolved.baselineMs,
  }
  for (const [key, [min, max]] of Object.entries(ADVISED)) {
    const value = values[key]
    if (value === undefined || (value >= min && value <= max)) continue
    const advice = key === 'bgBaselineMs' ? 'below 900000' : `from ${min} to ${max}`
    warnOnce(
      `option:${key}=${value}`,
      `Blue/Green option '${key}' is ${value}; the documented range is ${advice}.`,
      warn,
    )
  }
}
