import dns from 'node:dns'
import type { Lab } from './start-lab.js'

/**
 * Resolves a name the way a driver would in the current resolver mode: getaddrinfo (`dns.lookup`) inside
 * with-lab-dns.mjs, the lab's injected lookup otherwise. Returns the IPv4 address or the error code.
 */
export function probeLookup(lab: Lab, name: string): Promise<string> {
  return new Promise((resolve) => {
    const done = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[]): void => {
      if (err !== null) resolve(err.code ?? 'ERROR')
      else resolve(typeof address === 'string' ? address : (address[0]?.address ?? 'NONE'))
    }
    if (lab.resolver === 'system') dns.lookup(name, { family: 0 }, (err, address) => done(err, address))
    else lab.lookup(name, { family: 0 }, done)
  })
}
