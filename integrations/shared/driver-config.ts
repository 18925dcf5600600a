import type { MetadataSource } from '../../core/metadata/source.js'
import type { ResolvedOptions } from '../../core/options.js'
import { optionsFromConfig, resolveOptions, withoutBlueGreenKeys } from '../../core/options.js'
import type { Logger, LookupFunction } from '../../core/runtime.js'
import { consoleLogger } from '../../core/runtime.js'

/**
 * Settings the routed drivers accept next to the Blue/Green options, inside `blueGreen: {...}`: effects that
 * cannot be written in a connection string.
 */
export interface BlueGreenDriverExtras {
  /** One resolver for monitors and connections alike; same shape as `dns.lookup` (default `dns.lookup`). */
  lookup?: LookupFunction
  /** Where warnings and the switchover summary go (default: the console). */
  logger?: Logger
  /** Replaces the driver's own metadata source (tests, custom monitoring). */
  metadataSource?: MetadataSource
}

/** A driver config split into what the driver sees and what the library uses. */
export interface SplitConfig<T> {
  /** The config without Blue/Green keys, `lookup` included (mysql2 warns on unknown options). */
  readonly driverConfig: T
  readonly options: ResolvedOptions
  readonly lookup: LookupFunction | undefined
  readonly logger: Logger
  readonly metadataSource: MetadataSource | undefined
}

const EXTRA_KEYS = ['lookup', 'logger', 'metadataSource'] as const

/**
 * Splits a pg or mysql2 config: the `blueGreen` object and `bg*` keys become validated options; `lookup` is taken
 * from `blueGreen.lookup` or the config's own `lookup`; the rest is handed to the driver unchanged.
 *
 * @throws {BlueGreenConfigError} for an invalid Blue/Green option.
 * @example
 * ```ts
 * const { driverConfig, options } = splitDriverConfig({ host: 'db', bgConnectTimeoutMs: 5000 })
 * driverConfig // { host: 'db' }
 * options.connectTimeoutMs // 5000
 * ```
 */
export function splitDriverConfig<T extends object>(config: T | undefined): SplitConfig<T> {
  const { config: source, options: urlOptions } = withoutUrlOptions((config ?? {}) as T)
  const raw = { ...urlOptions, ...optionsFromConfig(source) }
  const bgInput: Record<string, unknown> = { ...raw }
  for (const key of EXTRA_KEYS) delete bgInput[key]
  const record = source as Readonly<Record<string, unknown>>
  const logger = isLogger(raw['logger']) ? raw['logger'] : consoleLogger
  const options = resolveOptions(bgInput, (message) => logger.warn(message))
  const lookup = asFunction<LookupFunction>(raw['lookup']) ?? asFunction<LookupFunction>(record['lookup'])
  const driverConfig = withoutBlueGreenKeys(source) as Record<string, unknown>
  delete driverConfig['lookup']
  return {
    driverConfig: driverConfig as T,
    options,
    lookup,
    logger,
    metadataSource: isSource(raw['metadataSource']) ? raw['metadataSource'] : undefined,
  }
}

/** The keys that hold a connection URL: pg's `connectionString`, mysql2's `uri`. */
const URL_KEYS = ['connectionString', 'uri'] as const

/**
 * Blue/Green options written as query parameters of a connection URL (`?bgdId=orders&bgConnectTimeoutMs=5000`,
 * also `blue-green-monitoring-<key>`), removed from the URL the driver parses: pg and mysql2 would ignore them or
 * warn. The config's own keys win over the URL's. Values stay strings; `resolveOptions` parses and validates them.
 */
function withoutUrlOptions<T extends object>(config: T): { config: T; options: Record<string, string> } {
  const record = config as Readonly<Record<string, unknown>>
  for (const key of URL_KEYS) {
    const value = record[key]
    if (typeof value !== 'string' || !value.includes('?')) continue
    let url: URL
    try {
      url = new URL(value)
    } catch {
      continue // not a URL (a socket path): the driver reports it
    }
    const options: Record<string, string> = {}
    for (const [name, param] of [...url.searchParams]) {
      if (!isBlueGreenKey(name)) continue
      options[name] = param
      url.searchParams.delete(name)
    }
    if (Object.keys(options).length === 0) continue
    return { config: copyConfig(config, { [key]: url.toString() }) as T, options }
  }
  return { config, options: {} }
}

function isBlueGreenKey(key: string): boolean {
  return /^bg/i.test(key) || /^blue([-_])green\1monitoring\1/i.test(key)
}

function asFunction<F>(value: unknown): F | undefined {
  return typeof value === 'function' ? (value as F) : undefined
}

function isLogger(value: unknown): value is Logger {
  if (typeof value !== 'object' || value === null) return false
  const record = value as Readonly<Record<string, unknown>>
  return typeof record['warn'] === 'function' && typeof record['error'] === 'function'
}

function isSource(value: unknown): value is MetadataSource {
  return (
    typeof value === 'object' && value !== null && typeof (value as MetadataSource).connect === 'function'
  )
}

/** Node-selection options that would make a monitoring connection refuse a replica (spec §3.2). */
const NODE_SELECTION_KEYS = ['target_session_attrs', 'targetServerType', 'targetSessionAttrs']

/**
 * The driver config of a monitoring connection: the user's config minus node-selection options, then the
 * `monitoring` overrides (renamed by `rename`, e.g. `connectTimeoutMs` → the driver's key).
 *
 * @example
 * ```ts
 * monitoringConfig({ user: 'app', target_session_attrs: 'read-write' }, { user: 'monitor' }, {})
 * // { user: 'monitor' }
 * ```
 */
export function monitoringConfig(
  base: Readonly<Record<string, unknown>>,
  overrides: Readonly<Record<string, unknown>>,
  rename: Readonly<Record<string, string>>,
): Record<string, unknown> {
  const config = copyConfig(base)
  for (const key of NODE_SELECTION_KEYS) delete config[key]
  for (const [key, value] of Object.entries(overrides)) config[rename[key] ?? key] = value
  return config
}

/**
 * A copy of a driver config with `overrides` applied, keeping every own property: pg-pool and knex hide the
 * password as non-enumerable, which an object spread silently drops (and SCRAM then fails).
 *
 * @example
 * ```ts
 * const config = copyConfig(poolOptions, { host: target.host })
 * ```
 */
export function copyConfig(
  base: object,
  overrides: Readonly<Record<string, unknown>> = {},
): Record<string, unknown> {
  const descriptors: PropertyDescriptorMap = {}
  // Writable and configurable copies, even of a frozen config; `enumerable` (a hidden password) is kept.
  for (const [key, d] of Object.entries(Object.getOwnPropertyDescriptors(base))) {
    descriptors[key] = {
      value: ('value' in d ? d.value : d.get?.call(base)) as unknown,
      enumerable: d.enumerable ?? false,
      writable: true,
      configurable: true,
    }
  }
  const copy = Object.defineProperties({}, descriptors) as Record<string, unknown>
  for (const [key, value] of Object.entries(overrides)) {
    Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true })
  }
  return copy
}
