import mysql from 'mysql2'
import type { Connection, RowDataPacket } from 'mysql2'
import type { MetadataDiagnosis, MetadataProblemKind, ServerFacts } from '../../core/metadata/diagnosis.js'
import { classifyStatusError } from '../../core/metadata/errors.js'
import {
  AURORA_MYSQL_TOPOLOGY_SQL,
  MYSQL_AURORA_CHECK_SQL,
  MYSQL_EXISTS_SQL,
  mysqlMetadataExists,
  parseTopologyRows,
  statusQuery,
} from '../../core/metadata/queries.js'
import {
  MYSQL_PROBE_SQL,
  MYSQL_SERVER_SQL,
  mysqlServerFacts,
  problemOfError,
} from '../../core/metadata/server-facts.js'
import type {
  MetadataConnection,
  MetadataSource,
  MonitoringTarget,
  RawMetadataRow,
  RawTopologyRow,
  StatusReadResult,
} from '../../core/metadata/source.js'
import type { LookupFunction } from '../../core/runtime.js'
import { copyConfig, monitoringConfig } from '../shared/driver-config.js'
import { RoutedSocket } from '../shared/routed-socket.js'

/** How long close() waits for the server to acknowledge the end of a session. */
const CLOSE_GRACE_MS = 500

/** Keys of the user's config that never reach a monitoring connection (ours, or pool-only). */
const DROPPED = [
  'stream',
  'uri',
  'connectionLimit',
  'maxIdle',
  'idleTimeout',
  'queueLimit',
  'waitForConnections',
  'enableKeepAlive',
  'keepAliveInitialDelay',
  'connectTimeout',
  'Promise',
]

/**
 * The MySQL metadata source: opens plain mysql2 monitoring connections that bypass routing, with the `monitoring`
 * overrides applied, dialing `target.address` while `target.host` stays the TLS name. Reads `mysql.rds_topology`
 * when it exists, and the Aurora MySQL topology when `aurora_version` exists.
 *
 * @example
 * ```ts
 * const source = mysqlMetadataSource({ host, user, password }, { user: 'monitor' })
 * const connection = await source.connect({ host, port: 3306, address: host, connectTimeoutMs: 10_000 })
 * ```
 */
export function mysqlMetadataSource(
  config: Readonly<Record<string, unknown>>,
  overrides: Readonly<Record<string, unknown>> = {},
  lookup?: LookupFunction,
): MetadataSource {
  const { connectTimeoutMs: _ignored, ...rest } = overrides
  const base = monitoringConfig(config, rest, {})
  for (const key of DROPPED) delete base[key]
  if (typeof config['uri'] === 'string') Object.assign(base, fromUri(config['uri']), rest)
  return { name: 'mysql2', connect: (target) => openMysqlMonitoring(base, target, lookup) }
}

