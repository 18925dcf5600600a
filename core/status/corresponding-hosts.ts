import {
  isCustomClusterHost,
  isGreenHost,
  isReaderClusterHost,
  isWriterClusterHost,
  rdsClusterId,
  removeGreenPrefix,
} from '../host-names.js'
import type { HostPair, InterimStatus, TopologyHost } from '../types.js'

/**
 * Pairs every blue host with its green counterpart: by topology (writer to writer, readers sorted by
 * name and paired round-robin, or to the green writer when green has no readers), then by endpoint type (writer
 * cluster, reader cluster, custom endpoints by cluster id). Keys are lower-cased blue host names.
 *
 * @example
 * ```ts
 * pairHosts(blueInterim, greenInterim).get('mydb.c9akciq32.us-east-1.rds.amazonaws.com')?.green
 * // 'mydb-green-x7k2p9.c9akciq32.us-east-1.rds.amazonaws.com'
 * ```
 */
export function pairHosts(
  blue: InterimStatus | undefined,
  green: InterimStatus | undefined,
): Map<string, HostPair> {
  const pairs = new Map<string, HostPair>()
  if (blue === undefined || green === undefined) return pairs
  if (blue.startTopology.length > 0 && green.startTopology.length > 0) {
    pairTopology(pairs, blue.startTopology, green.startTopology)
  }
  if (blue.hostNames.size > 0 && green.hostNames.size > 0) {
    pairEndpoints(pairs, [...blue.hostNames], [...green.hostNames])
  }
  return pairs
}

function pairTopology(
  pairs: Map<string, HostPair>,
  blue: readonly TopologyHost[],
  green: readonly TopologyHost[],
): void {
  const blueWriter = blue.find((h) => h.role === 'WRITER')
  const greenWriter = green.find((h) => h.role === 'WRITER')
  const byName = (a: TopologyHost, b: TopologyHost): number =>
    a.host < b.host ? -1 : a.host > b.host ? 1 : 0
  const blueReaders = blue.filter((h) => h.role !== 'WRITER').sort(byName)
  const greenReaders = green.filter((h) => h.role !== 'WRITER').sort(byName)
  if (blueWriter !== undefined) set(pairs, blueWriter.host, greenWriter?.host)
  blueReaders.forEach((reader, i) => {
    const green = greenReaders.length > 0 ? greenReaders[i % greenReaders.length]?.host : greenWriter?.host
    set(pairs, reader.host, green)
  })
}

function pairEndpoints(
  pairs: Map<string, HostPair>,
  blue: readonly string[],
  green: readonly string[],
): void {
  const blueWriter = blue.find(isWriterClusterHost)
  const greenWriter = green.find(isWriterClusterHost)
  if (blueWriter !== undefined && greenWriter !== undefined) setIfAbsent(pairs, blueWriter, greenWriter)
  const blueReader = blue.find(isReaderClusterHost)
  const greenReader = green.find(isReaderClusterHost)
  if (blueReader !== undefined && greenReader !== undefined) setIfAbsent(pairs, blueReader, greenReader)
  // Any other blue endpoint pairs with the green endpoint that carries the same name plus the green marker, so an
  // RDS instance is paired even when its topology snapshot was missed.
  for (const host of blue) {
    const match = green.find(
      (g) => isGreenHost(g) && removeGreenPrefix(g).toLowerCase() === host.toLowerCase(),
    )
    if (match !== undefined) setIfAbsent(pairs, host, match)
  }
  for (const custom of blue.filter(isCustomClusterHost)) {
    const id = rdsClusterId(custom)
    const match = green.find((g) => isCustomClusterHost(g) && rdsClusterId(removeGreenPrefix(g)) === id)
    if (match !== undefined) setIfAbsent(pairs, custom, match)
  }
}

function set(pairs: Map<string, HostPair>, blue: string, green: string | undefined): void {
  pairs.set(blue.toLowerCase(), { blue: blue.toLowerCase(), green: green?.toLowerCase() })
}

function setIfAbsent(pairs: Map<string, HostPair>, blue: string, green: string): void {
  if (!pairs.has(blue.toLowerCase())) set(pairs, blue, green)
}
