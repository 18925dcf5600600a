import pg from 'pg'
import type { MetadataDiagnosis, MetadataProblemKind, ServerFacts } from '../../core/metadata/diagnosis.js'
import { classifyStatusError } from '../../core/metadata/errors.js'
import type { PgCatalogCheck } from '../../core/metadata/queries.js'
import {
  AURORA_PG_TOPOLOGY_SQL,
  PG_CATALOG_SQL,
  parseTopologyRows,
  pgDialectFromCatalogRow,
  statusQuery,
} from '../../core/metadata/queries.js'
import { PG_SERVER_SQL, pgServerFacts, problemOfError } from '../../core/metadata/server-facts.js'
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
import type { PgConfigRecord } from './config.js'

/** How long close() waits for the server to acknowledge the end of a session. */
const CLOSE_GRACE_MS = 500

/** Resolves with `work` or after `ms`, whichever is first; the timer is cleared as soon as `work` settles. */
function withGrace(work: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    void work.finally(() => {
      clearTimeout(timer)
      resolve()
    })
  })
}

/** Keys of the user's config that never reach a monitoring connection (ours, or pool-only). */
const DROPPED = [
  'stream',
  'Client',
  'connection',
  'max',
  'min',
  'idleTimeoutMillis',
  'connectionTimeoutMillis',
]

/**
 * The PostgreSQL metadata source: opens plain `pg.Client` monitoring connections that bypass routing, with the
 * `monitoring` overrides applied (`user`, `password`, `database`, `ssl`, ...), to `target.address` while keeping
 * `target.host` for TLS and password functions.
 *
 * @example
 * ```ts
 * const source = pgMetadataSource({ host, user, password, database }, { user: 'monitor' }, dns.lookup)
 * const connection = await source.connect({ host, port: 5432, address: host, connectTimeoutMs: 10_000 })
 * await connection.readStatus() // { kind: 'unavailable', reason: '...' } on a plain server
 * ```
 */
export function pgMetadataSource(
  config: PgConfigRecord,
  overrides: Readonly<Record<string, unknown>> = {},
  lookup?: LookupFunction,
): MetadataSource {
  const { connectTimeoutMs: _ignored, ...rest } = overrides
  const base = monitoringConfig(config, rest, {})
  for (const key of DROPPED) delete base[key]
  return { name: 'pg', connect: (target) => openPgMonitoring(base, target, lookup) }
}

async function openPgMonitoring(
  base: Record<string, unknown>,
  target: MonitoringTarget,
  lookup: LookupFunction | undefined,
): Promise<MetadataConnection> {
  const socket = new RoutedSocket({ lookup })
  socket.override = { address: target.address, port: target.port }
  // A monitoring socket never keeps the process alive (an application that forgets end() still exits).
  socket.unref()
  const timeout = target.connectTimeoutMs
  const client = new pg.Client(
    copyConfig(base, {
      application_name: base['application_name'] ?? 'rds-bluegreen-monitor',
      host: target.host,
      port: target.port,
      connectionTimeoutMillis: timeout,
      // No client-side query_timeout: pg's timer for it is not unref'd. The monitor bounds every query itself
      // (and drops the connection on a timeout); the server-side statement_timeout ends a slow one there.
      statement_timeout: timeout,
      stream: () => socket,
    }),
  )
  // A connectionString wins over `host` inside pg: put the monitored host back (TLS servername, password functions).
  client.host = target.host
  client.port = target.port
  const parameters = (client as unknown as { connectionParameters?: { host: string; port: number } })
    .connectionParameters
  if (parameters !== undefined) Object.assign(parameters, { host: target.host, port: target.port })
  const connection = new PgMonitoringConnection(client, socket)
  // Stopping the monitor abandons the attempt at once: the socket is destroyed, pg's connect fails right away.
  const abort = (): void => connection.destroy()
  if (target.signal?.aborted === true) abort()
  target.signal?.addEventListener('abort', abort, { once: true })
  try {
    await client.connect()
  } catch (err) {
    connection.destroy()
    throw err
  } finally {
    target.signal?.removeEventListener('abort', abort)
  }
  return connection
}

