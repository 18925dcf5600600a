import { BlueGreenConfigError } from './errors.js'
import type { OptionInput } from './option-values.js'
import { asRecord, describeValue, parseMs } from './option-values.js'

/**
 * The `monitoring` overrides (`monitoring: {...}` and `blue-green-monitoring-<key>` keys): connection settings of
 * the monitoring connections. The keys the library itself reads, and the common connection keys, are validated;
 * other keys go to the driver unchanged.
 */

const MONITORING_PREFIX = /^blue([-_])green\1monitoring\1/

/**
 * The `<key>` of a `blue-green-monitoring-<key>` key (as written), or `undefined` for other keys.
 *
 * @example
 * ```ts
 * monitoringKey('blue-green-monitoring-user') // 'user'
 * ```
 */
export function monitoringKey(key: string): string | undefined {
  const match = MONITORING_PREFIX.exec(key.toLowerCase())
  return match === null ? undefined : key.slice(match[0].length)
}

/**
 * True for `blue-green-monitoring-*` / `blue_green_monitoring_*` keys.
 *
 * @example
 * ```ts
 * isMonitoringKey('blue_green_monitoring_user') // true
 * ```
 */
export function isMonitoringKey(key: string): boolean {
  return MONITORING_PREFIX.test(key.toLowerCase())
}

/**
 * Collects and validates the monitoring overrides. An explicit `monitoring` object wins over prefixed keys for
 * the same `<key>`, because it is the typed form. `connectTimeoutMs` is a whole number of milliseconds (numeric
 * strings accepted, stored as a number); `user`, `password`, `database`, `host` are strings; `port` is 1–65535.
 *
 * @throws {BlueGreenConfigError} naming the key as written (`monitoring.connectTimeoutMs` or the prefixed key).
 * @example
 * ```ts
 * readMonitoring({ monitoring: { connectTimeoutMs: '5000', user: 'monitor' } }) // { connectTimeoutMs: 5000, user: 'monitor' }
 * ```
 */
export function readMonitoring(options: OptionInput): Readonly<Record<string, unknown>> {
  const merged: Record<string, unknown> = {}
  const written: Record<string, string> = {}
  for (const [key, value] of Object.entries(options)) {
    const target = monitoringKey(key)
    if (target === undefined) continue
    if (target === '') throw new BlueGreenConfigError(key, 'the monitoring prefix must be followed by a key')
    merged[target] = value
    written[target] = key
  }
  for (const [key, value] of Object.entries(asRecord(options['monitoring'], 'monitoring'))) {
    merged[key] = value
    written[key] = `monitoring.${key}`
  }
  for (const [key, value] of Object.entries(merged)) {
    merged[key] = validate(key, value, written[key] ?? key)
  }
  return Object.freeze(merged)
}

const STRING_KEYS = new Set(['user', 'password', 'database', 'host'])

function validate(key: string, value: unknown, written: string): unknown {
  if (value === undefined) return value
  if (key === 'connectTimeoutMs') return parseMs(value, written)
  if (key === 'port') {
    const port = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value
    if (typeof port === 'number' && Number.isInteger(port) && port > 0 && port <= 65_535) return port
    throw new BlueGreenConfigError(
      written,
      `expected a port from 1 to 65535, got ${describeValue(written, value)}`,
    )
  }
  // A password may also be a function (pg), resolved by the driver.
  if (
    STRING_KEYS.has(key) &&
    typeof value !== 'string' &&
    !(key === 'password' && typeof value === 'function')
  ) {
    throw new BlueGreenConfigError(written, `expected a string, got ${describeValue(written, value)}`)
  }
  return value
}
