/**
 * What a statement does to the session's transaction, read from its first keyword: `begin` (BEGIN [WORK], START
 * TRANSACTION, XA START, SET autocommit = 0), `end` (COMMIT, ROLLBACK but not ROLLBACK TO SAVEPOINT, XA COMMIT,
 * XA ROLLBACK, SET autocommit = 1) or `undefined`. A hint only, used to fail statements of a transaction the
 * switchover cut at once instead of holding them (a wrong hint only changes which retryable error arrives);
 * whether a refused statement may be sent again is asked of the server itself (see `read-only.ts`).
 *
 * @example
 * ```ts
 * transactionEffect('START TRANSACTION') // 'begin'
 * transactionEffect('ROLLBACK TO SAVEPOINT s1') // undefined
 * ```
 */
export function transactionEffect(sql: string): 'begin' | 'end' | undefined {
  const start = firstWordStart(sql)
  if (start < 0) return undefined
  const first = sql.charCodeAt(start) | 0x20
  // Cheap filter: only B(EGIN), S(TART/SET), C(OMMIT), R(OLLBACK), X(A) can change the transaction.
  if (first !== 0x62 && first !== 0x73 && first !== 0x63 && first !== 0x72 && first !== 0x78) return undefined
  const head = sql.slice(start, start + 64)
  if (BEGIN.test(head)) return 'begin'
  if (END.test(head)) return 'end'
  const autocommit = AUTOCOMMIT.exec(head)
  if (autocommit === null) return undefined
  return /^(0|off|false)$/i.test(autocommit[1] ?? '') ? 'begin' : 'end'
}

const BEGIN = /^(?:begin(?:\s+work)?\s*(?:;|$)|start\s+transaction\b|xa\s+(?:start|begin)\b)/i
const END = /^(?:commit\b|rollback\b(?!\s+(?:work\s+)?to\b)|xa\s+(?:commit|rollback)\b)/i
const AUTOCOMMIT = /^set\s+(?:@@(?:session\.)?|session\s+|local\s+)?autocommit\s*(?:=|:=|\s)\s*'?(\w+)/i

/** Index of the first character after leading whitespace and comments; -1 if there is none. */
function firstWordStart(sql: string): number {
  let i = 0
  while (i < sql.length) {
    const c = sql.charCodeAt(i)
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) {
      i++
    } else if (c === 0x2f && sql.charCodeAt(i + 1) === 0x2a) {
      const end = sql.indexOf('*/', i + 2)
      if (end < 0) return -1
      i = end + 2
    } else if ((c === 0x2d && sql.charCodeAt(i + 1) === 0x2d) || c === 0x23) {
      const end = sql.indexOf('\n', i)
      if (end < 0) return -1
      i = end + 1
    } else {
      return i
    }
  }
  return -1
}
