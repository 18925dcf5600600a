import net from 'node:net'
import type { LabClock } from './clock.js'

/** What the proxy does with NEW connections. Existing connections always keep flowing until reset. */
export type BlockMode = 'hold' | 'refuse' | 'blackhole'
export type ProxyMode = 'forward' | BlockMode

/** One accepted client connection (refused ones never reach the proxy and are not logged). */
export interface ProxyAcceptEntry {
  readonly t: number
  readonly remoteAddress: string
  readonly instance: string
  /** The mode the connection met: forwarded at once, held, or blackholed. */
  readonly mode: ProxyMode
}

/** A TCP proxy standing in front of one instance on its public address. */
export interface InstanceProxy {
  readonly instance: string
  readonly address: string
  readonly port: number
  mode(): ProxyMode
  /** hold: accept and forward on unblock; refuse: stop listening (ECONNREFUSED); blackhole: accept, never answer. */
  block(mode: BlockMode): Promise<void>
  unblock(): Promise<void>
  /** Sends a TCP RST to every open client connection and drops its upstream. Returns how many were reset. */
  resetAll(): number
  /** Delay added to every chunk in each direction. */
  setLatency(ms: number): void
  openConnections(): number
  log(): readonly ProxyAcceptEntry[]
  close(): Promise<void>
}

export interface ProxyOptions {
  readonly instance: string
  readonly listen: { readonly host: string; readonly port: number }
  readonly target: { readonly host: string; readonly port: number }
  readonly clock: LabClock
}

function pipeWithLatency(from: net.Socket, to: net.Socket, latency: () => number): void {
  from.on('data', (chunk: Buffer) => {
    const ms = latency()
    if (ms <= 0) to.write(chunk)
    else setTimeout(() => to.writable && to.write(chunk), ms).unref()
  })
}

/**
 * Starts a proxy for one instance.
 *
 * @example
 * const p = await startProxy({ instance: 'blue', listen: { host: '127.10.1.1', port: 5432 }, target, clock })
 * await p.block('hold'); p.resetAll(); await p.unblock()
 */
export async function startProxy(opts: ProxyOptions): Promise<InstanceProxy> {
  let mode: ProxyMode = 'forward'
  let latency = 0
  let server: net.Server | undefined
  const clients = new Set<net.Socket>()
  const upstreams = new Set<net.Socket>()
  const held: net.Socket[] = []
  const entries: ProxyAcceptEntry[] = []

  const forward = (client: net.Socket): void => {
    if (client.destroyed) return
    const upstream = net.connect({ host: opts.target.host, port: opts.target.port })
    upstreams.add(upstream)
    upstream.setNoDelay(true)
    upstream.on('error', () => client.destroy())
    client.on('error', () => upstream.destroy())
    upstream.on('close', () => {
      upstreams.delete(upstream)
      client.destroy()
    })
    client.on('close', () => upstream.destroy())
    pipeWithLatency(client, upstream, () => latency)
    pipeWithLatency(upstream, client, () => latency)
    client.resume()
  }

  const onConnection = (client: net.Socket): void => {
    client.pause()
    client.setNoDelay(true)
    clients.add(client)
    client.on('close', () => clients.delete(client))
    client.on('error', () => undefined)
    entries.push({
      t: opts.clock.now(),
      remoteAddress: client.remoteAddress ?? '',
      instance: opts.instance,
      mode,
    })
    if (mode === 'hold') held.push(client)
    else if (mode === 'forward') forward(client)
    // blackhole: leave it paused and unanswered; the client's connect timeout decides.
  }

  const listen = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const s = net.createServer(onConnection)
      s.once('error', reject)
      s.listen({ host: opts.listen.host, port: opts.listen.port, backlog: 511 }, () => {
        s.off('error', reject)
        server = s
        resolve()
      })
    })
  const stopListening = (): void => {
    server?.close()
    server = undefined
  }

  await listen()
  return {
    instance: opts.instance,
    address: opts.listen.host,
    port: opts.listen.port,
    mode: () => mode,
    async block(next) {
      if (next === 'refuse') stopListening()
      else if (server === undefined) await listen()
      mode = next
    },
    async unblock() {
      if (server === undefined) await listen()
      mode = 'forward'
      for (const c of held.splice(0)) forward(c)
    },
    resetAll() {
      const n = clients.size
      for (const s of [...clients, ...upstreams]) s.resetAndDestroy()
      held.length = 0
      return n
    },
    setLatency(ms) {
      latency = ms
    },
    openConnections: () => clients.size,
    log: () => entries,
    async close() {
      for (const s of [...clients, ...upstreams]) s.destroy()
      const s = server
      server = undefined
      if (s !== undefined) await new Promise<void>((resolve) => s.close(() => resolve()))
    },
  }
}
