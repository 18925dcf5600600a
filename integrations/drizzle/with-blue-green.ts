import { BlueGreenConfigError } from '../../core/errors.js'
import type { BlueGreenSettings } from '../shared/config-types.js'
import { copyConfig } from '../shared/driver-config.js'

/**
 * The routed pool's config with Drizzle's top-level `blueGreen` merged in (keys already inside the connection
 * config win, as they are the more specific). A copy that keeps hidden properties (a non-enumerable password).
 *
 * @example
 * ```ts
 * new BlueGreenPgPool(withBlueGreen({ host }, { bgdId: 'orders' }))
 * ```
 */
export function withBlueGreen<T extends object>(
  connection: T | undefined,
  blueGreen: BlueGreenSettings | undefined,
): T {
  if (blueGreen === undefined || connection === undefined) return connection ?? ({} as T)
  const own = (connection as { blueGreen?: BlueGreenSettings }).blueGreen
  return copyConfig(connection, { blueGreen: { ...blueGreen, ...own } }) as T
}

/**
 * Refuses `blueGreen` beside an existing `client`: that pool was built with its own settings.
 *
 * @throws {BlueGreenConfigError} naming `blueGreen`.
 * @example
 * ```ts
 * rejectSettingsBesideClient({ client: pool, blueGreen: {} }) // throws
 * ```
 */
export function rejectSettingsBesideClient(config: {
  readonly client?: unknown
  readonly blueGreen?: unknown
}): void {
  if (config.client !== undefined && config.blueGreen !== undefined) {
    throw new BlueGreenConfigError('blueGreen', 'give the Blue/Green settings to the pool passed as client')
  }
}
