import type { HostRole } from '../types.js'
import type { MetadataDiagnosis, ServerFacts } from './diagnosis.js'

/**
 * How the core reads Blue/Green metadata. The pg and mysql2 implementations live with the routed drivers; unit
 * tests use a fake. A source opens dedicated monitoring connections that bypass routing.
 */

/** A raw metadata row as the database returned it (column names of spec §2.2); values are not yet validated. */
export interface RawMetadataRow {
  readonly endpoint?: unknown
  readonly port?: unknown
  readonly role?: unknown
  readonly status?: unknown
  readonly version?: unknown
}

/** One instance of a side's topology as the database reports it (Aurora: `server_id` and writer flag). */
export interface RawTopologyRow {
  /** Instance identifier (the first label of the instance endpoint). */
  readonly id: string
  readonly role: HostRole
}

/** Where a monitoring connection goes. */
export interface MonitoringTarget {
  /** The host name of the endpoint (kept for TLS and IAM even when `address` is an IP). */
  readonly host: string
  readonly port: number
  /** The address to dial: an IP captured before the switchover, or the host name itself. */
  readonly address: string
  /** Connect timeout for this attempt. */
  readonly connectTimeoutMs: number
  /**
   * Aborted when the monitor stops: the source must then give up the attempt at once (destroy its socket), so
   * stopping never waits for, and the process never stays alive because of, a server that does not answer.
   */
  readonly signal?: AbortSignal
}

/** Result of one status read. */
export type StatusReadResult =
  /** The metadata exists; these are its rows (possibly none). */
  | { readonly kind: 'rows'; readonly rows: readonly RawMetadataRow[] }
  /**
   * The metadata function or table does not exist here, or is not readable: phase NOT_CREATED. `diagnosis`
   * says why as precisely as the server tells (the armed state's reason and fix come from it).
   */
  | { readonly kind: 'unavailable'; readonly reason: string; readonly diagnosis?: MetadataDiagnosis }

/** An open monitoring connection to one server. */
export interface MetadataConnection {
  /**
   * Runs the existence check (once per connection is enough) and the status query. Throws on connection
   * errors; SQL errors that mean "no Blue/Green metadata here" are reported as `unavailable`.
   */
  readStatus(): Promise<StatusReadResult>
  /** Aurora only: the instances of this side's cluster. `undefined` means "no topology query for this engine". */
  readTopology?(): Promise<readonly RawTopologyRow[] | undefined>
  /** The server's engine, version, flavor and session user (for `rds-bluegreen check`); never credentials. */
  describeServer?(): Promise<ServerFacts>
  /** True while the connection can still be used. */
  isOpen(): boolean
  close(): Promise<void>
}

/** Opens monitoring connections. */
export interface MetadataSource {
  /** A short name for logs, such as `pg` or `mysql2`. */
  readonly name: string
  connect(target: MonitoringTarget): Promise<MetadataConnection>
}
