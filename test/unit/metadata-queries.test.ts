import { readFileSync } from 'node:fs'

import pg from 'pg'
import { describe, expect, it } from 'vitest'

import { classifyStatusError } from '../../core/metadata/errors.js'
import {
  AURORA_MYSQL_TOPOLOGY_SQL,
  AURORA_PG_STATUS_SQL,
  AURORA_PG_TOPOLOGY_SQL,
  CLIENT_ID,
  LIBRARY_VERSION,
  MYSQL_AURORA_CHECK_SQL,
  MYSQL_EXISTS_SQL,
  MYSQL_STATUS_SQL,
  PG_CATALOG_SQL,
  RDS_PG_STATUS_SQL,
  mysqlMetadataExists,
  parseTopologyRows,
  pgDialectFromCatalogRow,
  statusQuery,
} from '../../core/metadata/queries.js'

const ALL_SQL = [
  PG_CATALOG_SQL,
  MYSQL_EXISTS_SQL,
  AURORA_PG_STATUS_SQL,
  RDS_PG_STATUS_SQL,
  MYSQL_STATUS_SQL,
  AURORA_PG_TOPOLOGY_SQL,
  MYSQL_AURORA_CHECK_SQL,
  AURORA_MYSQL_TOPOLOGY_SQL,
]

describe('client id', () => {
  it('follows package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string
    }
    expect(LIBRARY_VERSION).toBe(pkg.version)
    expect(CLIENT_ID).toBe(`rds_bluegreen-${pkg.version}`)
  })
})

describe('SQL shapes', () => {
  it.each(ALL_SQL)('never casts to regproc and has no trailing semicolon: %s', (sql) => {
    expect(sql).not.toMatch(/regproc/i)
    expect(sql.trim()).not.toMatch(/;$/)
  })

  it('looks both PG functions up in the catalog with privileges', () => {
    expect(PG_CATALOG_SQL).toContain('pg_catalog.pg_proc')
    expect(PG_CATALOG_SQL).toContain('pg_catalog.pg_namespace')
    for (const name of [
      'get_blue_green_fast_switchover_metadata',
      'show_topology',
      'aurora_replica_status',
    ]) {
      expect(PG_CATALOG_SQL).toContain(`'${name}'`)
    }
    expect(PG_CATALOG_SQL).toContain("'rds_tools'")
    expect(PG_CATALOG_SQL).toContain("has_function_privilege(p.oid, 'EXECUTE')")
    for (const column of [
      'aurora_pg',
      'aurora_pg_callable',
      'rds_pg',
      'rds_pg_callable',
      'aurora_pg_trusted',
      'rds_pg_trusted',
      'aurora_topology',
    ]) {
      expect(PG_CATALOG_SQL).toMatch(new RegExp(`AS ${column}\\b`))
    }
  })

  it('passes the client id as a parameter to both PG functions', () => {
    expect(statusQuery('aurora-pg')).toEqual({
      sql: 'SELECT * FROM pg_catalog.get_blue_green_fast_switchover_metadata($1)',
      params: [CLIENT_ID],
    })
    expect(statusQuery('rds-pg')).toEqual({
      sql: 'SELECT * FROM rds_tools.show_topology($1)',
      params: [CLIENT_ID],
    })
  })

  it('reads the MySQL table without parameters', () => {
    expect(statusQuery('mysql')).toEqual({ sql: 'SELECT * FROM mysql.rds_topology', params: [] })
    expect(MYSQL_EXISTS_SQL).toBe(
      "SELECT 1 AS tmp FROM information_schema.tables WHERE table_schema = 'mysql' AND table_name = 'rds_topology'",
    )
  })

  it('topology queries return server_id and is_writer', () => {
    expect(AURORA_PG_TOPOLOGY_SQL).toContain('pg_catalog.aurora_replica_status()')
    expect(AURORA_MYSQL_TOPOLOGY_SQL).toContain('information_schema.replica_host_status')
    for (const sql of [AURORA_PG_TOPOLOGY_SQL, AURORA_MYSQL_TOPOLOGY_SQL]) {
      expect(sql).toMatch(/server_id/)
      expect(sql).toMatch(/AS is_writer/)
      expect(sql).toContain("'MASTER_SESSION_ID'")
    }
  })

  it('has balanced parentheses and quotes', () => {
    for (const sql of ALL_SQL) {
      expect(sql.split('(').length).toBe(sql.split(')').length)
      expect(sql.split("'").length % 2).toBe(1)
    }
  })
})

