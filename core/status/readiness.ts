import { formatReadinessLog } from '../summary-log.js'
import type { HostPair, InterimStatus, Phase, Role } from '../types.js'

/**
 * The one-time "target topology recognized" log (docs/design.md, "Logs"), or `undefined` while the deployment is not yet
 * fully known: both sides reported, both start topologies and host-name sets are non-empty, and blue hosts are
 * paired. Operators check it on every application instance before starting the switchover. Pure.
 *
 * @example
 * ```ts
 * const text = formatReadiness('1', 'CREATED', interimByRole, pairs, ipByHost)
 * if (text !== undefined) logger.info(text)
 * ```
 */
export function formatReadiness(
  bgdId: string,
  phase: Phase,
  interim: ReadonlyMap<Role, InterimStatus>,
  pairs: ReadonlyMap<string, HostPair>,
  ipByHost: ReadonlyMap<string, string>,
): string | undefined {
  const blue = interim.get('SOURCE')
  const green = interim.get('TARGET')
  if (blue === undefined || green === undefined || pairs.size === 0) return undefined
  if (blue.startTopology.length === 0 || green.startTopology.length === 0) return undefined
  if (blue.hostNames.size === 0 || green.hostNames.size === 0) return undefined
  return formatReadinessLog({
    bgdId,
    phase,
    sourceHosts: blue.hostNames,
    targetHosts: green.hostNames,
    correspondingHosts: pairs.values(),
    ipByHost,
  })
}
