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
    pairEndpoints(pairs, blueIndex(blue), greenIndex(green))
  }
  return pairs
}

/**
 * Computes (and keeps, per interim object) what pairing needs from one side, so that a monitor can do this work
 * in a turn of its own before it hands a large interim status to the coordinator.
 *
 * @example
 * ```ts
 * indexForPairing('SOURCE', interim); await yieldToLoop(); coordinator.onInterim('SOURCE', interim)
 * ```
 */
export function indexForPairing(role: 'SOURCE' | 'TARGET', interim: InterimStatus): void {
  if (role === 'SOURCE') blueIndex(interim)
  else greenIndex(interim)
}

/** The blue side's names, in report order, with the endpoint kinds pairing looks for. */
interface BlueIndex {
  readonly names: readonly string[]
  readonly writer: string | undefined
  readonly reader: string | undefined
  readonly customs: readonly { readonly host: string; readonly id: string | undefined }[]
}

/** The green side's names indexed by the blue name they carry and by custom-endpoint cluster id. */
interface GreenIndex {
  readonly writer: string | undefined
  readonly reader: string | undefined
  readonly byBlueName: ReadonlyMap<string, string>
  readonly customById: ReadonlyMap<string, string>
}

const blueIndexes = new WeakMap<InterimStatus, BlueIndex>()
const greenIndexes = new WeakMap<InterimStatus, GreenIndex>()

function blueIndex(interim: InterimStatus): BlueIndex {
  let index = blueIndexes.get(interim)
  if (index !== undefined) return index
  const names = [...interim.hostNames]
  const customs = names.filter(isCustomClusterHost).map((host) => ({ host, id: rdsClusterId(host) }))
  index = { names, writer: names.find(isWriterClusterHost), reader: names.find(isReaderClusterHost), customs }
  blueIndexes.set(interim, index)
  return index
}

function greenIndex(interim: InterimStatus): GreenIndex {
  let index = greenIndexes.get(interim)
  if (index !== undefined) return index
  const names = [...interim.hostNames]
  // The first green name wins, as a scan in report order would find it.
  const byBlueName = new Map<string, string>()
  const customById = new Map<string, string>()
  for (const g of names) {
    const blueName = removeGreenPrefix(g).toLowerCase()
    if (isGreenHost(g) && !byBlueName.has(blueName)) byBlueName.set(blueName, g)
    const id = isCustomClusterHost(g) ? rdsClusterId(removeGreenPrefix(g)) : undefined
    if (id !== undefined && !customById.has(id)) customById.set(id, g)
  }
  index = {
    writer: names.find(isWriterClusterHost),
    reader: names.find(isReaderClusterHost),
    byBlueName,
    customById,
  }
  greenIndexes.set(interim, index)
  return index
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

function pairEndpoints(pairs: Map<string, HostPair>, blue: BlueIndex, green: GreenIndex): void {
  if (blue.writer !== undefined && green.writer !== undefined) setIfAbsent(pairs, blue.writer, green.writer)
  if (blue.reader !== undefined && green.reader !== undefined) setIfAbsent(pairs, blue.reader, green.reader)
  // Any other blue endpoint pairs with the green endpoint that carries the same name plus the green marker, so an
  // RDS instance is paired even when its topology snapshot was missed. Looked up in an index: linear in the host
  // count (10,000 instances on each side must not cost 10^8 comparisons).
  for (const host of blue.names) {
    const match = green.byBlueName.get(host.toLowerCase())
    if (match !== undefined) setIfAbsent(pairs, host, match)
  }
  for (const { host, id } of blue.customs) {
    const match = id === undefined ? undefined : green.customById.get(id)
    if (match !== undefined) setIfAbsent(pairs, host, match)
  }
}

function set(pairs: Map<string, HostPair>, blue: string, green: string | undefined): void {
  pairs.set(blue.toLowerCase(), { blue: blue.toLowerCase(), green: green?.toLowerCase() })
}

function setIfAbsent(pairs: Map<string, HostPair>, blue: string, green: string): void {
  if (!pairs.has(blue.toLowerCase())) set(pairs, blue, green)
}
