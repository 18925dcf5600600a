import net from 'node:net'
import type { LabLookupFunction } from '../lab-lookup.js'

/**
 * A socket factory for `pg`'s `stream` option that resolves through `lookup`: pg calls `stream.connect(port,
 * host)`, and neither pg nor mysql2 pass a `lookup` option to `net.connect` themselves.
 */
export function pgLookupStream(lookup: LabLookupFunction): () => net.Socket {
  class LookupSocket extends net.Socket {
    override connect(...args: unknown[]): this {
      const [port, host] = args
      if (typeof port === 'number' && typeof host === 'string') return super.connect({ port, host, lookup })
      return super.connect(...(args as Parameters<net.Socket['connect']>))
    }
  }
  return () => new LookupSocket()
}

/** A `stream` function for mysql2 that connects through `lookup`. */
export function mysqlLookupStream(host: string, port: number, lookup: LabLookupFunction): () => net.Socket {
  return () => net.connect({ host, port, lookup })
}
