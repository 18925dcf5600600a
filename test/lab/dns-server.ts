import dgram from 'node:dgram'
import type { LabClock } from './clock.js'
import { buildAnswer, parseQuery, RCODE_NOERROR, RCODE_NXDOMAIN, TYPE_A, TYPE_AAAA } from './dns-packet.js'

/** One logged query. `answer` is the IP given, `NXDOMAIN`, `NOERROR` (empty, e.g. AAAA) or `DROPPED` (server down). */
export interface DnsLogEntry {
  readonly t: number
  readonly name: string
  /** `A`, `AAAA`, or the numeric type of anything else. */
  readonly type: string
  readonly answer: string
}

interface DnsRecord {
  current: string | null
  previous: string | null
  /** Until this lab time, queries still get `previous` (resolver caches, Route 53 propagation). */
  staleUntil: number
}

/** The lab's authoritative DNS for the fake `*.rds.amazonaws.com` zone. */
export interface LabDns {
  readonly ip: string
  readonly port: number
  /** Points `name` at `ip` (null removes it: NXDOMAIN); for `staleMs` queries still get the old answer. */
  set(name: string, ip: string | null, staleMs?: number): void
  /** What a query for `name` would get right now (no log entry). */
  answer(name: string): string | null
  /** While down, queries are dropped: getaddrinfo fails with EAI_AGAIN after the resolv.conf timeout. */
  setDown(down: boolean): void
  log(): readonly DnsLogEntry[]
  close(): Promise<void>
}

export interface LabDnsOptions {
  readonly ip: string
  readonly port?: number
  readonly ttl?: number
  /** Per-query probability (0..1) of a stale answer inside the stale window being replaced by the new one. */
  readonly staleJitter?: number
  readonly clock: LabClock
}

/**
 * Starts the lab DNS server on UDP `ip:53`. AAAA queries get an empty NOERROR, otherwise getaddrinfo(AF_UNSPEC)
 * waits for the resolver timeout.
 *
 * @example
 * const dns = await startLabDns({ ip: '127.10.0.53', clock }); dns.set('mydb.x.rds.amazonaws.com', '127.10.1.1')
 */
export async function startLabDns(opts: LabDnsOptions): Promise<LabDns> {
  const port = opts.port ?? 53
  const ttl = opts.ttl ?? 5
  const records = new Map<string, DnsRecord>()
  const entries: DnsLogEntry[] = []
  let down = false

  const answer = (name: string): string | null => {
    const rec = records.get(name.toLowerCase())
    if (rec === undefined) return null
    if (opts.clock.now() >= rec.staleUntil) return rec.current
    const jitter = opts.staleJitter ?? 0
    return jitter > 0 && Math.random() < jitter ? rec.current : rec.previous
  }

  const socket = dgram.createSocket('udp4')
  socket.on('message', (msg, rinfo) => {
    const q = parseQuery(msg)
    if (q === undefined) return
    const type = q.type === TYPE_A ? 'A' : q.type === TYPE_AAAA ? 'AAAA' : String(q.type)
    const t = opts.clock.now()
    if (down) {
      entries.push({ t, name: q.name, type, answer: 'DROPPED' })
      return
    }
    const ip = answer(q.name)
    const known = records.has(q.name) && ip !== null
    let reply: Buffer
    if (!known) reply = buildAnswer(q, RCODE_NXDOMAIN, undefined, ttl)
    else if (q.type === TYPE_A) reply = buildAnswer(q, RCODE_NOERROR, ip, ttl)
    else reply = buildAnswer(q, RCODE_NOERROR, undefined, ttl)
    entries.push({ t, name: q.name, type, answer: !known ? 'NXDOMAIN' : q.type === TYPE_A ? ip : 'NOERROR' })
    socket.send(reply, rinfo.port, rinfo.address)
  })
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject)
    socket.bind(port, opts.ip, () => {
      socket.off('error', reject)
      resolve()
    })
  })
  socket.on('error', () => undefined)

  return {
    ip: opts.ip,
    port,
    set(name, ip, staleMs = 0) {
      const key = name.toLowerCase()
      const before = answer(key)
      records.set(key, { current: ip, previous: before, staleUntil: opts.clock.now() + staleMs })
    },
    answer,
    setDown(value) {
      down = value
    },
    log: () => entries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  }
}
