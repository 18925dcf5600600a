/**
 * What a statement does to the session's transaction, read from its first keyword: `begin` (BEGIN [WORK], START
 * TRANSACTION, XA START, SET autocommit = 0), `end` (COMMIT, END, ABORT, ROLLBACK but not ROLLBACK TO SAVEPOINT,
 * XA COMMIT, XA ROLLBACK, SET autocommit = 1) or `undefined`. PostgreSQL's and MySQL's spellings both. A hint only, used to fail statements of a transaction the
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
  // Cheap filter: only A(BORT), B(EGIN), C(OMMIT), E(ND), R(OLLBACK), S(TART/SET), X(A) can change the transaction.
  if (!FIRST_LETTERS.has(first)) return undefined
  const head = sql.slice(start, start + 64)
  if (BEGIN.test(head)) return 'begin'
  if (END.test(head)) return 'end'
  const autocommit = AUTOCOMMIT.exec(head)
  if (autocommit === null) return undefined
  return /^(0|off|false)$/i.test(autocommit[1] ?? '') ? 'begin' : 'end'
}

const FIRST_LETTERS = new Set([0x61, 0x62, 0x63, 0x65, 0x72, 0x73, 0x78])
// BEGIN takes options on PostgreSQL (ISOLATION LEVEL, READ ONLY); MariaDB's BEGIN NOT ATOMIC is a compound statement.
const BEGIN = /^(?:begin\b(?!\s+not\s+atomic)|start\s+transaction\b|xa\s+(?:start|begin)\b)/i
const END =
  /^(?:commit\b|end\b|abort\b|rollback\b(?!\s+(?:work\s+|transaction\s+)?to\b)|xa\s+(?:commit|rollback)\b)/i
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
