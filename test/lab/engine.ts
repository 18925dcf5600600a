import type { LabEngineName, LabSide } from './address-plan.js'

/** Metadata `role` values (spec §2.4). */
export type MetadataRole = 'BLUE_GREEN_DEPLOYMENT_SOURCE' | 'BLUE_GREEN_DEPLOYMENT_TARGET'

/** Metadata `status` values (spec §2.5). */
export type MetadataStatus =
  | 'AVAILABLE'
  | 'SWITCHOVER_INITIATED'
  | 'SWITCHOVER_IN_PROGRESS'
  | 'SWITCHOVER_IN_POST_PROCESSING'
  | 'SWITCHOVER_COMPLETED'

/** One metadata row as the lab stores it on one side. */
export interface MetadataRowSpec {
  readonly id: string
  readonly endpoint: string
  readonly port: number
  readonly role: MetadataRole
  readonly status: MetadataStatus
  readonly version: string
}

/** What one side's metadata source returns: rows, or (Aurora PG after teardown) an error. */
export interface SideMetadata {
  readonly rows: readonly MetadataRowSpec[]
  readonly failing: boolean
}

/** The app user and database the workload uses (the password is a fixed local test value, never logged). */
export interface AppCredentials {
  readonly user: string
  readonly password: string
  readonly database: string
}

export const APP_USER: AppCredentials = Object.freeze({
  user: 'app',
  password: 'lab-app-pw',
  database: 'labdb',
})

/** Options that shape the schema and grants of a fresh lab. */
export interface EngineSetupOptions {
  readonly aurora: boolean
  /** The app user cannot read the metadata (profile `permission-denied`). */
  readonly denyMetadata: boolean
  /** Extra DDL, run as the app user on both sides before replication starts (e.g. an ORM's tables). */
  readonly schema: readonly string[]
}

/** The engine-specific admin operations the orchestrator composes into a switchover. */
export interface LabEngine {
  readonly name: LabEngineName
  readonly app: AppCredentials
  setup(opts: EngineSetupOptions): Promise<void>
  writeMetadata(side: LabSide, metadata: SideMetadata): Promise<void>
  /** Aurora: the instance ids `aurora_replica_status()` reports on `side` (the writer, then its readers). */
  setServerId(side: LabSide, serverId: string, readers?: readonly string[]): Promise<void>
  /** Fences (false) or opens (true) a side for the app user. */
  setWritable(side: LabSide, writable: boolean): Promise<void>
  /** Terminates the library's monitor sessions (application_name rds-bluegreen-monitor), where the engine can tell them. */
  killMonitorSessions?(side: LabSide): Promise<number>
  /** Terminates every app session on a side and waits for them to end. */
  killAppSessions(side: LabSide): Promise<number>
  /** Waits until green has applied everything blue committed so far; returns the cut point (LSN / GTID). */
  catchUp(timeoutMs: number): Promise<string>
  /** Copies sequence positions to green (logical replication does not carry them). */
  syncSequences(): Promise<number>
  stopReplication(): Promise<void>
  startReplication(): Promise<void>
  /** `client/seq` keys of every row in the workload table on a side. */
  writtenKeys(side: LabSide): Promise<Set<string>>
  /** Runs SQL as the lab's superuser on a side's real server. */
  sql(side: LabSide, text: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>
  close(): Promise<void>
}

/** Rows the workload table is keyed by. */
export function writeKey(client: string, seq: number): string {
  return `${client}/${seq}`
}