class PgMonitoringConnection implements MetadataConnection {
  readonly #client: pg.Client
  readonly #socket: RoutedSocket
  #open = true
  #catalog: PgCatalogCheck | undefined
  /** Asked once per connection, and only when the metadata is not readable (or by the CLI). */
  #facts: Promise<ServerFacts | undefined> | undefined
  #diagnosis: MetadataDiagnosis | undefined

  constructor(client: pg.Client, socket: RoutedSocket) {
    this.#client = client
    this.#socket = socket
    // Without an 'error' listener a reset socket would crash the process.
    client.on('error', () => {
      this.#open = false
    })
    client.on('end', () => {
      this.#open = false
    })
  }

  async readStatus(): Promise<StatusReadResult> {
    try {
      const catalog = await this.#readCatalog()
      if (!catalog.available) {
        const diagnosis = await this.#diagnose(catalog.problem, catalog.object)
        return { kind: 'unavailable', reason: catalog.reason, diagnosis }
      }
      const { sql, params } = statusQuery(catalog.dialect)
      const result = await this.#client.query<RawMetadataRow>(sql, [...params])
      return { kind: 'rows', rows: result.rows }
    } catch (err) {
      if (classifyStatusError(err) !== 'not-created') throw err
      const problem = problemOfError(err)
      const reason = describe(err)
      if (problem === undefined) return { kind: 'unavailable', reason }
      return { kind: 'unavailable', reason, diagnosis: await this.#diagnose(problem, undefined) }
    }
  }

  async describeServer(): Promise<ServerFacts> {
    const facts = await this.#serverFacts()
    return facts ?? { engine: 'postgresql' }
  }

  async readTopology(): Promise<readonly RawTopologyRow[] | undefined> {
    const catalog = await this.#readCatalog()
    if (!catalog.auroraTopology || !catalog.available || catalog.dialect !== 'aurora-pg') return undefined
    const result = await this.#client.query(AURORA_PG_TOPOLOGY_SQL)
    return parseTopologyRows(result.rows)
  }

  isOpen(): boolean {
    return this.#open
  }

  async close(): Promise<void> {
    if (!this.#open) return this.destroy()
    this.#open = false
    // A polite Terminate when the server answers; never more than a moment for one that does not. While closing,
    // the socket is ref'd again: an application awaiting end() must not see its process exit under that await.
    this.#socket.ref()
    await withGrace(
      this.#client.end().catch(() => undefined),
      CLOSE_GRACE_MS,
    )
    this.destroy()
  }

  /** Drops the socket without a goodbye (failed or aborted connect, hung server). */
  destroy(): void {
    this.#open = false
    this.#socket.destroy()
  }

  /** The same object for the same problem, so the coordinator sees an unchanged report as unchanged. */
  async #diagnose(problem: MetadataProblemKind, object: string | undefined): Promise<MetadataDiagnosis> {
    const server = await this.#serverFacts()
    const known = this.#diagnosis
    if (known?.problem === problem && known.object === object && known.server === server) return known
    this.#diagnosis = {
      problem,
      ...(object === undefined ? {} : { object }),
      ...(server === undefined ? {} : { server }),
    }
    return this.#diagnosis
  }

  /** The server's description, or `undefined` when even that query fails (the verdict is then less precise). */
  #serverFacts(): Promise<ServerFacts | undefined> {
    this.#facts ??= this.#client.query(PG_SERVER_SQL).then(
      (result) => pgServerFacts(result.rows[0]),
      () => undefined,
    )
    return this.#facts
  }

  async #readCatalog(): Promise<PgCatalogCheck> {
    if (this.#catalog === undefined) {
      const result = await this.#client.query(PG_CATALOG_SQL)
      this.#catalog = pgDialectFromCatalogRow(result.rows[0])
    }
    return this.#catalog
  }
}

/** SQLSTATE and server message only: never the config, so never a password. */
function describe(err: unknown): string {
  if (typeof err !== 'object' || err === null) return String(err)
  const { code, message } = err as { code?: unknown; message?: unknown }
  return `${typeof code === 'string' ? `${code}: ` : ''}${typeof message === 'string' ? message : 'error'}`
}