describe('pgDialectFromCatalogRow', () => {
  const row = (flags: Partial<Record<string, unknown>>): Record<string, unknown> => ({
    aurora_pg: false,
    aurora_pg_callable: false,
    rds_pg: false,
    rds_pg_callable: false,
    aurora_topology: false,
    ...flags,
  })

  it('detects Aurora PG, with topology', () => {
    expect(
      pgDialectFromCatalogRow(
        row({ aurora_pg: true, aurora_pg_callable: true, aurora_pg_trusted: true, aurora_topology: true }),
      ),
    ).toEqual({
      available: true,
      dialect: 'aurora-pg',
      auroraTopology: true,
    })
  })

  it('detects RDS PG', () => {
    expect(pgDialectFromCatalogRow(row({ rds_pg: 't', rds_pg_callable: 't', rds_pg_trusted: 't' }))).toEqual({
      available: true,
      dialect: 'rds-pg',
      auroraTopology: false,
    })
  })

  it('prefers the Aurora function when both are callable', () => {
    const check = pgDialectFromCatalogRow(row({ aurora_pg_trusted: true, rds_pg_trusted: true }))
    expect(check).toMatchObject({ available: true, dialect: 'aurora-pg' })
  })

  it.each([
    [row({ rds_pg: true }), /rds_tools.show_topology exists but this user may not execute it.*GRANT USAGE/],
    [
      row({ aurora_pg: 't' }),
      /get_blue_green_fast_switchover_metadata exists but this user may not execute it/,
    ],
    [
      row({ rds_pg: true, rds_pg_callable: true }),
      /show_topology is ignored: it is not owned by a superuser/,
    ],
    [
      row({ aurora_pg: true, aurora_pg_callable: 't' }),
      /metadata is ignored: it is not owned by a superuser/,
    ],
    [row({}), /no Blue\/Green metadata function/],
    [row({ rds_pg: 'f', rds_pg_callable: 'f' }), /no Blue\/Green metadata function/],
    [undefined, /no Blue\/Green metadata function/],
    ['garbage', /no Blue\/Green metadata function/],
  ])('reports unavailable metadata with a reason (%#)', (input, reason) => {
    const check = pgDialectFromCatalogRow(input)
    expect(check.available).toBe(false)
    expect(check.available === false && check.reason).toMatch(reason)
  })

  it('reads column names case-insensitively', () => {
    expect(pgDialectFromCatalogRow({ RDS_PG_TRUSTED: true, AURORA_TOPOLOGY: 't' })).toEqual({
      available: true,
      dialect: 'rds-pg',
      auroraTopology: true,
    })
  })
})

describe('mysqlMetadataExists', () => {
  it('is true only with a row', () => {
    expect(mysqlMetadataExists([{ tmp: 1 }])).toBe(true)
    expect(mysqlMetadataExists([])).toBe(false)
  })
})

describe('parseTopologyRows', () => {
  it('reads PG and MySQL shapes', () => {
    expect(
      parseTopologyRows([
        { server_id: 'DB-1', is_writer: true },
        { server_id: 'db-2', is_writer: false },
        { SERVER_ID: ' db-3-green-abc123 ', IS_WRITER: 1 },
        { server_id: 'db-4', is_writer: 0 },
        { server_id: 'db-5', is_writer: '1' },
        { server_id: 'db-6', is_writer: 1n },
        { server_id: 'db-7' },
      ]),
    ).toEqual([
      { id: 'db-1', role: 'WRITER' },
      { id: 'db-2', role: 'READER' },
      { id: 'db-3-green-abc123', role: 'WRITER' },
      { id: 'db-4', role: 'READER' },
      { id: 'db-5', role: 'WRITER' },
      { id: 'db-6', role: 'WRITER' },
      { id: 'db-7', role: 'READER' },
    ])
  })

  it('drops rows without a usable id', () => {
    expect(
      parseTopologyRows([null, 'x', {}, { server_id: '' }, { server_id: 12 }, { server_id: '  ' }]),
    ).toEqual([])
  })
})

