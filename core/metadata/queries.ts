import type { MetadataProblemKind } from './diagnosis.js'
import type { RawTopologyRow } from './source.js'

/**
 * The SQL that reads Blue/Green metadata and Aurora topology (spec §2.1, §2.11), and the pure parsers of the
 * answers. PG statements qualify every function and operator with `pg_catalog` so a hostile `search_path`
 * cannot shadow them.
 */

/**
 * The library version sent in the status query's client id. Kept as a constant (never read from
 * `process.env.npm_package_version`, which names the application's package); a unit test keeps it equal to
 * `package.json`.
 *
 * @example
 * ```ts
 * LIBRARY_VERSION // '0.1.0'
 * ```
 */
export const LIBRARY_VERSION = '0.1.0'

/**
 * The free-form client identifier the PG metadata functions receive.
 *
 * @example
 * ```ts
 * CLIENT_ID // 'rds_bluegreen-0.1.0'
 * ```
 */
export const CLIENT_ID = `rds_bluegreen-${LIBRARY_VERSION}`

/** Which metadata source a server has: Aurora PG function, RDS PG `rds_tools` function, or MySQL table. */
export type MetadataDialect = 'aurora-pg' | 'rds-pg' | 'mysql'

/**
 * PG existence check by catalog lookup. A `'…'::regproc` cast fails with "more than one function named" when
 * the function is overloaded, and `to_regproc` returns NULL then; `pg_proc` has neither problem. Always one
 * row; the `*_callable` columns also require EXECUTE on the function and USAGE on its schema, because RDS PG
 * users need explicit grants on `rds_tools` (spec §2.9).
 *
 * @example
 * ```ts
 * const { rows: [row] } = await client.query(PG_CATALOG_SQL)
 * pgDialectFromCatalogRow(row) // { available: true, dialect: 'aurora-pg', auroraTopology: true }
 * ```
 */
export const PG_CATALOG_SQL = `SELECT
  ${pgFunctionExists('pg_catalog', 'get_blue_green_fast_switchover_metadata', 'exists')} AS aurora_pg,
  ${pgFunctionExists('pg_catalog', 'get_blue_green_fast_switchover_metadata', 'callable')} AS aurora_pg_callable,
  ${pgFunctionExists('pg_catalog', 'get_blue_green_fast_switchover_metadata', 'trusted')} AS aurora_pg_trusted,
  ${pgFunctionExists('rds_tools', 'show_topology', 'exists')} AS rds_pg,
  ${pgFunctionExists('rds_tools', 'show_topology', 'callable')} AS rds_pg_callable,
  ${pgFunctionExists('rds_tools', 'show_topology', 'trusted')} AS rds_pg_trusted,
  ${pgFunctionExists('pg_catalog', 'aurora_replica_status', 'trusted')} AS aurora_topology`

/**
 * `trusted`: callable, and owned by a superuser (`rdsadmin` on RDS, which owns the built-in Aurora function and
 * the objects of the `rds_tools` extension) or by `rds_superuser` / one of its members (the master user, who
 * installs extensions). Only the owner (or a superuser) can replace a function body, and nobody can give a
 * function to a role they are not a member of: a function created by an ordinary user is never trusted, so a
 * user with CREATE on the database cannot plant metadata that routes everyone's connections.
 */
function pgFunctionExists(schema: string, name: string, check: 'exists' | 'callable' | 'trusted'): string {
  const privileges =
    check === 'exists'
      ? ''
      : ` AND pg_catalog.has_schema_privilege(n.oid, 'USAGE') AND pg_catalog.has_function_privilege(p.oid, 'EXECUTE')`
  const owner =
    check === 'trusted'
      ? ` AND (r.rolsuper OR COALESCE(pg_catalog.pg_has_role(p.proowner, (SELECT g.oid FROM pg_catalog.pg_roles g ` +
        `WHERE g.rolname OPERATOR(pg_catalog.=) 'rds_superuser'), 'MEMBER'), false))`
      : ''
  return (
    `EXISTS (SELECT 1 FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ` +
    `ON n.oid OPERATOR(pg_catalog.=) p.pronamespace JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) p.proowner ` +
    `WHERE n.nspname OPERATOR(pg_catalog.=) '${schema}' AND p.proname OPERATOR(pg_catalog.=) '${name}'${privileges}${owner})`
  )
}

