/**
 * Splits a SQL script into statements at top-level semicolons, keeping semicolons inside quoted strings,
 * quoted identifiers and comments. Empty statements are dropped. (`DELIMITER` blocks are a client-side
 * convention of the mysql CLI and are not supported.)
 *
 * @example
 * ```ts
 * splitStatements("INSERT INTO t VALUES ('a;b'); -- done;\nSELECT 1")
 * // ["INSERT INTO t VALUES ('a;b')", '-- done;\nSELECT 1']
 * ```
 */
export function splitStatements(script: string): string[] {
  const statements: string[] = []
  let start = 0
  let i = 0
  const push = (end: number): void => {
    const statement = script.slice(start, end).trim()
    if (statement.length > 0) statements.push(statement)
  }
  while (i < script.length) {
    const ch = script[i] as string
    const next = script[i + 1]
    if (ch === "'" || ch === '"' || ch === '`') {
      i = skipQuoted(script, i, ch)
    } else if ((ch === '-' && next === '-') || ch === '#') {
      const eol = script.indexOf('\n', i)
      i = eol < 0 ? script.length : eol + 1
    } else if (ch === '/' && next === '*') {
      const close = script.indexOf('*/', i + 2)
      i = close < 0 ? script.length : close + 2
    } else if (ch === ';') {
      push(i)
      start = ++i
    } else {
      i++
    }
  }
  push(script.length)
  return statements
}

/** The index after the closing quote; a doubled quote or a backslash escape stays inside the literal. */
function skipQuoted(script: string, open: number, quote: string): number {
  let i = open + 1
  while (i < script.length) {
    const ch = script[i]
    if (ch === '\\' && quote !== '`') {
      i += 2
    } else if (ch === quote) {
      if (script[i + 1] !== quote) return i + 1
      i += 2
    } else {
      i++
    }
  }
  return i
}
