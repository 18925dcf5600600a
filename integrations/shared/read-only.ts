import { isReaderClusterHost } from '../../core/host-names.js'
import type { ConnectTarget } from '../../core/types.js'

/**
 * Read-only errors without metadata (issue 12 item 1): which ones mean "this connection reached a server that no
 * longer accepts writes" (the old blue after a switchover, a demoted writer) and which ones are the application's
 * own choice (a READ ONLY transaction, a reader endpoint, a replica it picked), and what each target's server was
 * like when connections reached it. Pure but for one process-wide table, shared by every module copy.
 */

/** What a connection learned about its server's writability when it connected. */
export type ServerMode = 'writable' | 'read-only' | 'unknown'

/**
 * A read-only error's cause: `server` (the server, or its configuration for this role/database, refuses writes)
 * or `transaction` (the application declared its transaction or session READ ONLY).
 */
export type ReadOnlyKind = 'server' | 'transaction'

/** The PostgreSQL parameters a server reports at startup and on change (PostgreSQL 14 and later). */
export interface PgReportedParameters {
  readonly defaultTransactionReadOnly?: string | undefined
  readonly inHotStandby?: string | undefined
}

/**
 * The server mode reported by PostgreSQL: `in_hot_standby` (a replica) or `default_transaction_read_only` (how
 * RDS fences the old blue, and how a role or database is made read-only); `unknown` before PostgreSQL 14.
 *
 * @example
 * ```ts
 * pgServerMode({ defaultTransactionReadOnly: 'on', inHotStandby: 'off' }) // 'read-only'
 * ```
 */
export function pgServerMode(reported: PgReportedParameters): ServerMode {
  if (reported.inHotStandby === 'on' || reported.defaultTransactionReadOnly === 'on') return 'read-only'
  return reported.defaultTransactionReadOnly === undefined ? 'unknown' : 'writable'
}

/** What a PostgreSQL connection knows when a statement fails read-only. */
export interface PgReadOnlyContext {
  /** The server mode the connection found at startup (`unknown` before PostgreSQL 14). */
  readonly connectMode: ServerMode
  /** The current `in_hot_standby` report. */
  readonly inHotStandby?: string | undefined
}

/**
 * A PostgreSQL read-only error (SQLSTATE 25006) and its kind. The server refuses writes when it is a standby, or
 * when the connection started read-only (how RDS fences the old blue: `default_transaction_read_only` for every
 * new session), or when the server reports neither (before PostgreSQL 14: assume the server). A session that
 * started writable and fails read-only made itself so (`SET SESSION CHARACTERISTICS ... READ ONLY`, `BEGIN READ
 * ONLY`): that is the application's choice, left alone.
 *
 * @example
 * ```ts
 * pgReadOnlyKind({ code: '25006' }, { connectMode: 'read-only' }) // 'server'
 * pgReadOnlyKind({ code: '25006' }, { connectMode: 'writable', inHotStandby: 'off' }) // 'transaction'
 * ```
 */
export function pgReadOnlyKind(err: unknown, context: PgReadOnlyContext): ReadOnlyKind | undefined {
  if (typeof err !== 'object' || err === null || (err as { code?: unknown }).code !== '25006')
    return undefined
  if (context.inHotStandby === 'on') return 'server'
  return context.connectMode === 'writable' ? 'transaction' : 'server'
}

/**
 * A MySQL / MariaDB read-only error and its kind: 1290 (ER_OPTION_PREVENTS_STATEMENT) naming `--read-only` or
 * `--super-read-only` and 1836 (ER_READ_ONLY_MODE) come from the server; 1792 (a statement in a READ ONLY
 * transaction) only from a transaction the application declared READ ONLY. 1290 for any other option (for
 * example `--secure-file-priv`) is not a read-only error.
 *
 * @example
 * ```ts
 * mysqlReadOnlyKind({ errno: 1290, message: 'The MySQL server is running with the --read-only option' }) // 'server'
 * mysqlReadOnlyKind({ errno: 1792 }) // 'transaction'
 * ```
 */
export function mysqlReadOnlyKind(err: unknown): ReadOnlyKind | undefined {
  if (typeof err !== 'object' || err === null) return undefined
  const { errno, message } = err as { errno?: unknown; message?: unknown }
  if (errno === 1836) return 'server'
  if (errno === 1792) return 'transaction'
  if (errno !== 1290) return undefined
  return typeof message === 'string' && /read[-_ ]only/i.test(message) ? 'server' : undefined
}

/** How long a target stays suspect (new MySQL connections to it are checked) after a cut or a read-only error. */
export const SUSPECT_MS = 5 * 60_000

/** What connecting to a target found: go on, or the server no longer accepts writes (retry elsewhere). */
export type ConnectVerdict = 'accept' | 'fenced'

interface TargetMemory {
  /** A connection found this target's server writable (since the last time it was judged read-only for good). */
  writableSeen: boolean
  /** The mode the last checked connection found. */
  lastMode: ServerMode
  /** When new connections first found a formerly writable server read-only (undefined: not now). */
  fencedSince: number | undefined
  suspectUntil: number
  /** When a connection last found the server writable. */
  writableAt: number
}

