import type { MetadataDiagnosis, ServerFacts } from '../metadata/diagnosis.js'
import { compareVersions } from '../metadata/diagnosis.js'
import type { ArmedCode } from '../types.js'

/**
 * The words of the armed state: why protection is not armed and the exact fix, from what a metadata source or a
 * monitor reported. One place for the library's warning, `getStatus().armed` and `rds-bluegreen check`, so the
 * three always say the same thing (docs/design.md, "Armed"). Pure.
 */

/** A reason and its fix. */
export interface Verdict {
  readonly code: ArmedCode
  readonly reason: string
  readonly fix: string | undefined
}

/**
 * A monitoring fault: a metadata query that raises, a server refusing the monitoring user (both for a user to fix),
 * or a database the monitors cannot reach (a problem only until they first read, as switchovers cut connections).
 */
export interface MonitorFault {
  readonly kind: 'failing' | 'refused' | 'unreachable'
  /** Error code and server message (never the config, so never a password). */
  readonly detail: string
}

/** Aurora PostgreSQL minor versions that have the Blue/Green metadata function, per major version (spec §2.9). */
const AURORA_PG_MINIMUM: Readonly<Record<number, number>> = { 13: 21, 14: 18, 15: 13, 16: 9, 17: 5 }
const AURORA_PG_NEEDS = 'Aurora PostgreSQL 17.5, 16.9, 15.13, 14.18 or 13.21'
/** `rds_tools` 1.7 brings `show_topology`; it ships with these RDS for PostgreSQL versions. */
const RDS_TOOLS_MINIMUM = '1.7'
const RDS_PG_NEEDS = 'rds_tools 1.7 (RDS for PostgreSQL 17.1, 16.5, 15.9, 14.14, 13.17 or 12.21)'
const AURORA_MYSQL_MINIMUM = '3.07'

const FAULT_TEXT: Readonly<Record<MonitorFault['kind'], { what: string; fix: string }>> = {
  failing: {
    what: 'the metadata query fails',
    fix: 'the metadata function or table exists but raises; fix it or remove it',
  },
  refused: {
    what: 'cannot open a monitoring connection',
    fix: 'check the monitoring user, its password and its access to the database (the `monitoring` options)',
  },
  unreachable: {
    what: 'the monitors cannot reach the database',
    fix:
      'check that this process can open connections to the database for its monitors: DNS, network, TLS ' +
      '(the `monitoring` options)',
  },
}

const FAULT_CODE: Readonly<Record<MonitorFault['kind'], ArmedCode>> = {
  failing: 'metadata-failing',
  refused: 'monitoring-refused',
  unreachable: 'unreachable',
}

/**
 * The verdict for a monitoring fault; `MonitorHealth` warns with these very words.
 *
 * @example
 * ```ts
 * explainFault({ kind: 'failing', detail: 'P0001: boom' }).reason // 'the metadata query fails (P0001: boom)'
 * ```
 */
export function explainFault(fault: MonitorFault): Verdict {
  const text = FAULT_TEXT[fault.kind]
  return {
    code: FAULT_CODE[fault.kind],
    reason: `${text.what} (${fault.detail})`,
    fix: text.fix,
  }
}

/**
 * The verdict for metadata that is not readable: the exact cause (extension missing, grant missing, engine too
 * old, ...) and the statement that fixes it, from the source's diagnosis; `reason` is the source's own text,
 * used when there is no diagnosis.
 *
 * @example
 * ```ts
 * explainUnavailable('...', { problem: 'not-permitted', object: 'mysql.rds_topology', server: { engine: 'mysql', user: 'app@%' } }).fix
 * // "GRANT SELECT ON mysql.rds_topology TO 'app'@'%';"
 * ```
 */
export function explainUnavailable(reason: string, diagnosis: MetadataDiagnosis | undefined): Verdict {
  const server = diagnosis?.server
  switch (diagnosis?.problem) {
    case undefined:
      return {
        code: 'no-metadata',
        reason,
        fix:
          'RDS for PostgreSQL: CREATE EXTENSION rds_tools; and grant USAGE and EXECUTE on it; MySQL: GRANT SELECT ' +
          'ON mysql.rds_topology; or create the Blue/Green deployment',
      }
    case 'not-permitted':
      return notPermitted(diagnosis.object, server)
    case 'untrusted':
      return {
        code: 'untrusted-metadata',
        reason,
        fix:
          `remove ${diagnosis.object ?? 'that function'} (RDS did not create it)` +
          (diagnosis.object?.startsWith('rds_tools.') === true
            ? ' and run CREATE EXTENSION rds_tools; as the master user'
            : ''),
      }
    case 'no-deployment':
      return noDeployment()
    case 'missing':
      return server?.engine === 'mysql' ? mysqlMissing(server) : pgMissing(server)
  }
}

/**
 * The metadata is readable and names no deployment.
 *
 * @example
 * ```ts
 * noDeployment().reason // 'no Blue/Green deployment exists for this database'
 * ```
 */
export function noDeployment(): Verdict {
  return {
    code: 'no-deployment',
    reason: 'no Blue/Green deployment exists for this database',
    fix:
      'create the Blue/Green deployment; RDS publishes its metadata once the deployment is available (this can ' +
      'take a while) and protection arms itself then, without a restart',
  }
}

/**
 * The same verdict, found by the green side's monitor (on the green instance).
 *
 * @example
 * ```ts
 * onGreen(verdict, 'mydb-green-x7k2p9.c9akciq32.us-east-1.rds.amazonaws.com')
 * ```
 */
