import { BlueGreenConfigError } from './errors.js'

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
  /** Overrides for the monitoring connections (for example `{ connectTimeoutMs: 5000, user: 'monitor' }`). */
  monitoring?: Readonly<Record<string, unknown>>
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
  /** Monitoring-connection overrides, from `monitoring` and the `blue-green-monitoring-*` keys. */
  readonly monitoring: Readonly<Record<string, unknown>>
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
  monitoring: Object.freeze({}),
})

type Input = Readonly<Record<string, unknown>>

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
  'monitoring',
]
const KNOWN = new Set<string>(KNOWN_KEYS)
const MONITORING_PREFIX = /^blue([-_])green\1monitoring\1/
/** Largest delay `setTimeout` honours; larger values fire at once (with a Node warning). */
const MAX_MS = 2_147_483_647
/** Documented ranges (spec §8.1): outside them we warn, because the value still works. */
const ADVISED: Readonly<Record<string, readonly [number, number]>> = {
  bgIncreasedMs: [500, 2_000],
  bgHighMs: [50, 500],
  bgBaselineMs: [1, 899_999],
}
const WARNED = Symbol.for('rds-bluegreen.warned')

/**
 * Calls `warn(message)` the first time `key` is seen in this process. The set lives on `globalThis` under
 * `Symbol.for('rds-bluegreen.warned')`, so the ESM and the CommonJS copy of the library share it.
 *
 * @example
 * ```ts
 * warnOnce('version:2.0', 'unknown version 2.0', logger.warn) // logs
 * warnOnce('version:2.0', 'unknown version 2.0', logger.warn) // silent
 * ```
 */
export function warnOnce(key: string, message: string, warn: (message: string) => void): void {
  const store = globalThis as unknown as Record<symbol, unknown>
  let seen = store[WARNED]
  if (!(seen instanceof Set)) {
    seen = new Set<string>()
    store[WARNED] = seen
  }
  const set = seen as Set<string>
  if (set.has(key)) return
  set.add(key)
  warn(message)
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
  rejectMisspeltKeys(options)
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
    monitoring: readMonitoring(options),
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
  const record = config as Input
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
  return /^bg/i.test(key) || MONITORING_PREFIX.test(key.toLowerCase())
}

function asRecord(value: unknown, key: string): Input {
  if (value === undefined || value === null) return {}
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new BlueGreenConfigError(key, `expected an object, got ${describe(key, value)}`)
  }
  return value as Input
}

function rejectMisspeltKeys(options: Input): void {
  for (const key of Object.keys(options)) {
    if (KNOWN.has(key) || monitoringKey(key) !== undefined) continue
    const lower = key.toLowerCase()
    const suspicious =
      lower.startsWith('bg') ||
      lower.replace(/[-_]/g, '').startsWith('bluegreen') ||
      KNOWN_KEYS.some((known) => editDistance(lower, known.toLowerCase()) <= 2)
    if (suspicious) throw new BlueGreenConfigError(key, `unknown Blue/Green option; ${suggestion(key)}`)
  }
}

function suggestion(key: string): string {
  const lower = key.toLowerCase()
  if (lower.replace(/[-_]/g, '').startsWith('bluegreen')) {
    return "monitoring overrides are written 'blue-green-monitoring-<key>' or 'monitoring: { <key>: ... }'"
  }
  const ranked = KNOWN_KEYS.map((known) => ({ known, distance: editDistance(lower, known.toLowerCase()) }))
  ranked.sort((a, b) => a.distance - b.distance)
  const best = ranked[0]
  if (best !== undefined && best.distance <= Math.max(3, Math.floor(key.length / 3))) {
    return `did you mean '${best.known}'?`
  }
  return `known options are ${KNOWN_KEYS.join(', ')}`
}

/** Levenshtein distance; keys are short, so the quadratic table is fine. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution))
    }
    previous = current
  }
  return previous[b.length] ?? 0
}

function readBgdId(options: Input): string {
  const value = options['bgdId']
  if (value === undefined) return DEFAULT_OPTIONS.bgdId
  const id = typeof value === 'string' ? value.trim().toLowerCase() : ''
  if (id === '')
    throw new BlueGreenConfigError('bgdId', `expected a non-empty string, got ${describe('bgdId', value)}`)
  return id
}

function readMs(options: Input, key: keyof BlueGreenOptions, fallback: number): number {
  const value = options[key]
  if (value === undefined) return fallback
  const ms = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value
  if (typeof ms !== 'number' || !Number.isInteger(ms) || ms <= 0 || ms > MAX_MS) {
    throw new BlueGreenConfigError(
      key,
      `expected a whole number of milliseconds from 1 to ${MAX_MS}, got ${describe(key, value)}`,
    )
  }
  return ms
}

function readBoolean(options: Input, key: keyof BlueGreenOptions, fallback: boolean): boolean {
  const value = options[key]
  if (value === undefined) return fallback
  if (typeof value === 'boolean') return value
  const text = typeof value === 'string' ? value.trim().toLowerCase() : undefined
  if (text === 'true' || text === 'false') return text === 'true'
  throw new BlueGreenConfigError(key, `expected true or false, got ${describe(key, value)}`)
}

function readMonitoring(options: Input): Readonly<Record<string, unknown>> {
  const prefixed: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(options)) {
    const target = monitoringKey(key)
    if (target === undefined) continue
    if (target === '') throw new BlueGreenConfigError(key, 'the monitoring prefix must be followed by a key')
    prefixed[target] = value
  }
  const explicit = asRecord(options['monitoring'], 'monitoring')
  return Object.freeze({ ...prefixed, ...explicit })
}

/** The `<key>` of a `blue-green-monitoring-<key>` key (as written), or `undefined` for other keys. */
function monitoringKey(key: string): string | undefined {
  const match = MONITORING_PREFIX.exec(key.toLowerCase())
  return match === null ? undefined : key.slice(match[0].length)
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

const SECRET_KEY = /pass|pwd|secret|token|credential|connectionstring|url|uri|dsn|key/i

/** Describes a bad value for an error message without ever echoing something that may be a secret. */
function describe(key: string, value: unknown): string {
  if (value === null) return 'null'
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return 'an object'
  if (typeof value !== 'string') return `a ${typeof value}`
  if (SECRET_KEY.test(key) || value.length > 40 || /[:@/=]/.test(value)) return 'a string'
  return JSON.stringify(value)
}