/**
 * MySQL existence check (Aurora and RDS): one row when `mysql.rds_topology` exists and is visible to the user
 * (`information_schema` hides tables the user has no privilege on).
 *
 * @example
 * ```ts
 * const [rows] = await conn.query(MYSQL_EXISTS_SQL)
 * mysqlMetadataExists(rows) // true
 * ```
 */
export const MYSQL_EXISTS_SQL =
  "SELECT 1 AS tmp FROM information_schema.tables WHERE table_schema = 'mysql' AND table_name = 'rds_topology'"

/**
 * Aurora PG status query; `$1` is {@link CLIENT_ID}.
 *
 * @example
 * ```ts
 * await client.query(AURORA_PG_STATUS_SQL, [CLIENT_ID])
 * ```
 */
export const AURORA_PG_STATUS_SQL = 'SELECT * FROM pg_catalog.get_blue_green_fast_switchover_metadata($1)'

/**
 * RDS PG status query (`rds_tools` ≥ 1.7); `$1` is {@link CLIENT_ID}.
 *
 * @example
 * ```ts
 * await client.query(RDS_PG_STATUS_SQL, [CLIENT_ID])
 * ```
 */
export const RDS_PG_STATUS_SQL = 'SELECT * FROM rds_tools.show_topology($1)'

/**
 * MySQL status query (Aurora MySQL ≥ 3.07 and RDS MySQL).
 *
 * @example
 * ```ts
 * const [rows] = await conn.query(MYSQL_STATUS_SQL)
 * ```
 */
export const MYSQL_STATUS_SQL = 'SELECT * FROM mysql.rds_topology'

/** A statement and its parameters. */
export interface SqlStatement {
  readonly sql: string
  readonly params: readonly string[]
}

/**
 * The status query of a dialect with its parameters.
 *
 * @example
 * ```ts
 * const { sql, params } = statusQuery('rds-pg')
 * await client.query(sql, [...params])
 * ```
 */
export function statusQuery(dialect: MetadataDialect): SqlStatement {
  switch (dialect) {
    case 'aurora-pg':
      return { sql: AURORA_PG_STATUS_SQL, params: [CLIENT_ID] }
    case 'rds-pg':
      return { sql: RDS_PG_STATUS_SQL, params: [CLIENT_ID] }
    case 'mysql':
      return { sql: MYSQL_STATUS_SQL, params: [] }
  }
}

/**
 * Aurora PG instances of this cluster (spec §2.11), one row per instance with `server_id` and `is_writer`;
 * replicas that stopped reporting for 5 minutes are left out.
 *
 * @example
 * ```ts
 * parseTopologyRows((await client.query(AURORA_PG_TOPOLOGY_SQL)).rows)
 * ```
 */
export const AURORA_PG_TOPOLOGY_SQL =
  "SELECT server_id, (session_id OPERATOR(pg_catalog.=) 'MASTER_SESSION_ID') AS is_writer " +
  'FROM pg_catalog.aurora_replica_status() ' +
  'WHERE EXTRACT(EPOCH FROM (pg_catalog.now() OPERATOR(pg_catalog.-) last_update_timestamp)) ' +
  'OPERATOR(pg_catalog.<=) 300 ' +
  "OR session_id OPERATOR(pg_catalog.=) 'MASTER_SESSION_ID' OR last_update_timestamp IS NULL"

/**
 * Tells Aurora MySQL from RDS MySQL: one row on Aurora, none on RDS (spec §2.10).
 *
 * @example
 * ```ts
 * const [rows] = await conn.query(MYSQL_AURORA_CHECK_SQL)
 * const aurora = rows.length > 0
 * ```
 */
export const MYSQL_AURORA_CHECK_SQL = "SHOW VARIABLES LIKE 'aurora_version'"

/**
 * Aurora MySQL instances of this cluster (spec §2.11). Columns are aliased because MySQL 8 returns
 * `information_schema` column names upper-cased otherwise.
 *
 * @example
 * ```ts
 * const [rows] = await conn.query(AURORA_MYSQL_TOPOLOGY_SQL)
 * parseTopologyRows(rows)
 * ```
 */
export const AURORA_MYSQL_TOPOLOGY_SQL =
  "SELECT server_id AS server_id, (session_id = 'MASTER_SESSION_ID') AS is_writer " +
  'FROM information_schema.replica_host_status ' +
  "WHERE time_to_sec(timediff(now(), last_update_timestamp)) <= 300 OR session_id = 'MASTER_SESSION_ID'"

