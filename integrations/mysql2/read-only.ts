import type { Connection } from 'mysql2'
import { publishEvict } from '../../core/channels.js'
import { BlueGreenReadOnlyError, isBlueGreenError } from '../../core/errors.js'
import type { DeploymentHandle } from '../../core/registry.js'
import type { ConnectTarget } from '../../core/types.js'
import type { ServerMode } from '../shared/read-only.js'
import { mysqlReadOnlyKind, serverMemory } from '../shared/read-only.js'
import type { AttemptOutcome } from '../shared/retry-read-only.js'
import { connectRetryable, retryUntil } from '../shared/retry-read-only.js'

/** mysql2's command callback. */
export type OnResult = (err: unknown, ...rest: unknown[]) => void

/** The slice of a mysql2 Query / Execute command needed to send it again elsewhere. */
export interface RetryableCommand {
  readonly sql?: unknown
  readonly values?: unknown
  readonly _queryOptions?: object
  readonly _executeOptions?: object
}

/** What the read-only handling needs from the routed connection that met the error. */
export interface MysqlReadOnlyHost {
  readonly handle: DeploymentHandle
  readonly target: ConnectTarget
  /** What the connection found when it connected (`unknown` if it was not checked). */
  readonly connectMode: ServerMode
  /** Runs `sql` on this connection next, past every hold. */
  probe(sql: string, callback: (err: unknown, result?: unknown) => void): void
  /** Commands queued on this connection behind the one that failed. */
  queuedBehind(): number
  /** Takes the connection out of its pool at once (never handed out again), before it is closed. */
  detach(): void
  /** Closes the connection; later commands on it fail at once with `reason`. */
  discard(reason: unknown): void
  /** A new routed standalone connection with the same settings that never retries; absent: no retry. */
  readonly fresh: (() => Connection) | undefined
}

const SERVER_STATUS_IN_TRANS = 0x0001
const SERVER_STATUS_AUTOCOMMIT = 0x0002

/**
 * Whether `err` is a read-only error this connection must answer for (issue 12 item 1): from a server that
 * refuses writes, unless read-only by design (a reader endpoint, a server read-only since this process first
 * saw it) or the application's own READ ONLY transaction (1792).
 *
 * @example
 * ```ts
 * if (isEvictingReadOnly(host, err)) return handleReadOnly(host, cmd, err, original)
 * ```
 */
export function isEvictingReadOnly(host: MysqlReadOnlyHost, err: unknown): boolean {
  if (mysqlReadOnlyKind(err) !== 'server') return false
  return !serverMemory().readOnlyByDesign(host.target, host.connectMode)
}

/**
 * Takes the connection out of use and answers the command once: an autocommit statement (the server says no
 * transaction is open and autocommit is on: nothing of it persisted) is sent again on fresh connections within
 * `bgConnectTimeoutMs` (issue 12 item 2); any other gets `BlueGreenReadOnlyError` with the driver error as
 * `cause`. The probe (`DO 0`, whose OK packet carries the server status) runs before anything else on the
 * connection; with other commands queued behind, the statement is not retried.
 *
 * @example
 * ```ts
 * cmd.onResult = (err, ...rest) => (isEvictingReadOnly(host, err) ? handleReadOnly(host, cmd, err, original) : original(err, ...rest))
 * ```
 */
export function handleReadOnly(
  host: MysqlReadOnlyHost,
  cmd: RetryableCommand,
  err: unknown,
  original: OnResult,
  retries: boolean,
): void {
  const { bgdId, phase } = host.handle.snapshot()
  serverMemory().markSuspect(host.target)
  host.detach()
  publishEvict({ bgdId, host: host.target.host, phase, reason: 'read-only' })
  const mapped = new BlueGreenReadOnlyError({ bgdId, phase, cause: err })
  const resendable = typeof cmd.sql === 'string' && (cmd._queryOptions ?? cmd._executeOptions) !== undefined
  const fresh = host.fresh
  if (!retries || fresh === undefined || !resendable || host.queuedBehind() > 0) {
    host.discard(mapped)
    original(mapped)
    return
  }
  host.probe('DO 0', (probeErr, result) => {
    host.discard(mapped)
    const status = (result as { serverStatus?: unknown } | undefined)?.serverStatus
    const autocommit =
      probeErr == null &&
      typeof status === 'number' &&
      (status & SERVER_STATUS_IN_TRANS) === 0 &&
      (status & SERVER_STATUS_AUTOCOMMIT) !== 0
    if (!autocommit) return original(mapped)
    resend(host.handle, fresh, cmd, mapped).then(
      (results) => original(null, ...results),
      (final: unknown) => original(final),
    )
  })
}