// core/metadata/errors.ts: classification of failed existence and status queries (spec §2.8).

/** A `pg` server error exactly as node-postgres builds it (`code` is the SQLSTATE). */
function pgError(code: string, message: string): Error {
  const err = new pg.DatabaseError(message, message.length, 'error')
  err.code = code
  err.severity = 'ERROR'
  return err
}

/** A mysql2 server or protocol error: `errno`, `code`, `sqlState`, `fatal`. */
function mysqlError(
  fields: { errno?: number; code: string; sqlState?: string; fatal?: boolean },
  message: string,
) {
  return Object.assign(new Error(message), { sqlMessage: message, ...fields })
}

/** A Node socket error (negative errno, `syscall`). */
function systemError(code: string, errno: number, syscall = 'read'): Error {
  return Object.assign(new Error(`${syscall} ${code}`), { code, errno, syscall })
}

describe('classifyStatusError: not-created', () => {
  it.each([
    [
      'Aurora PG torn down (AWS spelling)',
      pgError('XX000', 'An error occured while retrieving the blue/green fast switchover metadata'),
    ],
    [
      'Aurora PG torn down (correct spelling)',
      pgError('P0001', 'ERROR: an error occurred while retrieving the Blue/Green fast switchover metadata.'),
    ],
    [
      'PG undefined function',
      pgError('42883', 'function pg_catalog.get_blue_green_fast_switchover_metadata(unknown) does not exist'),
    ],
    ['PG permission denied for schema', pgError('42501', 'permission denied for schema rds_tools')],
    [
      'PG syntax error',
      pgError('42601', 'syntax error at or near "\'get_blue_green_fast_switchover_metadata\'"'),
    ],
    ['PG undefined table', pgError('42P01', 'relation "rds_tools.x" does not exist')],
    ['PG ambiguous function', pgError('42725', 'more than one function named "rds_tools.show_topology"')],
    ['PG missing schema', pgError('3F000', 'schema "rds_tools" does not exist')],
    [
      'MySQL no such table',
      mysqlError(
        { errno: 1146, code: 'ER_NO_SUCH_TABLE', sqlState: '42S02' },
        "Table 'mysql.rds_topology' doesn't exist",
      ),
    ],
    [
      'MySQL table access denied',
      mysqlError(
        { errno: 1142, code: 'ER_TABLEACCESS_DENIED_ERROR', sqlState: '42000' },
        "SELECT command denied to user 'app'@'%' for table 'rds_topology'",
      ),
    ],
    [
      'MySQL syntax error',
      mysqlError(
        { errno: 1064, code: 'ER_PARSE_ERROR', sqlState: '42000' },
        'You have an error in your SQL syntax',
      ),
    ],
    [
      'MySQL database access denied',
      mysqlError(
        { errno: 1044, code: 'ER_DBACCESS_DENIED_ERROR', sqlState: '42000' },
        "Access denied for user 'app'@'%' to database 'mysql'",
      ),
    ],
    [
      'MySQL 1045 naming a table',
      mysqlError(
        { errno: 1045, code: 'ER_ACCESS_DENIED_ERROR', sqlState: '28000' },
        "Access denied for user 'app'@'%' for table 'rds_topology'",
      ),
    ],
    [
      'an error wrapped by a caller',
      new Error('status read failed', { cause: pgError('42883', 'function does not exist') }),
    ],
    ['a plain string', 'An error occured while retrieving the blue/green fast switchover metadata'],
  ])('%s', (_label, err) => {
    expect(classifyStatusError(err)).toBe('not-created')
  })
})

