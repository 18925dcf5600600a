import type pg from 'pg'

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
