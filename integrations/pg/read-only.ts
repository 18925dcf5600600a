import type pg from 'pg'
import { publishEvict } from '../../core/channels.js'
import { BlueGreenReadOnlyError, isBlueGreenError } from '../../core/errors.js'
import type { DeploymentHandle } from '../../core/registry.js'
import type { ConnectTarget } from '../../core/types.js'
import { pgReadOnlyKind, serverMemory } from '../shared/read-only.js'
import type { AttemptOutcome } from '../shared/retry-read-only.js'
import { connectRetryable, retryUntil } from '../shared/retry-read-only.js'
import type { PgSession } from './session.js'

/** The slice of pg's active `Query` this module reads and, for one failed statement, redirects. */
export interface ActiveQuery {
  readonly text?: string
  readonly values?: unknown
  readonly types?: unknown
  readonly name?: string
  readonly binary?: boolean
  readonly queryMode?: string
  /** Set for portals read in pieces (cursors): never retried. */
  readonly rows?: number
  readonly _rowMode?: string
  callback?: ((err: unknown, result?: unknown) => void) | undefined
  handleError(err: unknown, connection: unknown): void
}

/** What the read-only handling needs from the client that met the error. */
export interface ReadOnlyHost {
  readonly handle: DeploymentHandle
  readonly target: ConnectTarget
  readonly session: PgSession
  /** False on the connections this module opens itself: they never retry in turn. */
  readonly retries: boolean
  /** Takes the connection out of use (its pool never hands it out again). */
  discard(): void
  /** A new routed client with the same settings, outside any pool. */
  fresh(): pg.Client
}

/**
 * Called with every server error message for the active query, before pg delivers it. A read-only error from a
 * server that no longer accepts writes (not one read-only by design, not the application's own READ ONLY
 * transaction) discards the connection and reaches the application as `BlueGreenReadOnlyError`; an autocommit
 * statement (the transaction status after the error is idle: no block open, nothing persisted) is first sent
 * again on fresh connections, within `bgConnectTimeoutMs` (issue 12 items 1 and 2).
 *
 * @example
 * ```ts
 * onReadOnlyError(host, client._activeQuery, msg) // then pg's own handler runs
 * ```
 */
export function onReadOnlyError(host: ReadOnlyHost, query: ActiveQuery, msg: unknown): void {
  if (pgReadOnlyKind(msg, host.session) !== 'server') return
  const memory = serverMemory()
  if (memory.readOnlyByDesign(host.target, host.session.connectMode)) return
  const { bgdId, phase } = host.handle.snapshot()
  memory.markSuspect(host.target)
  host.discard()
  publishEvict({ bgdId, host: host.target.host, phase, reason: 'read-only' })
  const mapped = new BlueGreenReadOnlyError({ bgdId, phase, cause: msg })
  const deliver = query.handleError.bind(query)
  const retry =
    host.retries && host.handle.options.retryReadOnly && typeof query.callback === 'function' && !query.rows
  query.handleError = (_err, connection) => {
    if (!retry) return deliver(mapped, connection)
    void host.session.statusAfterError().then((status) => {
      if (status !== 'I') return deliver(mapped, connection)
      resendStatement(host, queryConfig(query), mapped).then(
        (result) => query.callback?.(null, result),
        (err: unknown) => deliver(err, connection),
      )
    })
  }
}

/**
 * The statement again, on fresh connections (each resolves the name again), until it runs or fails for good:
 * after a read-only refusal, or for a statement the library held that never reached the server when the cut
 * killed its connection. `original` is what the application gets if no attempt succeeds in time.
 *
 * @example
 * ```ts
 * const result = await resendStatement(host, { text: 'INSERT ...', values }, err)
 * ```
 */
export function resendStatement(
  host: ReadOnlyHost,
  config: pg.QueryConfig,
  original: unknown,
): Promise<unknown> {
  const { clock, options } = host.handle
  const bounds = { clock, deadline: clock.now() + options.connectTimeoutMs, firstPauseMs: options.highMs }
  return retryUntil(bounds, original, async (): Promise<AttemptOutcome<unknown>> => {
    const fresh = host.fresh()
    // A cut during the attempt is reported through the attempt's own promise, never as an unhandled 'error'.
    fresh.on('error', () => undefined)
    try {
      try {
        await fresh.connect()
      } catch (error) {
        return connectRetryable(error) ? { kind: 'again', error } : { kind: 'failed', error }
      }
      try {
        return { kind: 'done', value: await fresh.query(config) }
      } catch (error) {
        // Refused again before running (still a read-only server): again. Anything else may have run: never.
        const refused = isBlueGreenError(error) && error.code === 'READ_ONLY_CONNECTION'
        return refused ? { kind: 'again', error } : { kind: 'failed', error }
      }
    } finally {
      void fresh.end().catch(() => undefined)
    }
  })
}

/** The same statement as a plain query config (pg's Query objects are single-use). */
function queryConfig(query: ActiveQuery): pg.QueryConfig {
  const config: Record<string, unknown> = { text: query.text ?? '' }
  if (query.values !== undefined) config['values'] = query.values
  if (query.types !== undefined) config['types'] = query.types
  if (query.name !== undefined) config['name'] = query.name
  if (query.binary !== undefined) config['binary'] = query.binary
  if (query.queryMode !== undefined) config['queryMode'] = query.queryMode
  if (query._rowMode !== undefined) config['rowMode'] = query._rowMode
  return config as unknown as pg.QueryConfig
}
