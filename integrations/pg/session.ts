import type { EventEmitter } from 'node:events'
import type { Phase } from '../../core/phases.js'
import type { PgReportedParameters, ServerMode } from '../shared/read-only.js'
import { pgServerMode } from '../shared/read-only.js'

/** A ParameterStatus message, as pg's connection emits it. */
interface ParameterStatus {
  readonly parameterName?: string
  readonly parameterValue?: string
}

/** A ReadyForQuery message: `I` idle, `T` in a transaction block, `E` in a failed one. */
interface ReadyForQuery {
  readonly status?: string
}

/**
 * What the PostgreSQL protocol says about one connection, read from its own messages (no extra query): the
 * server's writability (reported at startup and on change since PostgreSQL 14) and the transaction state after
 * every statement, with the phase the open transaction began in.
 *
 * @example
 * ```ts
 * const session = new PgSession(client.connection, () => binding.current()?.snapshot().phase)
 * session.inTransaction() // true between BEGIN and COMMIT
 * ```
 */
export class PgSession implements PgReportedParameters {
  defaultTransactionReadOnly: string | undefined
  inHotStandby: string | undefined
  /** The server mode when the connection became ready (`unknown` before). */
  connectMode: ServerMode = 'unknown'
  /** The phase published when the open transaction began; `undefined` outside one. */
  transactionOpenedIn: Phase | undefined
  #status: string | undefined
  #awaitingReady = false
  #statusAfterError: string | undefined
  readonly #waiters: ((status: string | undefined) => void)[] = []
  readonly #phase: () => Phase | undefined

  constructor(connection: EventEmitter, phase: () => Phase | undefined) {
    this.#phase = phase
    connection.on('parameterStatus', (msg: ParameterStatus) => {
      if (msg.parameterName === 'default_transaction_read_only')
        this.defaultTransactionReadOnly = msg.parameterValue
      else if (msg.parameterName === 'in_hot_standby') this.inHotStandby = msg.parameterValue
    })
    connection.on('errorMessage', () => {
      this.#awaitingReady = true
      this.#statusAfterError = undefined
    })
    connection.on('readyForQuery', (msg: ReadyForQuery) => this.#ready(msg.status))
    const ended = (): void => this.#flush(undefined)
    connection.on('end', ended)
    connection.on('error', ended)
  }

  /** Records the server mode once the connection is ready. */
  connected(): ServerMode {
    this.connectMode = pgServerMode(this)
    return this.connectMode
  }

  /** Whether a transaction block is open (after the last statement). */
  inTransaction(): boolean {
    return this.#status === 'T' || this.#status === 'E'
  }

  /**
   * The transaction status right after the last error (the ReadyForQuery that follows it), or `undefined` if the
   * connection ended first. `I` means no transaction block is open and nothing of the failed statement
   * persisted, so it may be sent again. Works whether the error was delivered before or after that message.
   */
  statusAfterError(): Promise<string | undefined> {
    if (!this.#awaitingReady) return Promise.resolve(this.#statusAfterError)
    return new Promise((resolve) => this.#waiters.push(resolve))
  }

  #ready(status: string | undefined): void {
    if (this.#awaitingReady) this.#flush(status)
    if (status === this.#status) return
    if (status === 'I') this.transactionOpenedIn = undefined
    else if (this.#status === 'I' || this.#status === undefined) this.transactionOpenedIn = this.#phase()
    this.#status = status
  }

  #flush(status: string | undefined): void {
    this.#awaitingReady = false
    this.#statusAfterError = status
    for (const waiter of this.#waiters.splice(0)) waiter(status)
  }
}
