import { describe, expect, it } from 'vitest'
import type { MetadataDiagnosis } from '../../core/metadata/diagnosis.js'
import { problemOfError, mysqlServerFacts, pgServerFacts } from '../../core/metadata/server-facts.js'
import { explainFault, explainUnavailable, onGreen } from '../../core/status/armed-reasons.js'
import type { ArmedCode } from '../../core/types.js'

/** The reason and the fix of every way metadata can be unreadable: what the WARN and `check` print. */
const CASES: readonly [string, MetadataDiagnosis | undefined, ArmedCode, RegExp, string | RegExp][] = [
  [
    'plain PostgreSQL, no rds_tools anywhere',
    { problem: 'missing', server: { engine: 'postgresql', version: '15.4', versionNum: 150004 } },
    'no-metadata',
    /no Blue\/Green metadata function.*rds_tools extension is not installed.*does not look like RDS/,
    'CREATE EXTENSION rds_tools;',
  ],
  [
    'RDS PostgreSQL, rds_tools available, not installed',
    { problem: 'missing', server: { engine: 'postgresql', flavor: 'rds', rdsToolsAvailable: '1.9' } },
    'no-metadata',
    /rds_tools extension is not installed in this database$/,
    'CREATE EXTENSION rds_tools;',
  ],
  [
    'RDS PostgreSQL whose rds_tools predates show_topology',
    { problem: 'missing', server: { engine: 'postgresql', flavor: 'rds', rdsToolsAvailable: '1.6' } },
    'engine-too-old',
    /^engine version too old: .*needs rds_tools 1\.7 \(RDS for PostgreSQL 17\.1, 16\.5/,
    /^upgrade to rds_tools 1\.7/,
  ],
  [
    'RDS PostgreSQL with an old rds_tools installed and a newer one available',
    {
      problem: 'missing',
      server: { engine: 'postgresql', flavor: 'rds', rdsToolsInstalled: '1.5', rdsToolsAvailable: '1.9' },
    },
    'extension-outdated',
    /rds_tools 1\.5 is installed but has no show_topology/,
    'ALTER EXTENSION rds_tools UPDATE;',
  ],
  [
    'Aurora PostgreSQL 15.4',
    {
      problem: 'missing',
      server: { engine: 'postgresql', flavor: 'aurora', version: '15.4', versionNum: 150004 },
    },
    'engine-too-old',
    /^engine version too old: Aurora PostgreSQL 15\.4 has no Blue\/Green metadata; needs Aurora PostgreSQL 17\.5, 16\.9, 15\.13/,
    /^upgrade to Aurora PostgreSQL 17\.5/,
  ],
  [
    'RDS PostgreSQL, the application user without the grants',
    {
      problem: 'not-permitted',
      object: 'rds_tools.show_topology',
      server: { engine: 'postgresql', user: 'app' },
    },
    'not-permitted',
    /^app may not execute rds_tools\.show_topology/,
    'GRANT USAGE ON SCHEMA rds_tools TO app; GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA rds_tools TO app;',
  ],
  [
    'a role name that needs quoting',
    {
      problem: 'not-permitted',
      object: 'rds_tools.show_topology',
      server: { engine: 'postgresql', user: 'Ops "x"' },
    },
    'not-permitted',
    /^"Ops ""x""" may not/,
    'GRANT USAGE ON SCHEMA rds_tools TO "Ops ""x"""; GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA rds_tools TO "Ops ""x""";',
  ],
  [
    'Aurora PostgreSQL, EXECUTE revoked',
    {
      problem: 'not-permitted',
      object: 'pg_catalog.get_blue_green_fast_switchover_metadata',
      server: { engine: 'postgresql', user: 'app' },
    },
    'not-permitted',
    /app may not execute pg_catalog\.get_blue_green_fast_switchover_metadata/,
    'GRANT EXECUTE ON FUNCTION pg_catalog.get_blue_green_fast_switchover_metadata(text) TO app;',
  ],
  [
    'MySQL, the application user without SELECT',
    {
      problem: 'not-permitted',
      object: 'mysql.rds_topology',
      server: { engine: 'mysql', user: "o'neil@10.%" },
    },
    'not-permitted',
    /^mysql\.rds_topology is not readable by 'o''neil'@'10\.%'/,
    "GRANT SELECT ON mysql.rds_topology TO 'o''neil'@'10.%';",
  ],
  [
    'MySQL without the table',
    {
      problem: 'missing',
      object: 'mysql.rds_topology',
      server: { engine: 'mysql', version: '10.11.6-MariaDB' },
    },
    'no-metadata',
    /^no Blue\/Green metadata: mysql\.rds_topology does not exist/,
    /^no Blue\/Green deployment exists for this database: create one/,
  ],
  [
    'Aurora MySQL 3.05',
    { problem: 'missing', server: { engine: 'mysql', flavor: 'aurora', auroraVersion: '3.05.2' } },
    'engine-too-old',
    /Aurora MySQL 3\.05\.2 has no Blue\/Green metadata; needs Aurora MySQL 3\.07/,
    'upgrade to Aurora MySQL 3.07 or later',
  ],
  [
    'a function someone planted',
    { problem: 'untrusted', object: 'rds_tools.show_topology' },
    'untrusted-metadata',
    /^source text$/,
    'remove rds_tools.show_topology (RDS did not create it) and run CREATE EXTENSION rds_tools; as the master user',
  ],
  [
    'Aurora PostgreSQL after the deployment was deleted',
    { problem: 'no-deployment' },
    'no-deployment',
    /^no Blue\/Green deployment exists for this database$/,
    /^create the Blue\/Green deployment/,
  ],
  [
    'a source that says nothing more',
    undefined,
    'no-metadata',
    /^source text$/,
    /CREATE EXTENSION rds_tools;/,
  ],
]

describe('explainUnavailable: the exact reason and fix', () => {
  it.each(CASES)('%s', (_, diagnosis, code, reason, fix) => {
    const verdict = explainUnavailable('source text', diagnosis)
    expect(verdict.code).toBe(code)
    expect(verdict.reason).toMatch(reason)
    if (typeof fix === 'string') expect(verdict.fix).toBe(fix)
    else expect(verdict.fix).toMatch(fix)
  })

  it('found on the green instance: the reason says where, a grant must be run there too', () => {
    const blue = explainUnavailable('', {
      problem: 'not-permitted',
      object: 'mysql.rds_topology',
      server: { engine: 'mysql', user: 'app@%' },
    })
    const green = onGreen(blue, 'mydb-green-x7k2p9.c9akciq32.us-east-1.rds.amazonaws.com')
    expect(green.reason).toMatch(/^on the green instance mydb-green-x7k2p9\.\S+: mysql\.rds_topology/)
    expect(green.fix).toMatch(
      /^GRANT SELECT ON mysql\.rds_topology TO 'app'@'%'; Run it on the green instance/,
    )
  })

  it('monitoring faults use the words of the monitor-health warning', () => {
    expect(explainFault({ kind: 'failing', detail: 'P0001: boom' })).toEqual({
      code: 'metadata-failing',
      reason: 'the metadata query fails (P0001: boom)',
      fix: 'the metadata function or table exists but raises; fix it or remove it',
    })
    expect(explainFault({ kind: 'refused', detail: '28P01: password authentication failed' }).code).toBe(
      'monitoring-refused',
    )
  })
})

describe('server facts and errors', () => {
  it('reads the PostgreSQL description: RDS, Aurora, or neither', () => {
    const row = { user_name: 'app', version: '15.4', version_num: '150004', aurora: false }
    expect(pgServerFacts({ ...row, rds_extensions: null })).toEqual({
      engine: 'postgresql',
      user: 'app',
      version: '15.4',
      versionNum: 150004,
    })
    expect(pgServerFacts({ ...row, rds_extensions: 'rds_tools,pg_stat_statements' }).flavor).toBe('rds')
    expect(pgServerFacts({ ...row, rds_extensions: 'aurora_stat_utils,rds_tools' }).flavor).toBe('aurora')
    expect(pgServerFacts({ ...row, aurora: 't' }).flavor).toBe('aurora')
  })

  it('reads the MySQL description: Aurora by aurora_version, RDS by its install folder', () => {
    const row = { user_name: 'app@%', version: '8.0.36', basedir: '/usr/' }
    expect(mysqlServerFacts(row, [])).toEqual({ engine: 'mysql', user: 'app@%', version: '8.0.36' })
    expect(mysqlServerFacts({ ...row, basedir: '/rdsdbbin/mysql-8.0.36/' }, []).flavor).toBe('rds')
    const aurora = mysqlServerFacts(row, [{ Variable_name: 'aurora_version', Value: '3.07.1' }])
    expect(aurora).toMatchObject({ flavor: 'aurora', auroraVersion: '3.07.1' })
  })

  it.each([
    [
      { errno: 1146, code: 'ER_NO_SUCH_TABLE', message: "Table 'mysql.rds_topology' doesn't exist" },
      'missing',
    ],
    [{ errno: 1142, code: 'ER_TABLEACCESS_DENIED_ERROR', message: 'SELECT command denied' }, 'not-permitted'],
    [{ code: '42501', message: 'permission denied for function show_topology' }, 'not-permitted'],
    [{ code: '42883', message: 'function rds_tools.show_topology(text) does not exist' }, 'missing'],
    [
      { code: 'XX000', message: 'An error occured while retrieving the blue/green fast switchover metadata' },
      'no-deployment',
    ],
    [{ code: '57014', message: 'canceling statement due to statement timeout' }, undefined],
  ])('problemOfError(%o) is %s', (err, problem) => {
    expect(problemOfError(err)).toBe(problem)
  })
})
