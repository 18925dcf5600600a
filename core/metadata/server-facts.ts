import type { MetadataProblemKind, ServerFacts } from './diagnosis.js'

/**
 * The queries that describe a server (engine, version, RDS or Aurora, the session's user, the `rds_tools`
 * extension) and the pure parsers of their answers. A monitor runs them only when the metadata is not readable,
 * once per connection, to name the exact cause; `rds-bluegreen check` runs them always.
 */

/**
 * PostgreSQL: one row. `rds.extensions` exists only on RDS and Aurora (it lists `aurora_stat_utils` on Aurora);
 * `pg_available_extensions` tells what `CREATE EXTENSION rds_tools` would install.
 *
 * @example
 * ```ts
 * pgServerFacts((await client.query(PG_SERVER_SQL)).rows[0]) // { engine: 'postgresql', version: '15.4', ... }
 * ```
 */
export const PG_SERVER_SQL = `SELECT current_user AS user_name,
  pg_catalog.current_setting('server_version') AS version,
  pg_catalog.current_setting('server_version_num') AS version_num,
  pg_catalog.current_setting('rds.extensions', true) AS rds_extensions,
  EXISTS (SELECT 1 FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) p.pronamespace
    WHERE n.nspname OPERATOR(pg_catalog.=) 'pg_catalog' AND p.proname OPERATOR(pg_catalog.=) 'aurora_version') AS aurora,
  (SELECT e.extversion FROM pg_catalog.pg_extension e WHERE e.extname OPERATOR(pg_catalog.=) 'rds_tools') AS rds_tools_installed,
  (SELECT a.default_version FROM pg_catalog.pg_available_extensions a
    WHERE a.name OPERATOR(pg_catalog.=) 'rds_tools') AS rds_tools_available`

/**
 * MySQL: one row; Aurora is told by {@link MYSQL_AURORA_CHECK_SQL}'s answer, RDS by its install folder.
 *
 * @example
 * ```ts
 * const [[row]] = await conn.query(MYSQL_SERVER_SQL)
 * ```
 */
export const MYSQL_SERVER_SQL =
  'SELECT CURRENT_USER() AS user_name, @@version AS version, @@version_comment AS version_comment, @@basedir AS basedir'

/**
 * MySQL: tells a missing `mysql.rds_topology` (1146) from one this user may not read (1142). A user without the
 * privilege gets 1142 whether or not the table exists: MySQL does not tell.
 *
 * @example
 * ```ts
 * await conn.query(MYSQL_PROBE_SQL) // throws errno 1146 or 1142
 * ```
 */
export const MYSQL_PROBE_SQL = 'SELECT 1 FROM mysql.rds_topology LIMIT 0'

/**
 * Reads the row of {@link PG_SERVER_SQL}.
 *
 * @example
 * ```ts
 * pgServerFacts({ user_name: 'app', version: '15.4', version_num: '150004', rds_extensions: null, aurora: false })
 * // { engine: 'postgresql', user: 'app', version: '15.4', versionNum: 150004 }
 * ```
 */
export function pgServerFacts(row: unknown): ServerFacts {
  const record = asRecord(row)
  const extensions = text(record['rds_extensions'])
  const aurora = isTrue(record['aurora']) || (extensions?.includes('aurora_stat_utils') ?? false)
  const versionNum = Number(text(record['version_num']))
  return compact({
    engine: 'postgresql',
    user: text(record['user_name']),
    version: text(record['version']),
    versionNum: Number.isFinite(versionNum) && versionNum > 0 ? versionNum : undefined,
    flavor: aurora ? 'aurora' : extensions !== undefined && extensions !== '' ? 'rds' : undefined,
    rdsToolsInstalled: text(record['rds_tools_installed']),
    rdsToolsAvailable: text(record['rds_tools_available']),
  })
}

/**
 * Reads the row of {@link MYSQL_SERVER_SQL} and the rows of `SHOW VARIABLES LIKE 'aurora_version'`.
 *
 * @example
 * ```ts
 * mysqlServerFacts({ user_name: 'app@%', version: '8.0.36', basedir: '/rdsdbbin/mysql/' }, [])
 * // { engine: 'mysql', user: 'app@%', version: '8.0.36', flavor: 'rds' }
 * ```
 */
export function mysqlServerFacts(row: unknown, auroraRows: readonly unknown[]): ServerFacts {
  const record = asRecord(row)
  const aurora = text(asRecord(auroraRows[0])['Value'] ?? asRecord(auroraRows[0])['value'])
  const rds = text(record['basedir'])?.startsWith('/rdsdbbin/') === true
  return compact({
    engine: 'mysql',
    user: text(record['user_name']),
    version: text(record['version']),
    flavor: aurora !== undefined ? 'aurora' : rds ? 'rds' : undefined,
    auroraVersion: aurora,
  })
}

/**
 * What a failed read of the metadata says about it, from the error (PostgreSQL SQLSTATE, MySQL errno, the Aurora
 * "deployment gone" message); `undefined` when it says nothing precise.
 *
 * @example
 * ```ts
 * problemOfError({ code: '42501', message: 'permission denied for function show_topology' }) // 'not-permitted'
 * ```
 */
export function problemOfError(err: unknown): MetadataProblemKind | undefined {
  const record = asRecord(err)
  const message = typeof record['message'] === 'string' ? record['message'] : ''
  if (/an error occur+ed while retrieving the blue\/green fast switchover metadata/i.test(message)) {
    return 'no-deployment'
  }
  const errno = typeof record['errno'] === 'number' ? record['errno'] : undefined
  if (errno === 1146) return 'missing'
  if (errno === 1142 || errno === 1044 || errno === 1045) return 'not-permitted'
  const code = typeof record['code'] === 'string' && errno === undefined ? record['code'] : ''
  if (code === '42501') return 'not-permitted'
  if (code === '42883' || code === '42P01' || code === '3F000') return 'missing'
  return undefined
}

function asRecord(value: unknown): Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null ? (value as Readonly<Record<string, unknown>>) : {}
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value.trim()
  return typeof value === 'number' || typeof value === 'bigint' ? String(value) : undefined
}

function isTrue(value: unknown): boolean {
  return value === true || value === 1 || value === 't' || value === 'true' || value === '1'
}

/** Drops absent fields, so the facts compare and print cleanly. */
function compact(facts: ServerFacts): ServerFacts {
  return Object.freeze(
    Object.fromEntries(Object.entries(facts).filter(([, value]) => value !== undefined)),
  ) as ServerFacts
}
