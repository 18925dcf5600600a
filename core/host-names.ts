import { isIP } from 'node:net'

/**
 * Pure rules over RDS / Aurora DNS names (spec §6.6). Every function is case-insensitive: DNS names are, and
 * the metadata, the topology and the application may each spell a host differently.
 */

/** What kind of endpoint an RDS DNS name is. */
export type RdsHostKind =
  'instance' | 'cluster-writer' | 'cluster-reader' | 'cluster-custom' | 'proxy' | 'shard-group'

/** The parts of an RDS DNS name, all lower-cased. */
export interface RdsHost {
  readonly kind: RdsHostKind
  /** The first label for every kind but `instance` (cluster, proxy or shard-group name). */
  readonly clusterId?: string
  /** The first label: the instance id for instances, the cluster (or proxy) id otherwise. */
  readonly instance: string
  /** Everything after the endpoint-type prefix, e.g. `xyz.us-east-2.rds.amazonaws.com`. */
  readonly domain: string
  readonly region: string
}

const DNS_PREFIX = '(?<dns>proxy-|cluster-|cluster-ro-|cluster-custom-|shardgrp-)?'
const ACCOUNT = '[a-z0-9]+'
const REGION = '(?<region>[a-z0-9-]+)'

// One pattern per partition: commercial, China (current and older), GovCloud / ISO.
const RDS_PATTERNS: readonly RegExp[] = [
  `${ACCOUNT}\\.${REGION}\\.rds\\.amazonaws\\.com`,
  `${ACCOUNT}\\.rds\\.${REGION}\\.amazonaws\\.com\\.cn`,
  `${ACCOUNT}\\.${REGION}\\.rds\\.amazonaws\\.com\\.cn`,
  `${ACCOUNT}\\.rds\\.${REGION}\\.(?:amazonaws\\.com|c2s\\.ic\\.gov|sc2s\\.sgov\\.gov)`,
].map((domain) => new RegExp(`^(?<instance>.+)\\.${DNS_PREFIX}(?<domain>${domain})$`))

const KIND_BY_PREFIX: Readonly<Record<string, RdsHostKind>> = {
  'cluster-': 'cluster-writer',
  'cluster-ro-': 'cluster-reader',
  'cluster-custom-': 'cluster-custom',
  'proxy-': 'proxy',
  'shardgrp-': 'shard-group',
}

// The marker must sit directly before a dot; the lookahead leaves the dot in place when the marker is removed.
const GREEN_MARKER = /-green-[0-9a-z]{6}(?=\.)/gi
const GREEN_BARE_ID = /^(.+)-green-[0-9a-z]{6}$/i
const OLD_MARKER = /-old1\./i

/**
 * Splits an RDS DNS name into its parts, or `undefined` when the name is not an RDS endpoint.
 *
 * @example
 * ```ts
 * parseRdsHost('Mydb.cluster-ro-XYZ.us-east-2.rds.amazonaws.com')
 * // { kind: 'cluster-reader', clusterId: 'mydb', instance: 'mydb', domain: 'xyz.us-east-2.rds.amazonaws.com', region: 'us-east-2' }
 * ```
 */
export function parseRdsHost(host: string): RdsHost | undefined {
  const name = host.trim().toLowerCase()
  if (PARSED.has(name)) return PARSED.get(name)
  const parsed = parseUncached(name)
  PARSED.set(name, parsed)
  // Bounded: names that change on every poll must not grow memory; the oldest entries go first.
  if (PARSED.size > PARSED_CAPACITY) PARSED.delete(PARSED.keys().next().value as string)
  return parsed
}

/**
 * Parsed names, by lower-cased name. The patterns cost microseconds per name, and every round asks about every
 * metadata host several times (trust check, primary endpoint, pairing): a 10,000-host answer would block the
 * event loop for tens of milliseconds per pass without it.
 */
const PARSED = new Map<string, RdsHost | undefined>()
const PARSED_CAPACITY = 20_000

function parseUncached(name: string): RdsHost | undefined {
  for (const pattern of RDS_PATTERNS) {
    const groups = pattern.exec(name)?.groups
    if (groups?.instance === undefined || groups.domain === undefined || groups.region === undefined) continue
    const base = { instance: groups.instance, domain: groups.domain, region: groups.region }
    const kind = groups.dns === undefined ? undefined : KIND_BY_PREFIX[groups.dns]
    return kind === undefined ? { kind: 'instance', ...base } : { kind, clusterId: groups.instance, ...base }
  }
  return undefined
}

/**
 * True for an RDS instance endpoint (an RDS name without a cluster, proxy or shard-group prefix).
 *
 * @example
 * ```ts
 * isRdsInstance('db-1.xyz.us-east-2.rds.amazonaws.com') // true
 * ```
 */
export function isRdsInstance(host: string): boolean {
  return parseRdsHost(host)?.kind === 'instance'
}

/**
 * True for an Aurora writer cluster endpoint (`<cluster>.cluster-<account>...`).
 *
 * @example
 * ```ts
 * isWriterClusterHost('bg.cluster-xyz.us-east-2.rds.amazonaws.com') // true
 * ```
 */
export function isWriterClusterHost(host: string): boolean {
  return parseRdsHost(host)?.kind === 'cluster-writer'
}

/**
 * True for an Aurora reader cluster endpoint (`<cluster>.cluster-ro-<account>...`).
 *
 * @example
 * ```ts
 * isReaderClusterHost('bg.cluster-ro-xyz.us-east-2.rds.amazonaws.com') // true
 * ```
 */
