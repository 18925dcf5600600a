import { parseRdsHost } from '../host-names.js'
import type { Logger } from '../runtime.js'
import type { MetadataRow } from '../types.js'
import { yieldToLoop } from '../monitor/deadline.js'
import { warnOnce } from '../warn-once.js'
import { parseRows } from './rows.js'
import type { RawMetadataRow } from './source.js'

/**
 * Which host names the library accepts from metadata. Metadata comes from a database the application connects
 * to, and its host names become connect targets: a row naming an arbitrary host (`db.example.internal`, an IP)
 * could send application connections, with their credentials, elsewhere. By default only RDS / Aurora endpoint
 * names (commercial, China and GovCloud partitions) are accepted; `bgAllowedHostSuffixes` adds custom ones.
 */

/**
 * True when `host` is an RDS-shaped endpoint name or ends with one of `suffixes` (at a label boundary).
 *
 * @example
 * ```ts
 * isTrustedHost('db-1.xyz.us-east-2.rds.amazonaws.com', []) // true
 * isTrustedHost('db.example.internal', []) // false
 * isTrustedHost('db.example.internal', ['example.internal']) // true
 * ```
 */
export function isTrustedHost(host: string, suffixes: readonly string[]): boolean {
  const name = host.trim().toLowerCase()
  if (parseRdsHost(name) !== undefined) return true
  return suffixes.some((suffix) => name.endsWith(`.${suffix}`))
}

/**
 * Splits rows into accepted ones and the distinct rejected endpoints.
 *
 * @example
 * ```ts
 * const { trusted, rejected } = trustedRows(rows, options.allowedHostSuffixes)
 * ```
 */
export function trustedRows(
  rows: readonly MetadataRow[],
  suffixes: readonly string[],
): { readonly trusted: MetadataRow[]; readonly rejected: string[] } {
  const trusted: MetadataRow[] = []
  const rejected = new Set<string>()
  for (const row of rows) {
    if (isTrustedHost(row.endpoint, suffixes)) trusted.push(row)
    else rejected.add(row.endpoint)
  }
  return { trusted, rejected: [...rejected] }
}

/** An instance id from a topology query: one DNS label, nothing that could smuggle in another domain. */
export function isInstanceId(id: string): boolean {
  return /^[a-z0-9](?:[a-z0-9-]{0,62})$/i.test(id)
}

/**
 * Validates raw rows and keeps those naming trusted hosts; rows naming other hosts are warned once per deployment
 * per process.
 *
 * @example
 * ```ts
 * const rows = acceptedRows(result.rows, 'orders', options.allowedHostSuffixes, logger)
 * ```
 */
export function acceptedRows(
  raw: readonly RawMetadataRow[],
  bgdId: string,
  suffixes: readonly string[],
  logger: Logger,
): MetadataRow[] {
  const warn = (message: string): void => logger.warn(`[bgdId: '${bgdId}'] ${message}`)
  const { trusted, rejected } = trustedRows(parseRows(raw, warn).rows, suffixes)
  if (rejected.length > 0) {
    const more = rejected.length > 1 ? ` and ${rejected.length - 1} more` : ''
    warnOnce(
      `metadata-untrusted:${bgdId}`,
      `Blue/Green metadata rows naming hosts outside RDS are ignored: '${rejected[0]}'${more} ` +
        '(set bgAllowedHostSuffixes to accept them).',
      warn,
    )
  }
  return trusted
}

/** Metadata rows validated between two yields to the event loop. */
const ROWS_PER_CHUNK = 250

/**
 * {@link acceptedRows} in chunks of 250 rows, yielding to the event loop between them: a huge answer (10,000 rows)
 * must not block the application for long (issue 11 item 4).
 *
 * @example
 * ```ts
 * const rows = await acceptRowsInChunks(result.rows, 'orders', options.allowedHostSuffixes, logger)
 * ```
 */
export async function acceptRowsInChunks(
  raw: readonly RawMetadataRow[],
  bgdId: string,
  suffixes: readonly string[],
  logger: Logger,
): Promise<MetadataRow[]> {
  if (raw.length <= ROWS_PER_CHUNK) return acceptedRows(raw, bgdId, suffixes, logger)
  const rows: MetadataRow[] = []
  for (let i = 0; i < raw.length; i += ROWS_PER_CHUNK) {
    if (i > 0) await yieldToLoop()
    for (const row of acceptedRows(raw.slice(i, i + ROWS_PER_CHUNK), bgdId, suffixes, logger)) rows.push(row)
  }
  return rows
}