describe('classifyStatusError: connection', () => {
  const aggregate = Object.assign(
    new AggregateError([
      systemError('ECONNREFUSED', -111, 'connect'),
      systemError('ECONNREFUSED', -111, 'connect'),
    ]),
    { code: 'ECONNREFUSED' },
  )
  it.each([
    ['ECONNRESET', systemError('ECONNRESET', -104)],
    ['ECONNREFUSED', systemError('ECONNREFUSED', -111, 'connect')],
    ['ETIMEDOUT', systemError('ETIMEDOUT', -110, 'connect')],
    ['EPIPE', systemError('EPIPE', -32, 'write')],
    ['ENOTFOUND', systemError('ENOTFOUND', -3008, 'getaddrinfo')],
    ['EAI_AGAIN', systemError('EAI_AGAIN', -3001, 'getaddrinfo')],
    ['EHOSTUNREACH', systemError('EHOSTUNREACH', -113, 'connect')],
    ['ENETUNREACH', systemError('ENETUNREACH', -101, 'connect')],
    ['AggregateError of connect attempts', aggregate],
    ['AggregateError without its own code', new AggregateError([systemError('ETIMEDOUT', -110, 'connect')])],
    ['pg: Connection terminated unexpectedly', new Error('Connection terminated unexpectedly')],
    ['pg: Connection terminated', new Error('Connection terminated')],
    ['pg: not queryable', new Error('Client has encountered a connection error and is not queryable')],
    ['pg: connect timeout', new Error('timeout expired')],
    ['pg: query_timeout', new Error('Query read timeout')],
    ['PG class 08', pgError('08006', 'connection failure')],
    ['PG 57P01 admin shutdown', pgError('57P01', 'terminating connection due to administrator command')],
    [
      'PG 57P02 crash shutdown',
      pgError('57P02', 'terminating connection because of crash of another server process'),
    ],
    ['PG 57P03 cannot connect now', pgError('57P03', 'the database system is starting up')],
    [
      'mysql2 connection lost',
      mysqlError(
        { code: 'PROTOCOL_CONNECTION_LOST', fatal: true },
        'Connection lost: The server closed the connection.',
      ),
    ],
    [
      'mysql2 fatal socket error',
      mysqlError({ errno: -104, code: 'ECONNRESET', fatal: true }, 'read ECONNRESET'),
    ],
    [
      'mysql2 fatal server error',
      mysqlError(
        { errno: 1053, code: 'ER_SERVER_SHUTDOWN', sqlState: '08S01', fatal: true },
        'Server shutdown in progress',
      ),
    ],
    ['mysql2 closed state', new Error("Can't add new command when connection is in closed state")],
    [
      'mysql2 1045 at handshake',
      mysqlError(
        { errno: 1045, code: 'ER_ACCESS_DENIED_ERROR', sqlState: '28000', fatal: true },
        "Access denied for user 'app'@'10.0.0.1' (using password: YES)",
      ),
    ],
    ['a wrapped socket error', new Error('monitor failed', { cause: systemError('ECONNRESET', -104) })],
  ])('%s', (_label, err) => {
    expect(classifyStatusError(err)).toBe('connection')
  })
})

describe('classifyStatusError: sql', () => {
  it.each([
    ['PG statement timeout', pgError('57014', 'canceling statement due to statement timeout')],
    ['PG internal error', pgError('XX000', 'could not read block')],
    ['PG serialization failure', pgError('40001', 'could not serialize access')],
    ['PG read-only transaction', pgError('25006', 'cannot execute SELECT in a read-only transaction')],
    [
      'MySQL lock wait timeout',
      mysqlError(
        { errno: 1205, code: 'ER_LOCK_WAIT_TIMEOUT', sqlState: 'HY000' },
        'Lock wait timeout exceeded',
      ),
    ],
    [
      'MySQL 1045 without a table, not fatal',
      mysqlError(
        { errno: 1045, code: 'ER_ACCESS_DENIED_ERROR', sqlState: '28000' },
        "Access denied for user 'app'@'%'",
      ),
    ],
    [
      'MySQL server error whose code looks like an SQLSTATE',
      mysqlError({ errno: 1234, code: '08S01' }, 'odd'),
    ],
    ['unknown role text', new Error("Unknown blue/green role 'X'")],
    ['a plain Error', new Error('boom')],
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
    ['an object without fields', {}],
  ])('%s', (_label, err) => {
    expect(classifyStatusError(err)).toBe('sql')
  })

  it('prefers not-created over connection when both apply', () => {
    const err = mysqlError(
      { errno: 1146, code: 'ER_NO_SUCH_TABLE', fatal: true },
      "Table 'mysql.rds_topology' doesn't exist",
    )
    expect(classifyStatusError(err)).toBe('not-created')
  })

  it('stops following a cause cycle', () => {
    const err: Error & { cause?: unknown } = new Error('loop')
    err.cause = err
    expect(classifyStatusError(err)).toBe('sql')
  })
})