export function onGreen(verdict: Verdict, host: string | undefined): Verdict {
  const where = host === undefined ? 'the green instance' : `the green instance ${host}`
  const fix =
    verdict.code === 'not-permitted' && verdict.fix !== undefined
      ? `${verdict.fix} Run it on ${where} too: grants given on blue after the deployment was created do not reach green.`
      : verdict.fix
  return { ...verdict, reason: `on ${where}: ${verdict.reason}`, fix }
}

function notPermitted(object: string | undefined, server: ServerFacts | undefined): Verdict {
  const user = server?.user
  if (server?.engine === 'mysql' || object === 'mysql.rds_topology') {
    const account = mysqlAccount(user)
    return {
      code: 'not-permitted',
      reason:
        `mysql.rds_topology is not readable by ${account} (MySQL tells a user without the privilege no more, ` +
        'not even whether the table exists)',
      fix: `GRANT SELECT ON mysql.rds_topology TO ${account};`,
    }
  }
  const role = pgIdentifier(user)
  if (object === 'pg_catalog.get_blue_green_fast_switchover_metadata') {
    return {
      code: 'not-permitted',
      reason: `${role} may not execute ${object}`,
      fix: `GRANT EXECUTE ON FUNCTION ${object}(text) TO ${role};`,
    }
  }
  return {
    code: 'not-permitted',
    reason: `${role} may not execute rds_tools.show_topology (no USAGE on schema rds_tools or no EXECUTE on it)`,
    fix: `GRANT USAGE ON SCHEMA rds_tools TO ${role}; GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA rds_tools TO ${role};`,
  }
}

function pgMissing(server: ServerFacts | undefined): Verdict {
  const version = server?.version === undefined ? '' : ` ${server.version}`
  if (server?.flavor === 'aurora') {
    const num = server.versionNum ?? 0
    const major = Math.floor(num / 10_000)
    const minimum = AURORA_PG_MINIMUM[major]
    if (num > 0 && (minimum === undefined ? major < 17 : num % 10_000 < minimum)) {
      return tooOld(`Aurora PostgreSQL${version}`, AURORA_PG_NEEDS)
    }
    return {
      code: 'no-metadata',
      reason: `no Blue/Green metadata function on this server: pg_catalog.get_blue_green_fast_switchover_metadata is missing on Aurora PostgreSQL${version}`,
      fix: `upgrade the cluster to ${AURORA_PG_NEEDS} or later`,
    }
  }
  const installed = server?.rdsToolsInstalled
  const available = server?.rdsToolsAvailable
  const old = (v: string | undefined): boolean => v !== undefined && compareVersions(v, RDS_TOOLS_MINIMUM) < 0
  if (installed !== undefined) {
    if (old(available)) return tooOld(`rds_tools ${installed} on PostgreSQL${version}`, RDS_PG_NEEDS)
    return {
      code: 'extension-outdated',
      reason: `rds_tools ${installed} is installed but has no show_topology (needs ${RDS_TOOLS_MINIMUM} or later)`,
      fix: 'ALTER EXTENSION rds_tools UPDATE;',
    }
  }
  if (old(available)) return tooOld(`rds_tools ${available ?? ''} on PostgreSQL${version}`, RDS_PG_NEEDS)
  const where =
    available === undefined && server?.flavor !== 'rds'
      ? ' (nor available on this server: it does not look like RDS for PostgreSQL)'
      : ''
  return {
    code: 'no-metadata',
    reason: `no Blue/Green metadata function on this server: the rds_tools extension is not installed in this database${where}`,
    fix: 'CREATE EXTENSION rds_tools;',
  }
}

function mysqlMissing(server: ServerFacts): Verdict {
  const aurora = server.auroraVersion
  if (aurora !== undefined && compareVersions(aurora, AURORA_MYSQL_MINIMUM) < 0) {
    return tooOld(`Aurora MySQL ${aurora}`, `Aurora MySQL ${AURORA_MYSQL_MINIMUM}`)
  }
  return {
    code: 'no-metadata',
    reason: 'no Blue/Green metadata: mysql.rds_topology does not exist on this server',
    fix:
      'no Blue/Green deployment exists for this database: create one (RDS for MySQL, or Aurora MySQL ' +
      `${AURORA_MYSQL_MINIMUM} or later); RDS creates mysql.rds_topology with it`,
  }
}

function tooOld(what: string, needs: string): Verdict {
  return {
    code: 'engine-too-old',
    reason: `engine version too old: ${what} has no Blue/Green metadata; needs ${needs}`,
    fix: `upgrade to ${needs} or later`,
  }
}

/** A PostgreSQL role name as SQL: quoted unless it is a plain lower-case identifier. */
function pgIdentifier(user: string | undefined): string {
  if (user === undefined || user === '') return '<user>'
  return /^[a-z_][a-z0-9_$]*$/.test(user) ? user : `"${user.replaceAll('"', '""')}"`
}

/** `app@%` (CURRENT_USER()) as `'app'@'%'`. */
function mysqlAccount(user: string | undefined): string {
  if (user === undefined || user === '') return "'<user>'@'<host>'"
  const at = user.lastIndexOf('@')
  const [name, host] = at < 0 ? [user, '%'] : [user.slice(0, at), user.slice(at + 1)]
  const quote = (text: string): string => `'${text.replaceAll("'", "''")}'`
  return `${quote(name)}@${quote(host)}`
}