/**
 * A command the library held (it never reached the server) whose connection the cut killed meanwhile: an
 * autocommit one is sent on fresh connections instead (they are held in turn until the switchover lets them
 * through), so the application does not see the cut at all; `undefined` when it cannot be (no factory, not a
 * resendable command), and the caller fails it with the connection's error.
 *
 * @example
 * ```ts
 * resendOrphaned(handle, fresh, cmd, err)?.then(() => cmd.emit('end')) ?? fail(cmd, err)
 * ```
 */
export function resendOrphaned(
  handle: DeploymentHandle,
  fresh: (() => Connection) | undefined,
  cmd: RetryableCommand & { onResult?: OnResult | undefined },
  err: unknown,
): Promise<void> | undefined {
  const deliver = cmd.onResult
  const resendable = typeof cmd.sql === 'string' && (cmd._queryOptions ?? cmd._executeOptions) !== undefined
  if (fresh === undefined || !resendable || typeof deliver !== 'function') return undefined
  return resend(handle, fresh, cmd, err).then(
    (results) => deliver.call(cmd, null, ...results),
    (final: unknown) => deliver.call(cmd, final),
  )
}

/** The command again, on fresh connections (each resolves the name again), until it runs or fails for good. */
function resend(
  handle: DeploymentHandle,
  fresh: () => Connection,
  cmd: RetryableCommand,
  original: unknown,
): Promise<unknown[]> {
  const { clock, options } = handle
  const bounds = { clock, deadline: clock.now() + options.connectTimeoutMs, firstPauseMs: options.highMs }
  return retryUntil(bounds, original, async (): Promise<AttemptOutcome<unknown[]>> => {
    const connection = fresh()
    // A cut during the attempt is reported through the attempt itself, never as an unhandled 'error'.
    connection.on('error', () => undefined)
    try {
      try {
        await new Promise<void>((resolve, reject) =>
          connection.connect((e) => (e == null ? resolve() : reject(e))),
        )
      } catch (error) {
        return connectRetryable(error) ? { kind: 'again', error } : { kind: 'failed', error }
      }
      const outcome = await run(connection, cmd)
      if (outcome.error === undefined) return { kind: 'done', value: outcome.results }
      // Refused again before running (still a read-only server): again. Anything else may have run: never.
      const refused = isBlueGreenError(outcome.error) && outcome.error.code === 'READ_ONLY_CONNECTION'
      return refused ? { kind: 'again', error: outcome.error } : { kind: 'failed', error: outcome.error }
    } finally {
      connection.end(() => undefined)
    }
  })
}

/** Runs the command's statement as the same kind of command (text or prepared) on `connection`. */
function run(
  connection: Connection,
  cmd: RetryableCommand,
): Promise<{ error?: unknown; results: unknown[] }> {
  return new Promise((resolve) => {
    const callback = (error: unknown, ...results: unknown[]): void =>
      resolve(error == null ? { results } : { error, results })
    if (cmd._executeOptions !== undefined) {
      const { statement: _statement, ...options } = cmd._executeOptions as Record<string, unknown>
      connection.execute({ ...options, sql: cmd.sql as string, values: cmd.values } as never, callback)
    } else {
      // The text is already formatted (values inlined, named placeholders resolved): send it as is.
      const options = { ...(cmd._queryOptions as Record<string, unknown>), sql: cmd.sql, values: [] }
      connection.query({ ...options, namedPlaceholders: false } as never, callback)
    }
  })
}
