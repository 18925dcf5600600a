import type { BlueGreenSequelizeSettings } from './types.js'

/**
 * `config` with `blueGreen` merged under its own `blueGreen` key; descriptors are copied so a hidden
 * (non-enumerable) password survives.
 *
 * @example
 * ```ts
 * withBlueGreen({ host, password }, { bgdId: 'orders' }) // { host, password, blueGreen: { bgdId: 'orders' } }
 * ```
 */
export function withBlueGreen<T extends { blueGreen?: BlueGreenSequelizeSettings }>(
  config: T,
  blueGreen: BlueGreenSequelizeSettings,
): T {
  const copy = Object.defineProperties({}, Object.getOwnPropertyDescriptors(config)) as T
  copy.blueGreen = { ...blueGreen, ...copy.blueGreen }
  return copy
}
