/**
 * What a metadata source reports when the Blue/Green metadata cannot be read, so that the library's warning and
 * `rds-bluegreen check` can name the exact cause and fix (`core/status/armed-reasons.ts`). Facts only: the user
 * name the server reports, versions, which object is missing; never a password or a connection string.
 */

/** What a server says about itself (one query, run only when the metadata is not readable, or by the CLI). */
export interface ServerFacts {
  readonly engine: 'postgresql' | 'mysql'
  /** Version text as the server reports it: `15.4`, `8.0.36`, `10.11.6-MariaDB-0+deb12u1`. */
  readonly version?: string | undefined
  /** PostgreSQL `server_version_num` (150004). */
  readonly versionNum?: number | undefined
  /** `aurora` or `rds` when the server says so; absent when it does not look like either. */
  readonly flavor?: 'aurora' | 'rds' | undefined
  /** Aurora MySQL `aurora_version` (`3.05.2`). */
  readonly auroraVersion?: string | undefined
  /** The account the session runs as: PostgreSQL `current_user`, MySQL `CURRENT_USER()` (`app@%`). */
  readonly user?: string | undefined
  /** PostgreSQL: the installed `rds_tools` version, and the one `CREATE EXTENSION` would install. */
  readonly rdsToolsInstalled?: string | undefined
  readonly rdsToolsAvailable?: string | undefined
}

/**
 * - `missing`: no metadata function or table here (or one too old to have it);
 * - `not-permitted`: it exists, this user may not read it;
 * - `untrusted`: a function of that name exists but was not created by RDS, so it is ignored;
 * - `no-deployment`: the metadata says no deployment exists (Aurora PostgreSQL raises once it is torn down).
 */
export type MetadataProblemKind = 'missing' | 'not-permitted' | 'untrusted' | 'no-deployment'

/**
 * Why the metadata is not readable, as precisely as the server tells.
 *
 * @example
 * ```ts
 * const diagnosis: MetadataDiagnosis = { problem: 'not-permitted', object: 'mysql.rds_topology',
 *   server: { engine: 'mysql', user: 'app@%' } }
 * ```
 */
export interface MetadataDiagnosis {
  readonly problem: MetadataProblemKind
  /** What the library reads: `rds_tools.show_topology`, `pg_catalog.get_blue_green_fast_switchover_metadata`, `mysql.rds_topology`. */
  readonly object?: string | undefined
  readonly server?: ServerFacts | undefined
}

/** `major.minor[.patch]` compared numerically; text that is not a version compares as 0. */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string): number[] =>
    v
      .split(/[^0-9]+/)
      .filter((p) => p !== '')
      .map(Number)
  const [x, y] = [parts(a), parts(b)]
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0)
    if (d !== 0) return d
  }
  return 0
}