export function isReaderClusterHost(host: string): boolean {
  return parseRdsHost(host)?.kind === 'cluster-reader'
}

/**
 * True for an Aurora custom cluster endpoint (`<name>.cluster-custom-<account>...`).
 *
 * @example
 * ```ts
 * isCustomClusterHost('reports.cluster-custom-xyz.us-east-2.rds.amazonaws.com') // true
 * ```
 */
export function isCustomClusterHost(host: string): boolean {
  return parseRdsHost(host)?.kind === 'cluster-custom'
}

/**
 * The cluster (or proxy / shard-group) id of an RDS name that has an endpoint-type prefix; `undefined` for
 * instance endpoints and non-RDS names.
 *
 * @example
 * ```ts
 * rdsClusterId('bg-green-abc123.cluster-xyz.us-east-2.rds.amazonaws.com') // 'bg-green-abc123'
 * ```
 */
export function rdsClusterId(host: string): string | undefined {
  return parseRdsHost(host)?.clusterId
}

/**
 * The reader cluster endpoint that belongs to a writer cluster endpoint, lower-cased; `undefined` when the
 * name is not a writer cluster endpoint.
 *
 * @example
 * ```ts
 * readerClusterHostFor('BG.cluster-xyz.us-east-2.rds.amazonaws.com') // 'bg.cluster-ro-xyz.us-east-2.rds.amazonaws.com'
 * ```
 */
export function readerClusterHostFor(writerClusterHost: string): string | undefined {
  const parsed = parseRdsHost(writerClusterHost)
  // Rebuilt from the parts rather than by text replacement, so a cluster id containing ".cluster-" is safe.
  return parsed?.kind === 'cluster-writer' ? `${parsed.instance}.cluster-ro-${parsed.domain}` : undefined
}

/**
 * True when a `-green-xxxxxx` marker (6 characters `[0-9a-z]`) sits directly before a dot.
 *
 * @example
 * ```ts
 * isGreenHost('db-1-green-q8dhgs.xyz.us-east-2.rds.amazonaws.com') // true
 * isGreenHost('db-1-green-12345.xyz.us-east-2.rds.amazonaws.com') // false
 * ```
 */
export function isGreenHost(host: string): boolean {
  return lastGreenMarker(host) !== undefined
}

/**
 * True when an `-old1` marker sits directly before a dot (the name AWS gives old blue resources).
 *
 * @example
 * ```ts
 * isOldHost('bg-test-old1.cluster-xyz.us-east-2.rds.amazonaws.com') // true
 * ```
 */
export function isOldHost(host: string): boolean {
  return OLD_MARKER.test(host)
}

/**
 * Removes the last `-green-xxxxxx` marker that sits before a dot, or the trailing marker of a bare instance id
 * (`db-green-abc123` → `db`). Other names are returned unchanged; the case of the rest is kept.
 *
 * @example
 * ```ts
 * removeGreenPrefix('db-green-abc123.xyz.us-east-2.rds.amazonaws.com') // 'db.xyz.us-east-2.rds.amazonaws.com'
 * removeGreenPrefix('x-green-123456-green-654321.d.com') // 'x-green-123456.d.com'
 * ```
 */
export function removeGreenPrefix(host: string): string {
  const marker = lastGreenMarker(host)
  if (marker !== undefined) return host.slice(0, marker.index) + host.slice(marker.end)
  return GREEN_BARE_ID.exec(host)?.[1] ?? host
}

function lastGreenMarker(host: string): { index: number; end: number } | undefined {
  let last: RegExpExecArray | undefined
  for (const match of host.matchAll(GREEN_MARKER)) last = match
  return last === undefined ? undefined : { index: last.index, end: last.index + last[0].length }
}

/**
 * The instance endpoint `<id>.<domain>` for an instance id reported by the topology (spec §2.11), with the
 * domain taken from any endpoint of the same cluster; `undefined` for IPs and single-label names.
 * Non-RDS names (a lab's own DNS) use the part after the first label, minus a `cluster-` style prefix.
 *
 * @example
 * ```ts
 * instanceHostFromId('db-2', 'bg.cluster-ro-xyz.us-east-2.rds.amazonaws.com') // 'db-2.xyz.us-east-2.rds.amazonaws.com'
 * ```
 */
export function instanceHostFromId(id: string, anyHostOfTheCluster: string): string | undefined {
  if (isIpAddress(anyHostOfTheCluster)) return undefined
  const host = anyHostOfTheCluster.trim().toLowerCase()
  const domain = parseRdsHost(host)?.domain ?? genericDomain(host)
  return domain === undefined ? undefined : `${id.trim().toLowerCase()}.${domain}`
}

function genericDomain(host: string): string | undefined {
  const dot = host.indexOf('.')
  if (dot <= 0 || dot === host.length - 1) return undefined
  return host.slice(dot + 1).replace(/^(?:cluster-ro-|cluster-custom-|cluster-)/, '')
}

/**
 * True for an IPv4 or IPv6 address (IPv6 also in brackets, as in URLs).
 *
 * @example
 * ```ts
 * isIpAddress('10.0.0.1') // true
 * isIpAddress('[::1]') // true
 * isIpAddress('db.example.com') // false
 * ```
 */
export function isIpAddress(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
  return isIP(bare) !== 0
}
