import { isOldHost, isRdsInstance, isWriterClusterHost, readerClusterHostFor } from '../host-names.js'
import { warnOnce } from '../warn-once.js'
import type { MetadataRow, Phase, Role } from '../types.js'
import type { RawMetadataRow } from './source.js'

/**
 * Validation of raw Blue/Green metadata rows (spec §2.2, §2.4–§2.6) and the phase one side's monitor derives
 * from them (spec §2.7). A bad row is skipped with a warning instead of aborting the whole poll: the other
 * rows still say something true about the deployment.
 */

/** The only metadata format version known; every other version is read as this one (spec §2.6). */
export const KNOWN_VERSION = '1.0'

const ROLE_BY_VALUE: Readonly<Record<string, Role>> = {
  BLUE_GREEN_DEPLOYMENT_SOURCE: 'SOURCE',
  BLUE_GREEN_DEPLOYMENT_TARGET: 'TARGET',
}

const PHASE_BY_STATUS: Readonly<Record<string, Phase>> = {
  '': 'NOT_CREATED',
  AVAILABLE: 'CREATED',
  SWITCHOVER_INITIATED: 'PREPARATION',
  SWITCHOVER_IN_PROGRESS: 'IN_PROGRESS',
  SWITCHOVER_IN_POST_PROCESSING: 'POST',
  SWITCHOVER_COMPLETED: 'COMPLETED',
}

/** Result of {@link parseRows}. */
export interface ParsedRows {
  readonly rows: MetadataRow[]
}

/**
 * Validates raw rows. Role and status are matched case-insensitively; an unknown role or status, a missing
 * endpoint or an invalid port skips the row with a warning. Each distinct warning is given once per process,
 * because monitors poll every 100 ms during a switchover.
 *
 * @example
 * ```ts
 * parseRows([{ endpoint: 'DB.xyz.us-east-2.rds.amazonaws.com', port: '5432', role: 'blue_green_deployment_source',
 *   status: 'AVAILABLE', version: '1.0' }], logger.warn).rows
 * // [{ endpoint: 'db.xyz.us-east-2.rds.amazonaws.com', port: 5432, role: 'SOURCE', phase: 'CREATED', version: '1.0' }]
 * ```
 */
export function parseRows(raw: readonly RawMetadataRow[], warn: (message: string) => void): ParsedRows {
  const rows: MetadataRow[] = []
  for (const row of raw) {
    const parsed = parseRow(row)
    if (typeof parsed === 'string')
      // Keyed by the kind of problem, not its values: a name that changes on every poll warns once, not forever.
      warnOnce(
        `metadata-row:${parsed.replace(/'[^']*'|\S*\d\S*/g, '…')}`,
        `Blue/Green metadata row skipped: ${parsed}`,
        warn,
      )
    else rows.push({ ...parsed, version: readVersion(row.version, warn) })
  }
  return { rows }
}

/** The row without its version, or why it is skipped. */
function parseRow(row: RawMetadataRow): Omit<MetadataRow, 'version'> | string {
  const endpoint = typeof row.endpoint === 'string' ? row.endpoint.trim().toLowerCase() : ''
  if (endpoint === '') return `no endpoint (${show(row.endpoint)})`
  const port = readPort(row.port)
  if (port === undefined) return `invalid port ${show(row.port)} for '${endpoint}'`
  const role = lookup(ROLE_BY_VALUE, row.role)
  if (role === undefined) return `unknown blue/green role ${show(row.role)} for '${endpoint}'`
  const phase = lookup(PHASE_BY_STATUS, row.status)
  if (phase === undefined) return `unknown blue/green status ${show(row.status)} for '${endpoint}'`
  return { endpoint, port, role, phase }
}

function readVersion(value: unknown, warn: (message: string) => void): string {
  const version = text(value) ?? ''
  if (version === KNOWN_VERSION) return version
  const shown = value === null || value === undefined ? 'null' : version
  warnOnce(
    `metadata-version:${shown}`,
    `Blue/Green deployment uses version '${shown}' which the driver does not support. Version '${KNOWN_VERSION}' will be used instead.`,
    warn,
  )
  return KNOWN_VERSION
}

/** Drivers return ports as numbers (pg int4), strings (mysql2 with some settings) or bigints (int8). */
function readPort(value: unknown): number | undefined {
  const port =
    typeof value === 'bigint'
      ? Number(value)
      : typeof value === 'string' && /^\s*\d+\s*$/.test(value)
        ? Number(value)
        : value
  return typeof port === 'number' && Number.isInteger(port) && port > 0 && port <= 65_535 ? port : undefined
}

/** Case-insensitive lookup of a textual column; objects and booleans never match. */
function lookup<T>(table: Readonly<Record<string, T>>, value: unknown): T | undefined {
  const key = text(value)
  return key === undefined ? undefined : table[key.toUpperCase()]
}

/** A column as trimmed text: null reads as empty; `undefined` for values that are not text or numbers. */
function text(value: unknown): string | undefined {
  if (value === null || value === undefined) return ''
  if (typeof value === 'string') return value.trim()
  return typeof value === 'number' || typeof value === 'bigint' ? String(value) : undefined
}

/** A column value for a warning (metadata holds host names and states, never secrets). */
function show(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return String(value)
  if (value === null || value === undefined) return String(value)
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}

/** What one side's monitor reads from the rows of its role in one poll (spec §2.7 steps 1–5). */
export interface SidePhase {
  /** `undefined` when the metadata has no row for this side (normal after a switchover). */
  readonly phase: Phase | undefined
  readonly version: string
  /** Port of the primary endpoint, or -1 when there is none. */
  readonly port: number
  /** The writer cluster endpoint or, for RDS instances, the instance endpoint; absent when none qualifies. */
  readonly primaryEndpoint?: string
  /** Lower-cased endpoints of this side (no `-old1` names) and the derived reader cluster endpoint. */
  readonly hostNames: string[]
}

/**
 * Derives one side's phase from validated rows: the primary row is the first writer cluster endpoint, else the
 * first instance endpoint, never an `-old1` name. Without rows of this role the phase is `undefined`; with
 * rows but no primary (only `-old1` or non-RDS names) `previousPhase` is kept.
 *
 * @example
 * ```ts
 * deriveSidePhase(rows, 'SOURCE', 'CREATED')
 * // { phase: 'PREPARATION', version: '1.0', port: 5432, primaryEndpoint: 'bg.cluster-xyz...',
 * //   hostNames: ['bg.cluster-xyz...', 'db-1.xyz...', 'bg.cluster-ro-xyz...'] }
 * ```
 */
export function deriveSidePhase(
  rows: readonly MetadataRow[],
  role: Role,
  previousPhase: Phase | undefined,
): SidePhase {
  const own = rows.filter((row) => row.role === role)
  const current = own.filter((row) => !isOldHost(row.endpoint))
  const primary =
    current.find((row) => isWriterClusterHost(row.endpoint)) ??
    current.find((row) => isRdsInstance(row.endpoint))
  const hostNames = new Set(current.map((row) => row.endpoint))
  const reader = primary === undefined ? undefined : readerClusterHostFor(primary.endpoint)
  if (reader !== undefined) hostNames.add(reader)
  if (primary === undefined) {
    const phase = own.length === 0 ? undefined : previousPhase
    return { phase, version: KNOWN_VERSION, port: -1, hostNames: [...hostNames] }
  }
  return {
    phase: primary.phase,
    version: primary.version,
    port: primary.port,
    primaryEndpoint: primary.endpoint,
    hostNames: [...hostNames],
  }
}
