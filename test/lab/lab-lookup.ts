import dns, { type LookupAddress, type LookupOptions } from 'node:dns'
import { isIP } from 'node:net'
import { dnsIpForSlot } from './address-plan.js'

/** How the workload resolves lab names: the system resolver (inside `with-lab-dns.mjs`) or `labLookup`. */
export type LabResolverMode = 'system' | 'inject'

/** `RDS_BG_LAB_RESOLVER=inject|system`; `with-lab-dns.mjs` sets it, and `inject` is the safe default outside it. */
export function resolverMode(): LabResolverMode {
  return process.env['RDS_BG_LAB_RESOLVER'] === 'system' ? 'system' : 'inject'
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void

/** A function with the shape of `dns.lookup`, accepted by `net.connect({ lookup })`. */
export type LabLookupFunction = (
  hostname: string,
  options: LookupOptions | number,
  callback: LookupCallback,
) => void

let currentDns = dnsIpForSlot(0)

/** Points the module-level `labLookup` at the DNS of the lab that started last. */
export function setLabLookupServer(ip: string): void {
  currentDns = ip
}

function lookupError(code: string, hostname: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`getaddrinfo ${code} ${hostname}`)
  err.code = code
  err.syscall = 'getaddrinfo'
  return Object.assign(err, { hostname })
}

/**
 * Builds a `dns.lookup` look-alike that asks the lab DNS at `dnsIp` (1 s timeout, 1 try, like the lab
 * resolv.conf). NXDOMAIN gives ENOTFOUND and no answer gives EAI_AGAIN, as getaddrinfo would.
 */
export function createLabLookup(dnsIp: () => string): LabLookupFunction {
  return (hostname, options, callback) => {
    const all = typeof options === 'object' && options.all === true
    const reply = (address: string): void => {
      if (all) callback(null, [{ address, family: 4 }])
      else callback(null, address, 4)
    }
    if (isIP(hostname) !== 0) return reply(hostname)
    if (!hostname.endsWith('.amazonaws.com')) {
      dns.lookup(hostname, { ...(typeof options === 'object' ? options : {}), all: true }, (err, addrs) => {
        if (err !== null) return callback(err, all ? [] : '')
        const first = addrs[0]
        if (all) callback(null, addrs)
        else callback(null, first?.address ?? '', first?.family ?? 4)
      })
      return
    }
    const resolver = new dns.Resolver({ timeout: 1000, tries: 1 })
    resolver.setServers([dnsIp()])
    resolver.resolve4(hostname, (err, addresses) => {
      const first = addresses?.[0]
      if (err === null && first !== undefined) return reply(first)
      const code = err?.code === 'ETIMEOUT' || err?.code === 'ECONNREFUSED' ? 'EAI_AGAIN' : 'ENOTFOUND'
      callback(lookupError(code, hostname), all ? [] : '')
    })
  }
}

/**
 * `dns.lookup` through the lab DNS of the most recently started lab; pass it as `lookup` to `net.connect` or
 * use it in a driver's `stream` factory when the process cannot run under `with-lab-dns.mjs`.
 *
 * @example
 * net.connect({ host: lab.names.blue.writer, port: 5432, lookup: labLookup })
 */
export const labLookup: LabLookupFunction = createLabLookup(() => currentDns)
