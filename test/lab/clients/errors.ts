/**
 * A short, stable code for a failed op: SQLSTATE for pg (`25006`), the error name for mysql2
 * (`ER_OPTION_PREVENTS_STATEMENT`), the errno name for sockets (`ECONNRESET`), else a code derived from the
 * message. Used as the key of `errorsByCode`.
 */
export function errorCode(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown; name?: unknown } | undefined
  if (typeof e?.code === 'string' && e.code !== '') return e.code
  const msg = typeof e?.message === 'string' ? e.message : String(err)
  if (/timeout expired|connect(ion)? ?timed? ?out|ETIMEDOUT/i.test(msg)) return 'CONNECT_TIMEOUT'
  if (/Query read timeout|query timeout/i.test(msg)) return 'QUERY_TIMEOUT'
  if (/terminated unexpectedly|Connection terminated/i.test(msg)) return 'CONNECTION_TERMINATED'
  if (/closed state|Can't add new command when connection is in closed state/i.test(msg))
    return 'CONNECTION_CLOSED'
  if (/not queryable|connection error/i.test(msg)) return 'CONNECTION_ERROR'
  if (/read-only|read only/i.test(msg)) return 'READ_ONLY'
  const name = typeof e?.name === 'string' ? e.name : 'Error'
  return name === 'Error' ? 'UNKNOWN' : name
}

/** Races a promise against a timer (unref'd); used so `close()` never hangs on a dead socket. */
export async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined
  const t = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms)
    timer.unref()
  })
  try {
    return await Promise.race([p, t])
  } finally {
    clearTimeout(timer)
  }
}
