import type { Server, Socket } from 'node:net'
import { connect, createServer } from 'node:net'
import type { Transform } from 'node:stream'

/** A tiny TCP forwarder on a loopback address, logging every accepted connection. */
export interface TcpProxy {
  readonly host: string
  readonly port: number
  /** Remote ports of accepted connections, in order. */
  readonly accepts: number[]
  /** Currently open client-side sockets. */
  readonly open: Set<Socket>
  /** Every accepted connection's lifetime (`Date.now()` at accept and at close; `closed` unset while open). */
  readonly history: { readonly opened: number; closed: number | undefined }[]
  /** Refuse new connections (closes them at once) while true. */
  refuse: boolean
  /** Destroys every open connection (simulates the server killing them). */
  dropAll(): void
  close(): Promise<void>
}

/**
 * Listens on `host:port` (port 0 picks one) and pipes every connection to `target`.
 *
 * @example
 * ```ts
 * const blue = await startTcpProxy('127.0.1.1', 0, { host: '127.0.0.1', port: 5432 })
 * ```
 */
export async function startTcpProxy(
  host: string,
  port: number,
  target: { host: string; port: number },
  /** A transform for each connection's server-to-client bytes (default: none). */
  fromServer?: () => Transform,
): Promise<TcpProxy> {
  const accepts: number[] = []
  const history: TcpProxy['history'][number][] = []
  const open = new Set<Socket>()
  const peers = new Set<Socket>()
  const state = { refuse: false }
  const server: Server = createServer((socket) => {
    accepts.push(socket.remotePort ?? 0)
    const life: TcpProxy['history'][number] = { opened: Date.now(), closed: undefined }
    history.push(life)
    if (state.refuse) {
      life.closed = life.opened
      socket.destroy()
      return
    }
    const upstream = connect(target.port, target.host)
    open.add(socket)
    peers.add(upstream)
    socket.setNoDelay(true)
    upstream.setNoDelay(true)
    socket.pipe(upstream)
    if (fromServer === undefined) upstream.pipe(socket)
    else upstream.pipe(fromServer()).pipe(socket)
    const close = (): void => {
      life.closed ??= Date.now()
      open.delete(socket)
      peers.delete(upstream)
      socket.destroy()
      upstream.destroy()
    }
    socket.on('error', close).on('close', close)
    upstream.on('error', close).on('close', close)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve())
  })
  const address = server.address()
  const bound = typeof address === 'object' && address !== null ? address.port : port
  return {
    host,
    port: bound,
    accepts,
    open,
    history,
    get refuse() {
      return state.refuse
    },
    set refuse(value: boolean) {
      state.refuse = value
    },
    dropAll() {
      for (const socket of [...open, ...peers]) socket.destroy()
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of [...open, ...peers]) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
