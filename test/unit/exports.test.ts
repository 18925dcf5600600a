import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ENTRY_SOURCES, entryExports } from '../helpers/entry-exports.js'
import type { Entry } from '../helpers/entry-exports.js'

/**
 * The export list of every entry point, pinned: adding, renaming or removing a name is a deliberate change of
 * this file (and for the root entry, of README's "API" section).
 */
const PINNED: Record<Entry, { values: string[]; types: string[] }> = {
  '.': {
    values: [
      'BlueGreenConfigError',
      'BlueGreenConnectRejectedError',
      'BlueGreenCorrespondingHostNotFoundError',
      'BlueGreenError',
      'BlueGreenHoldAbortedError',
      'BlueGreenReadOnlyError',
      'BlueGreenSwitchoverTimeoutError',
      'BlueGreenTransactionInterruptedError',
      'CHANNELS',
      'PHASES',
      'formatSwitchoverSummary',
      'getStatus',
      'isActivePhase',
      'isBlueGreenError',
    ],
    types: [
      'BlueGreenErrorCode',
      'BlueGreenOptions',
      'BlueGreenSnapshot',
      'EvictEvent',
      'HoldEvent',
      'Logger',
      'Phase',
      'PhaseEvent',
      'RejectEvent',
      'Role',
      'SubstituteEvent',
      'SummaryRow',
      'SwitchoverSummaryInput',
    ],
  },
  './internal': {
    values: [
      'AURORA_MYSQL_TOPOLOGY_SQL',
      'AURORA_PG_STATUS_SQL',
      'AURORA_PG_TOPOLOGY_SQL',
      'BlueGreenConfigError',
      'BlueGreenConnectRejectedError',
      'BlueGreenCorrespondingHostNotFoundError',
      'BlueGreenError',
      'BlueGreenHoldAbortedError',
      'BlueGreenReadOnlyError',
      'BlueGreenSwitchoverTimeoutError',
      'BlueGreenTransactionInterruptedError',
      'CHANNELS',
      'CLIENT_ID',
      'Coordinator',
      'DEFAULT_OPTIONS',
      'DELETION_DEBOUNCE_MS',
      'LIBRARY_VERSION',
      'MYSQL_AURORA_CHECK_SQL',
      'MYSQL_EXISTS_SQL',
      'MYSQL_STATUS_SQL',
      'PG_CATALOG_SQL',
      'PHASES',
      'PHASE_ORDER',
      'RDS_PG_STATUS_SQL',
      'ROLES',
      'acquireDeployment',
      'activeDeployments',
      'classifyStatusError',
      'consoleLogger',
      'decideConnect',
      'decideExecute',
      'deriveSidePhase',
      'formatReadinessLog',
      'formatSwitchoverSummary',
      'getStatus',
      'holdExecute',
      'initialState',
      'instanceHostFromId',
      'isActivePhase',
      'isBlueGreenError',
      'isCustomClusterHost',
      'isGreenHost',
      'isIpAddress',
      'isOldHost',
      'isRdsInstance',
      'isReaderClusterHost',
      'isSwitchoverRunning',
      'isWriterClusterHost',
      'lookupResolver',
      'mysqlMetadataExists',
      'optionsFromConfig',
      'parseRdsHost',
      'parseRows',
      'parseTopologyRows',
      'pgDialectFromCatalogRow',
      'phaseAtLeast',
      'publishEvict',
      'publishHoldEnd',
      'publishHoldStart',
      'publishPhase',
      'publishReject',
      'publishSubstitute',
      'rdsClusterId',
      'readerClusterHostFor',
      'reduce',
      'removeGreenPrefix',
      'resolveOptions',
      'roleOf',
      'routeConnect',
      'silentLogger',
      'statusQuery',
      'summarize',
      'systemClock',
      'warnOnce',
      'withoutBlueGreenKeys',
    ],
    types: [
      'BlueGreenErrorCode',
      'BlueGreenOptions',
      'BlueGreenSnapshot',
      'Clock',
      'ConnectDecision',
      'ConnectRoute',
      'ConnectTarget',
      'CoordinatorConfig',
      'CoordinatorDeps',
      'CoordinatorEffect',
      'CoordinatorEvent',
      'CoordinatorState',
      'Cycle',
      'DeploymentHandle',
      'DeploymentInit',
      'DialDecision',
      'EvictEvent',
      'ExecuteContext',
      'ExecuteDecision',
      'ExecuteKind',
      'ExecuteRoute',
      'HoldEvent',
      'HostPair',
      'HostRole',
      'Instant',
      'InterimStatus',
      'Logger',
      'LookupFunction',
      'MetadataConnection',
      'MetadataDialect',
      'MetadataRow',
      'MetadataSource',
      'MonitoringTarget',
      'PgCatalogCheck',
      'Phase',
      'PhaseEvent',
      'RawMetadataRow',
      'RawTopologyRow',
      'RdsHost',
      'RdsHostKind',
      'ReadinessLogInput',
      'RejectEvent',
      'ResolvedOptions',
      'Resolver',
      'Role',
      'RouteMatch',
      'SnapshotSource',
      'SqlStatement',
      'StatusErrorKind',
      'StatusReadResult',
      'SubstituteEvent',
      'Summary',
      'SummaryInput',
      'SummaryRow',
      'SwitchoverSummaryInput',
      'TimelineEntry',
      'TimelineEvent',
      'TopologyHost',
      'Transition',
    ],
  },
  './pg': {
    values: ['BlueGreenPgClient', 'BlueGreenPgPool', 'default', 'pgMetadataSource', 'pgModule'],
    types: ['BlueGreenPgClientConfig', 'BlueGreenPgModule', 'BlueGreenPgPoolConfig', 'BlueGreenSettings'],
  },
  './mysql2': {
    values: [
      'Connection',
      'createConnection',
      'createPool',
      'createPromiseConnection',
      'createPromisePool',
      'default',
      'mysqlMetadataSource',
      'mysqlModule',
      'promise',
    ],
    types: [
      'BlueGreenMysqlConnectionConfig',
      'BlueGreenMysqlModule',
      'BlueGreenMysqlPoolConfig',
      'BlueGreenMysqlPromise',
      'BlueGreenSettings',
      'Pool',
    ],
  },
  './knex': {
    values: ['AwsBgMysql', 'AwsBgPg'],
    types: ['BlueGreenKnexConfig', 'BlueGreenSettings'],
  },
  './prisma': {
    values: [
      'PrismaBlueGreenMysql',
      'PrismaBlueGreenPg',
      'PrismaMysqlAdapter',
      'blueGreenCodeOf',
      'blueGreenErrorPayload',
      'supportsRelationJoins',
    ],
    types: [
      'BlueGreenSettings',
      'MysqlField',
      'MysqlPool',
      'MysqlPoolConnection',
      'MysqlQueryable',
      'PrismaBlueGreenMysqlOptions',
      'PrismaBlueGreenPgOptions',
    ],
  },
  './typeorm': {
    values: ['blueGreenDataSourceOptions'],
    types: ['BlueGreenDataSourceInput', 'BlueGreenSettings'],
  },
  './drizzle': {
    values: ['drizzleMysql', 'drizzlePg'],
    types: [
      'BlueGreenDrizzleMysqlConfig',
      'BlueGreenDrizzlePgConfig',
      'BlueGreenMysqlDatabase',
      'BlueGreenNodePgDatabase',
      'BlueGreenSettings',
    ],
  },
  './sequelize': {
    values: ['blueGreenSequelizeOptions', 'sequelizeMysqlModule', 'sequelizePgModule'],
    types: ['BlueGreenSequelizeInput', 'BlueGreenSequelizeSettings'],
  },
  './kysely': {
    values: ['blueGreenMysqlDialect', 'blueGreenPostgresDialect'],
    types: ['BlueGreenMysqlDialectConfig', 'BlueGreenPostgresDialectConfig'],
  },
  './mikro-orm': {
    values: ['blueGreenPgDriverOptions'],
    types: ['BlueGreenMikroOrmDriverOptions', 'BlueGreenMikroOrmSettings'],
  },
}

const actual = entryExports()

describe('entry points', () => {
  it('package.json exports exactly the pinned entries', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { exports: Record<string, unknown> }
    expect(Object.keys(pkg.exports).filter((k) => k !== './package.json')).toEqual(Object.keys(ENTRY_SOURCES))
  })

  it.each(Object.keys(ENTRY_SOURCES) as Entry[])('%s exports exactly the pinned names', (entry) => {
    expect(actual[entry]).toEqual(PINNED[entry])
  })

  it("README's API section lists exactly the root names", () => {
    const readme = readFileSync('README.md', 'utf8')
    const section = /\n## API\n([\s\S]*?)\n## /.exec(readme)?.[1] ?? ''
    const listed = [...section.matchAll(/^- `([A-Za-z]+)`/gm)].map((m) => m[1]).sort()
    expect(listed).toEqual([...PINNED['.'].values, ...PINNED['.'].types].sort())
  })

  it('the runtime module matches the checker: every value of the root is there, and nothing else', async () => {
    const root = (await import('../../core/index.js')) as Record<string, unknown>
    expect(Object.keys(root).sort()).toEqual(PINNED['.'].values)
  })
})
