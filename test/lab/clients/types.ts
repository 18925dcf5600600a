import type { LabEngineName } from '../address-plan.js'
import type { LabLookupFunction } from '../lab-lookup.js'
import type { LabNames } from '../names.js'

/** Which instance served an operation: `blue`, `green`, or undefined when the client cannot tell. */
export type LabInstance = string | undefined

/** Where and as whom a workload client connects. */
export interface LabClientTarget {
  readonly engine: LabEngineName
  /** The blue writer name; DNS decides which instance it reaches. */
  readonly host: string
  readonly port: number
  readonly user: string
  readonly password: string
  readonly database: string
  readonly connectTimeoutMs: number
  readonly names: LabNames
  /** The pool size of clients that share one pool per run. Default 16. */
  readonly poolSize?: number
  /** Set in inject mode: resolve lab names with this instead of getaddrinfo. */
  readonly lookup?: LabLookupFunction
}

/**
 * One workload connection, through whatever driver, ORM or library is being measured. Each method returns the
 * instance that served it. A client is used by one worker at a time; after any error the worker closes it and
 * creates a new one.
 *
 * @example
 * const c = factory(target); await c.connect(); await c.write('w1', 1); await c.close()
 */
export interface LabClient {
  connect(): Promise<LabInstance>
  /** Inserts `(client, seq)` into `lab_writes`; the key is unique, so a retry of the same seq is a duplicate. */
  write(client: string, seq: number): Promise<LabInstance>
  read(): Promise<LabInstance>
  /**
   * Optional: inserts `(client, seq)` inside a transaction that also reads, so integrations prove that a
   * transaction never splits across connections. The workload uses it for every third write.
   */
  writeTx?(client: string, seq: number): Promise<LabInstance>
  /** Never throws, never hangs. */
  close(): Promise<void>
}

export type LabClientFactory = (target: LabClientTarget) => LabClient

/**
 * Clients that share one pool (an ORM instance) for a whole run: `client()` hands each worker a view on the
 * shared pool; `close()` ends the pool after the workload stopped.
 */
export interface LabSession {
  client(): LabClient
  close(): Promise<void>
}

/**
 * What a file in `test/lab/clients/` exports: the factory (default export) and the engines it supports.
 * Adding a client is adding one such file; `--client <file name>` then finds it.
 */
export interface LabClientModule {
  readonly default: LabClientFactory
  readonly engines: readonly LabEngineName[]
  /** Optional: one shared pool per run instead of one connection per worker. */
  readonly session?: (target: LabClientTarget) => LabSession
}