/** Bounded: one entry per host:port an application connects to. */
const MAX_TARGETS = 1024

/**
 * What this process learned about each target's server. A server first seen read-only is read-only by design (a
 * replica, the green side before the switchover, a reader); one that was writable and turns read-only has been
 * fenced or demoted, so new connections retry (re-resolving the name) until it accepts writes again or
 * `fencedForMs` passes, after which its read-only state is accepted as the new normal.
 *
 * @example
 * ```ts
 * const servers = new ServerMemory(() => Date.now())
 * servers.judgeConnect(target, 'writable', 30_000) // 'accept'
 * servers.judgeConnect(target, 'read-only', 30_000) // 'fenced': retry
 * ```
 */
export class ServerMemory {
  readonly #now: () => number
  readonly #targets = new Map<string, TargetMemory>()

  constructor(now: () => number) {
    this.#now = now
  }

  /** The verdict for a connection to `target` that found `mode`, remembering it. */
  judgeConnect(target: ConnectTarget, mode: ServerMode, fencedForMs: number): ConnectVerdict {
    if (mode === 'unknown') return 'accept'
    const memory = this.#memory(target)
    if (mode === 'writable') {
      memory.writableSeen = true
      memory.lastMode = 'writable'
      memory.fencedSince = undefined
      memory.writableAt = this.#now()
      return 'accept'
    }
    if (isReaderClusterHost(target.host) || !memory.writableSeen) {
      memory.lastMode = 'read-only'
      return 'accept'
    }
    const now = this.#now()
    memory.fencedSince ??= now
    memory.suspectUntil = now + SUSPECT_MS
    if (now - memory.fencedSince < fencedForMs) return 'fenced'
    // Read-only for longer than a switchover leaves stale DNS behind: the server is read-only now, for good.
    memory.writableSeen = false
    memory.lastMode = 'read-only'
    memory.fencedSince = undefined
    return 'accept'
  }

  /** Remembers what a connection found without judging it (`bgRetryReadOnly: false`: nothing is retried). */
  note(target: ConnectTarget, mode: ServerMode): void {
    if (mode === 'unknown') return
    const memory = this.#memory(target)
    memory.lastMode = mode
    if (mode === 'writable') memory.writableSeen = true
  }

  /**
   * Whether a server-level read-only error on a connection to `target` (which found `connectMode` when it
   * connected) is by design: a reader endpoint, or a server read-only since this process first saw it.
   */
  readOnlyByDesign(target: ConnectTarget, connectMode: ServerMode): boolean {
    if (isReaderClusterHost(target.host)) return true
    if (connectMode === 'writable') return false
    const memory = this.#targets.get(key(target))
    if (memory === undefined || memory.writableSeen) return false
    return connectMode === 'read-only' || memory.lastMode === 'read-only'
  }

  /** Marks `target` suspect: connections to it were cut, or one of them met a read-only server. */
  markSuspect(target: ConnectTarget): void {
    this.#memory(target).suspectUntil = this.#now() + SUSPECT_MS
  }

  /**
   * Whether a standalone connection to `target` should first wait for a writable server (probing with a
   * connection of its own): its connections were just cut or met a read-only server, or new ones find it fenced.
   */
  shouldProbe(target: ConnectTarget): boolean {
    const memory = this.#targets.get(key(target))
    if (memory === undefined) return false
    if (memory.fencedSince !== undefined) return true
    // Suspect since the last writable verdict (a later writable connection answers the suspicion).
    return memory.suspectUntil > this.#now() && memory.suspectUntil - SUSPECT_MS > memory.writableAt
  }

  /** Whether a new connection to `target` should check its server: never checked, or suspect. */
  shouldCheck(target: ConnectTarget): boolean {
    const memory = this.#targets.get(key(target))
    return memory === undefined || memory.lastMode === 'unknown' || memory.suspectUntil > this.#now()
  }

  #memory(target: ConnectTarget): TargetMemory {
    const k = key(target)
    let memory = this.#targets.get(k)
    if (memory === undefined) {
      if (this.#targets.size >= MAX_TARGETS) {
        const oldest = this.#targets.keys().next()
        if (oldest.done !== true) this.#targets.delete(oldest.value)
      }
      memory = {
        writableSeen: false,
        lastMode: 'unknown',
        fencedSince: undefined,
        suspectUntil: 0,
        writableAt: 0,
      }
      this.#targets.set(k, memory)
    }
    return memory
  }
}

function key(target: ConnectTarget): string {
  return `${target.host.toLowerCase()}:${target.port}`
}

const MEMORY_KEY = Symbol.for('rds-bluegreen.server-memory.v1')

/**
 * The process-wide {@link ServerMemory}, shared by the ESM and CommonJS copies of the library.
 *
 * @example
 * ```ts
 * if (serverMemory().shouldCheck(target)) checkServer()
 * ```
 */
export function serverMemory(): ServerMemory {
  const scope = globalThis as typeof globalThis & { [MEMORY_KEY]?: ServerMemory }
  scope[MEMORY_KEY] ??= new ServerMemory(() => Date.now())
  return scope[MEMORY_KEY]
}