/** What the PG catalog lookup says about the Blue/Green metadata of a server. */
export type PgCatalogCheck =
  | { readonly available: true; readonly dialect: 'aurora-pg' | 'rds-pg'; readonly auroraTopology: boolean }
  | {
      readonly available: false
      readonly reason: string
      readonly auroraTopology: boolean
      /** Why, for the armed state's fix, and the function concerned. */
      readonly problem: MetadataProblemKind
      readonly object?: string
    }

/**
 * Reads the row of {@link PG_CATALOG_SQL}. Booleans may arrive as `true`/`false` or, with type parsing off, as
 * `'t'`/`'f'`. When both functions exist the Aurora one wins, as it is the native Aurora source.
 *
 * @example
 * ```ts
 * pgDialectFromCatalogRow({ aurora_pg: false, aurora_pg_callable: false, rds_pg: true, rds_pg_callable: false, aurora_topology: false })
 * // { available: false, reason: 'rds_tools.show_topology exists but this user may not execute it ...', auroraTopology: false }
 * ```
 */
export function pgDialectFromCatalogRow(row: unknown): PgCatalogCheck {
  const flag = (name: string): boolean => isTrue(field(row, name))
  const auroraTopology = flag('aurora_topology')
  if (flag('aurora_pg_trusted')) return { available: true, dialect: 'aurora-pg', auroraTopology }
  if (flag('rds_pg_trusted')) return { available: true, dialect: 'rds-pg', auroraTopology }
  const untrusted = flag('aurora_pg_callable')
    ? 'pg_catalog.get_blue_green_fast_switchover_metadata'
    : flag('rds_pg_callable')
      ? 'rds_tools.show_topology'
      : undefined
  if (untrusted !== undefined) {
    const reason =
      `${untrusted} is ignored: it is not owned by a superuser or an rds_superuser member, ` +
      'so it is not the RDS function (and could route connections anywhere)'
    return { available: false, reason, auroraTopology, problem: 'untrusted', object: untrusted }
  }
  if (flag('aurora_pg')) {
    const object = 'pg_catalog.get_blue_green_fast_switchover_metadata'
    const reason = `${object} exists but this user may not execute it`
    return { available: false, reason, auroraTopology, problem: 'not-permitted', object }
  }
  if (flag('rds_pg')) {
    const reason =
      'rds_tools.show_topology exists but this user may not execute it ' +
      '(GRANT USAGE ON SCHEMA rds_tools and EXECUTE ON ALL FUNCTIONS IN SCHEMA rds_tools)'
    return {
      available: false,
      reason,
      auroraTopology,
      problem: 'not-permitted',
      object: 'rds_tools.show_topology',
    }
  }
  const reason =
    'no Blue/Green metadata function on this server (Aurora PG function or rds_tools extension missing)'
  return { available: false, reason, auroraTopology, problem: 'missing' }
}

/**
 * True when the {@link MYSQL_EXISTS_SQL} answer has a row.
 *
 * @example
 * ```ts
 * mysqlMetadataExists([{ tmp: 1 }]) // true
 * ```
 */
export function mysqlMetadataExists(rows: readonly unknown[]): boolean {
  return rows.length > 0
}

/**
 * Turns topology rows (`server_id`, `is_writer`, any column-name case) into {@link RawTopologyRow}s. Rows
 * without a usable id are dropped. `is_writer` is a boolean on PG and `1`/`0` on MySQL.
 *
 * @example
 * ```ts
 * parseTopologyRows([{ SERVER_ID: 'db-1', IS_WRITER: 1 }]) // [{ id: 'db-1', role: 'WRITER' }]
 * ```
 */
export function parseTopologyRows(rows: readonly unknown[]): RawTopologyRow[] {
  const parsed: RawTopologyRow[] = []
  for (const row of rows) {
    const id = field(row, 'server_id')
    if (typeof id !== 'string' || id.trim() === '') continue
    parsed.push({ id: id.trim().toLowerCase(), role: isTrue(field(row, 'is_writer')) ? 'WRITER' : 'READER' })
  }
  return parsed
}

/** A column of a row object, matched case-insensitively (drivers differ in the case they report). */
function field(row: unknown, name: string): unknown {
  if (typeof row !== 'object' || row === null) return undefined
  const record = row as Readonly<Record<string, unknown>>
  if (name in record) return record[name]
  const key = Object.keys(record).find((candidate) => candidate.toLowerCase() === name)
  return key === undefined ? undefined : record[key]
}

function isTrue(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 't' || value === 'true' || value === 1n
}
