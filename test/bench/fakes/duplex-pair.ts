import { Duplex } from 'node:stream'

/**
 * One end of an in-process pipe that a driver can use as its socket: what one end writes, the other reads, with
 * no kernel and no event-loop turn beyond the stream's own. `connect()` answers 'connect' on the next tick, as a
 * socket does; ending either end closes both.
 */
export class PipeEnd extends Duplex {
  peer: PipeEnd | undefined
  remoteAddress = '127.0.0.1'
  #pending: Buffer[] = []

  // Delivered on a later tick, coalesced, as a socket would: a driver must never read its answer while it is
  // still inside its own write.
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.#pending.push(chunk) === 1) process.nextTick(this.#flush)
    callback()
  }

  readonly #flush = (): void => {
    const chunks = this.#pending
    this.#pending = []
    this.peer?.push(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks))
  }

  override _read(): void {
    // Data arrives through the peer's writes.
  }

  override _final(callback: (error?: Error | null) => void): void {
    process.nextTick(() => this.peer?.push(null))
    callback()
  }

  connect(): this {
    process.nextTick(() => this.emit('connect'))
    return this
  }

  setNoDelay(): this {
    return this
  }

  setKeepAlive(): this {
    return this
  }

  setTimeout(): this {
    return this
  }

  ref(): this {
    return this
  }

  unref(): this {
    return this
  }
}

/**
 * Two connected pipe ends: `[client, server]`.
 *
 * @example
 * const [client, server] = duplexPair()
 * server.on('data', (chunk) => server.write(chunk)) // echo
 */
export function duplexPair(): [PipeEnd, PipeEnd] {
  const a = new PipeEnd()
  const b = new PipeEnd()
  a.peer = b
  b.peer = a
  return [a, b]
}
