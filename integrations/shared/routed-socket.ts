import { Socket, isIP } from 'node:net'
import type { LookupFunction } from '../../core/runtime.js'

/** Where a socket should really dial, when routing substituted the configured host. */
export interface DialOverride {
  readonly address: string
  readonly port: number
}

/** What a routed socket needs: the shared resolver and whether to keep the connection alive. */
export interface RoutedSocketOptions {
  /** Resolves host names (default: the OS resolver through `net`). */
  readonly lookup?: LookupFunction | undefined
  /** Enables TCP keep-alive with this initial delay (ms); `undefined` leaves it off. */
  readonly keepAliveInitialDelayMs?: number | undefined
}

/**
 * A `net.Socket` that drivers dial with `connect(port, host)` as usual, while the library decides the real
 * address: a substituted IP from the Blue/Green snapshot (the driver keeps the host name for TLS and
 * authentication) and/or the injected `lookup`. The one-argument Unix-socket form passes through unchanged.
 *
 * @example
 * ```ts
 * const socket = new RoutedSocket({ lookup })
 * socket.override = { address: '10.0.0.7', port: 5432 }
 * socket.connect(5432, 'mydb.c9akciq32.us-east-1.rds.amazonaws.com') // dials 10.0.0.7:5432
 * ```
 */
export class RoutedSocket extends Socket {
  /** Set before the driver dials to send the socket elsewhere. */
  override: DialOverride | undefined
  /** The remote IP once connected; kept after close, unlike `remoteAddress`. */
  dialedAddress: string | undefined
  readonly #lookup: LookupFunction | undefined
  readonly #keepAliveMs: number | undefined

  constructor(options: RoutedSocketOptions = {}) {
    super()
    this.#lookup = options.lookup
    this.#keepAliveMs = options.keepAliveInitialDelayMs
    this.once('connect', this.#onConnect)
  }

  /** `connect(port, host)` is routed; every other form (Unix path, options object) passes through. */
  override connect(...args: unknown[]): this {
    const [port, host] = args
    if (typeof host !== 'string' || (typeof port !== 'number' && typeof port !== 'string')) {
      return this.#raw(args)
    }
    const address = this.override?.address ?? host
    const dialPort = this.override?.port ?? Number(port)
    const lookup = this.#lookup
    if (lookup === undefined || isIP(address) !== 0 || address.startsWith('/')) {
      return this.#raw([dialPort, address])
    }
    try {
      lookup(address, {}, (err, ip) => {
        if (this.destroyed) return
        if (err !== null) this.destroy(err)
        else this.#raw([dialPort, ip])
      })
    } catch (err) {
      process.nextTick(() => this.destroy(err instanceof Error ? err : new Error(String(err))))
    }
    return this
  }

  #raw(args: unknown[]): this {
    // The base method, called on this socket.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const connect = Socket.prototype.connect as (this: Socket, ...rest: unknown[]) => Socket
    connect.apply(this, args)
    return this
  }

  readonly #onConnect = (): void => {
    this.dialedAddress = this.remoteAddress
    this.setNoDelay(true)
    if (this.#keepAliveMs !== undefined) this.setKeepAlive(true, this.#keepAliveMs)
  }
}