function fromUri(uri: string): Record<string, unknown> {
  const url = new URL(uri)
  const database = url.pathname.replace(/^\//, '')
  return {
    ...(url.username === '' ? {} : { user: decodeURIComponent(url.username) }),
    ...(url.password === '' ? {} : { password: decodeURIComponent(url.password) }),
    ...(database === '' ? {} : { database: decodeURIComponent(database) }),
  }
}

async function openMysqlMonitoring(
  base: Record<string, unknown>,
  target: MonitoringTarget,
  lookup: LookupFunction | undefined,
): Promise<MetadataConnection> {
  const connection = mysql.createConnection(
    copyConfig(base, {
      host: target.host,
      port: target.port,
      // 0: no mysql2 connect timer (it is not unref'd and would keep the process alive); the monitor bounds the
      // attempt itself and aborts it through `target.signal`.
      connectTimeout: 0,
      stream: () => {
        const socket = new RoutedSocket({ lookup, keepAliveInitialDelayMs: 0 })
        socket.override = { address: target.address, port: target.port }
        // A monitoring socket never keeps the process alive (an application that forgets end() still exits).
        socket.unref()
        return socket.connect(target.port, target.host)
      },
    }) as mysql.ConnectionOptions,
  )
  const monitoring = new MysqlMonitoringConnection(connection)
  let onAbort: (() => void) | undefined
  try {
    await new Promise<void>((resolve, reject) => {
      onAbort = () => reject(new Error('monitoring connect aborted'))
      connection.once('connect', () => resolve())
      connection.once('error', reject)
      if (target.signal?.aborted === true) onAbort()
      else target.signal?.addEventListener('abort', onAbort, { once: true })
    })
  } catch (err) {
    // Never end(): after an authentication error mysql2 never calls end()'s callback (issue 11 item 2).
    monitoring.destroy()
    throw err
  } finally {
    if (onAbort !== undefined) target.signal?.removeEventListener('abort', onAbort)
  }
  return monitoring
}

class MysqlMonitoringConnection implements MetadataConnection {
  readonly #connection: Connection
  #open = true
  #exists: boolean | undefined
  #aurora: boolean | undefined
  /** Asked once per connection, and only when the metadata is not readable (or by the CLI). */
  #facts: Promise<ServerFacts | undefined> | undefined
  #missing: Promise<MetadataDiagnosis> | undefined

  constructor(connection: Connection) {
    this.#connection = connection
    // Without an 'error' listener a reset socket would crash the process.
    connection.on('error', () => {
      this.#open = false
    })
    connection.on('end', () => {
      this.#open = false
    })
  }

  async readStatus(): Promise<StatusReadResult> {
    try {
      this.#exists ??= mysqlMetadataExists(await this.#query(MYSQL_EXISTS_SQL))
      if (!this.#exists) {
        this.#missing ??= this.#probeMissing()
        const diagnosis = await this.#missing.catch((err: unknown) => {
          this.#missing = undefined // a broken connection: ask again on the next one
          throw err
        })
        return {
          kind: 'unavailable',
          reason: 'mysql.rds_topology does not exist or is not readable by this user',
          diagnosis,
        }
      }
      const rows = await this.#query(statusQuery('mysql').sql)
      return { kind: 'rows', rows: rows as readonly RawMetadataRow[] }
    } catch (err) {
      if (classifyStatusError(err) !== 'not-created') throw err
      const problem = problemOfError(err)
      const reason = describe(err)
      if (problem === undefined) return { kind: 'unavailable', reason }
      return { kind: 'unavailable', reason, diagnosis: await this.#diagnose(problem) }
    }
  }

  async describeServer(): Promise<ServerFacts> {
    return (await this.#serverFacts()) ?? { engine: 'mysql' }
  }

  /** information_schema hides the table from a user without privileges: the table itself tells which it is. */
  async #probeMissing(): Promise<MetadataDiagnosis> {
    const problem = await this.#query(MYSQL_PROBE_SQL).then(
      (): MetadataProblemKind => 'missing',
      (err: unknown): MetadataProblemKind => {
        const problem = problemOfError(err)
        if (problem === undefined && classifyStatusError(err) === 'connection') throw err
        return problem ?? 'missing'
      },
    )
    return this.#diagnose(problem)
  }

  async #diagnose(problem: MetadataProblemKind): Promise<MetadataDiagnosis> {
    const server = await this.#serverFacts()
    return { problem, object: 'mysql.rds_topology', ...(server === undefined ? {} : { server }) }
  }

  #serverFacts(): Promise<ServerFacts | undefined> {
    this.#facts ??= Promise.all([this.#query(MYSQL_SERVER_SQL), this.#query(MYSQL_AURORA_CHECK_SQL)]).then(
      ([rows, aurora]) => mysqlServerFacts(rows[0], aurora),
      () => undefined,
    )
    return this.#facts
  }

  async readTopology(): Promise<readonly RawTopologyRow[] | undefined> {
    this.#aurora ??= (await this.#query(MYSQL_AURORA_CHECK_SQL)).length > 0
    if (!this.#aurora) return undefined
    return parseTopologyRows(await this.#query(AURORA_MYSQL_TOPOLOGY_SQL))
  }

  isOpen(): boolean {
    return this.#open
  }

  close(): Promise<void> {
    if (!this.#open) {
      this.destroy()
      return Promise.resolve()
    }
    this.#open = false
    // A polite COM_QUIT when the server answers, but never waiting on mysql2's end() callback, which it does not
    // always call (after an authentication error, or on a hung server).
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer)
        this.destroy()
        resolve()
      }
      // Ref'd while closing (bounded by the grace): an application awaiting end() must not see its process exit
      // under that await.
      const timer = setTimeout(done, CLOSE_GRACE_MS)
      ;(this.#connection as unknown as { stream?: { ref?: () => void } }).stream?.ref?.()
      try {
        this.#connection.end(done)
      } catch {
        done()
      }
    })
  }

  /** Drops the socket without a goodbye (failed or aborted connect, hung server). */
  destroy(): void {
    this.#open = false
    this.#connection.destroy()
  }

  // No mysql2 query `timeout`: its timer is not unref'd. The monitor bounds every query and drops the connection.
  #query(sql: string): Promise<readonly unknown[]> {
    return new Promise((resolve, reject) => {
      this.#connection.query<RowDataPacket[]>(sql, (err, rows) =>
        err === null ? resolve(rows) : reject(err),
      )
    })
  }
}

/** Error code and server message only: never the config, so never a password. */
function describe(err: unknown): string {
  if (typeof err !== 'object' || err === null) return String(err)
  const { code, message } = err as { code?: unknown; message?: unknown }
  return `${typeof code === 'string' ? `${code}: ` : ''}${typeof message === 'string' ? message : 'error'}`
}
