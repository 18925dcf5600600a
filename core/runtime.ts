import { lookup as dnsLookup } from 'node:dns'

/**
 * The effects the core needs from its environment, injected so that unit tests run on a fake clock, a fake
 * resolver and a fake metadata source.
 */

/** Time source and sleeping. Every real timer is `unref()`'d so the library never keeps a process alive. */
export interface Clock {
  /** Monotonic milliseconds. */
  now(): number
  /** Wall-clock milliseconds since the epoch (for log timestamps only). */
  wallNow(): number
  /** Resolves after `ms`, or early (without rejecting) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
  /** Calls `fn` once after `ms`; returns the cancel function. Never keeps the process alive. */
  timer(ms: number, fn: () => void): () => void
}

/** The real clock: `performance.now()` and unref'd timers. */
export const systemClock: Clock = {
  now: () => performance.now(),
  wallNow: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted === true) {
        resolve()
        return
      }
      const onAbort = (): void => {
        clearTimeout(timer)
        resolve()
      }
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      }, ms)
      timer.unref()
      signal?.addEventListener('abort', onAbort, { once: true })
    }),
  timer: (ms, fn) => {
    const handle = setTimeout(fn, ms)
    handle.unref()
    return () => clearTimeout(handle)
  },
}

/** Resolves one host name to one address, like `dns.lookup` (first address). */
export type LookupFunction = (
  hostname: string,
  options: { family?: number; all?: false },
  callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
) => void

/**
 * Promise-returning resolver used by monitors: the address, or `undefined` when the name does not exist.
 * Rejects when the answer is unknown (DNS server down, timeout), so an outage is never mistaken for a removal.
 */
export interface Resolver {
  resolve(host: string): Promise<string | undefined>
}

const NAME_GONE = new Set(['ENOTFOUND', 'ENODATA', 'EAI_NONAME', 'EAI_NODATA'])

/** A resolver over a `dns.lookup`-shaped function (the default is `dns.lookup`, the OS resolver). */
export function lookupResolver(lookup: LookupFunction = dnsLookup): Resolver {
  return {
    resolve: (host) =>
      new Promise((resolve, reject) => {
        try {
          lookup(host, {}, (err, address) => {
            if (err === null) resolve(address)
            else if (NAME_GONE.has(err.code ?? '')) resolve(undefined)
            else reject(err)
          })
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)))
        }
      }),
  }
}

/**
 * Any `debug/info/warn/error` logger (console, pino, winston...), given as the `logger` option.
 *
 * @example
 * ```ts
 * const logger: Logger = pino()
 * ```
 */
export interface Logger {
  debug(message: string, ...args: unknown[]): void
  info(message: string, ...args: unknown[]): void
  warn(message: string, ...args: unknown[]): void
  error(message: string, ...args: unknown[]): void
}

/** Warnings, errors and the switchover summary go to the console; debug and info chatter does not. */
export const consoleLogger: Logger = {
  debug: () => undefined,
  info: (message, ...args) => console.info(message, ...args),
  warn: (message, ...args) => console.warn(message, ...args),
  error: (message, ...args) => console.error(message, ...args),
}

/** Logs nothing. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
}
