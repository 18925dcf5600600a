import { BlueGreenConfigError } from './errors.js'

/**
 * Typed readers for option values that may come from code (numbers, booleans) or from connection strings and
 * the environment (strings). Every failure is a {@link BlueGreenConfigError} naming the key as the user wrote it.
 */

/** A record of user-supplied options. */
export type OptionInput = Readonly<Record<string, unknown>>

/** Largest delay `setTimeout` honours; larger values fire at once (with a Node warning). */
export const MAX_MS = 2_147_483_647

/**
 * The value as a record (`undefined`/`null` read as empty).
 *
 * @throws {BlueGreenConfigError} naming `key` for anything that is not a plain object.
 * @example
 * ```ts
 * asRecord({ a: 1 }, 'blueGreen') // { a: 1 }
 * ```
 */
export function asRecord(value: unknown, key: string): OptionInput {
  if (value === undefined || value === null) return {}
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new BlueGreenConfigError(key, `expected an object, got ${describeValue(key, value)}`)
  }
  return value as OptionInput
}

/**
 * A whole number of milliseconds from 1 to {@link MAX_MS}; numeric strings are accepted.
 *
 * @throws {BlueGreenConfigError} naming `key`.
 * @example
 * ```ts
 * parseMs('5000', 'bgHighMs') // 5000
 * ```
 */
export function parseMs(value: unknown, key: string): number {
  const ms = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value
  if (typeof ms !== 'number' || !Number.isInteger(ms) || ms <= 0 || ms > MAX_MS) {
    throw new BlueGreenConfigError(
      key,
      `expected a whole number of milliseconds from 1 to ${MAX_MS}, got ${describeValue(key, value)}`,
    )
  }
  return ms
}

/**
 * `true`/`false`, also as the strings `'true'`/`'false'`.
 *
 * @throws {BlueGreenConfigError} naming `key`.
 * @example
 * ```ts
 * parseBoolean(' TRUE ', 'bgDropBlueConnections') // true
 * ```
 */
export function parseBoolean(value: unknown, key: string): boolean {
  if (typeof value === 'boolean') return value
  const text = typeof value === 'string' ? value.trim().toLowerCase() : undefined
  if (text === 'true' || text === 'false') return text === 'true'
  throw new BlueGreenConfigError(key, `expected true or false, got ${describeValue(key, value)}`)
}

const SECRET_KEY = /pass|pwd|secret|token|credential|connectionstring|url|uri|dsn|key/i

/**
 * Describes a bad value for an error message without ever echoing something that may be a secret.
 *
 * @example
 * ```ts
 * describeValue('password', 'hunter2') // 'a string'
 * describeValue('bgHighMs', 'abc') // '"abc"'
 * ```
 */
export function describeValue(key: string, value: unknown): string {
  if (value === null) return 'null'
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return 'an object'
  if (typeof value !== 'string') return `a ${typeof value}`
  if (SECRET_KEY.test(key) || value.length > 40 || /[:@/=]/.test(value)) return 'a string'
  return JSON.stringify(value)
}

/**
 * `bgAllowedHostSuffixes`: host-name suffixes accepted from metadata besides the RDS ones, as an array or a
 * comma-separated string; lower-cased, without a leading `*.`. `undefined` when not given.
 *
 * @throws {BlueGreenConfigError} naming `bgAllowedHostSuffixes`.
 * @example
 * ```ts
 * parseHostSuffixes('*.Example.com, corp.internal') // ['example.com', 'corp.internal']
 * ```
 */
export function parseHostSuffixes(value: unknown): readonly string[] | undefined {
  if (value === undefined) return undefined
  const list = typeof value === 'string' ? value.split(',') : value
  if (!Array.isArray(list) || !list.every((s): s is string => typeof s === 'string')) {
    throw new BlueGreenConfigError(
      'bgAllowedHostSuffixes',
      `expected an array of host-name suffixes or a comma-separated string, got ${describeValue('bgAllowedHostSuffixes', value)}`,
    )
  }
  const suffixes = list
    .map((s) =>
      s
        .trim()
        .toLowerCase()
        .replace(/^\*?\.?/, ''),
    )
    .filter((s) => s !== '')
  for (const suffix of suffixes) {
    if (!/^[a-z0-9-]+(?:\.[a-z0-9-]+)*$/.test(suffix)) {
      throw new BlueGreenConfigError(
        'bgAllowedHostSuffixes',
        `invalid host-name suffix ${describeValue('suffix', suffix)}`,
      )
    }
  }
  return Object.freeze(suffixes)
}
