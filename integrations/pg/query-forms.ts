import type pg from 'pg'
import { transactionEffect } from '../shared/transaction-keywords.js'

/** The callback shape of pg's query forms. */
export type Callback = (err: unknown, result?: unknown) => void

/**
 * A held Submittable (cursor, stream) whose hold failed: report through its own error path.
 *
 * @example
 * ```ts
 * hold.catch((err) => failSubmittable(cursor, values, err))
 * ```
 */
export function failSubmittable(record: Record<string, unknown>, values: unknown, err: unknown): void {
  const callback = typeof values === 'function' ? values : record['callback']
  if (typeof callback === 'function') (callback as Callback)(err)
  else if (typeof record['handleError'] === 'function') (record['handleError'] as (e: unknown) => void)(err)
  else if (typeof record['emit'] === 'function')
    (record['emit'] as (e: string, x: unknown) => void)('error', err)
}

/**
 * A plain statement (text, or a config object that is not a Submittable) as a query config; else `undefined`.
 *
 * @example
 * ```ts
 * statementConfig('SELECT $1', [1]) // { text: 'SELECT $1', values: [1] }
 * ```
 */
export function statementConfig(config: unknown, values: unknown): pg.QueryConfig | undefined {
  const params = Array.isArray(values) ? (values as unknown[]) : undefined
  if (typeof config === 'string')
    return params === undefined ? { text: config } : { text: config, values: params }
  if (typeof config !== 'object' || config === null) return undefined
  const record = config as Record<string, unknown>
  if (typeof record['text'] !== 'string' || typeof record['submit'] === 'function') return undefined
  const { callback: _callback, ...rest } = record
  return (params === undefined ? rest : { ...rest, values: params }) as unknown as pg.QueryConfig
}

/** What to do with a held statement whose connection the cut killed while it was held. */
export type OrphanPlan = (
  | { readonly kind: 'resend'; readonly statement: pg.QueryConfig }
  | { readonly kind: 'interrupt' }
  | { readonly kind: 'send-here' }
) & {
  /** Whether a held BEGIN on this client was seen: what follows it belongs to its transaction. */
  readonly heldTransaction: boolean
}

/**
 * The plan for a held statement that never reached the server when its connection died: an autocommit
 * statement may go to a fresh connection (`resend`); one of a transaction (open, or begun by a held BEGIN before
 * it) and transaction control itself fail as interrupted; a Submittable or an odd form is sent here as usual
 * and fails with pg's own error.
 *
 * @example
 * ```ts
 * orphanPlan('INSERT INTO t VALUES (1)', undefined, false, false) // { kind: 'resend', ... }
 * ```
 */
export function orphanPlan(
  config: unknown,
  values: unknown,
  inTransaction: boolean,
  heldTransaction: boolean,
): OrphanPlan {
  const statement = statementConfig(config, values)
  const effect = statement === undefined ? undefined : transactionEffect(statement.text)
  const held = heldTransaction || effect === 'begin'
  if (effect !== undefined || inTransaction || held) return { kind: 'interrupt', heldTransaction: held }
  if (statement === undefined) return { kind: 'send-here', heldTransaction: held }
  return { kind: 'resend', statement, heldTransaction: held }
}
