import type { LookupFunction } from '../../../core/runtime.js'

export const DOMAIN = 'c9akciq32.us-east-1.rds.amazonaws.com'
export const BLUE = `mydb.${DOMAIN}`
export const GREEN = `mydb-green-x7k2p9.${DOMAIN}`
export const BLUE_IP = '127.0.1.1'
export const GREEN_IP = '127.0.1.2'

/** A `dns.lookup` over a fixed table; records every name asked for; unknown names fail with ENOTFOUND. */
export function tableLookup(table: Readonly<Record<string, string>>, asked: string[] = []): LookupFunction {
  return (hostname, _options, callback) => {
    asked.push(hostname)
    const address = table[hostname.toLowerCase()]
    setImmediate(() => {
      if (address === undefined) {
        const err: NodeJS.ErrnoException = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
          code: 'ENOTFOUND',
        })
        callback(err, '', 0)
      } else callback(null, address, 4)
    })
  }
}

/** Polls `check` every 10 ms until it is true or `timeoutMs` passes. */
export async function waitFor(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const start = Date.now()
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** A logger that keeps every line. */
export class LinesLogger {
  readonly lines: { level: string; message: string }[] = []
  debug = (message: string): void => void this.lines.push({ level: 'debug', message })
  info = (message: string): void => void this.lines.push({ level: 'info', message })
  warn = (message: string): void => void this.lines.push({ level: 'warn', message })
  error = (message: string): void => void this.lines.push({ level: 'error', message })
  warnings(fragment = ''): string[] {
    return this.lines.filter((l) => l.level === 'warn' && l.message.includes(fragment)).map((l) => l.message)
  }
}
