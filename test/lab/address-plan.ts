/** The engines the lab can run. `mysql` is served by MariaDB (Debian has no Oracle MySQL). */
export type LabEngineName = 'pg' | 'mysql'

/** The two sides of the deployment. */
export type LabSide = 'blue' | 'green'

/** How many labs can run side by side on one machine. */
export const MAX_SLOTS = 8

/** Every loopback address one lab uses. Clients only ever see `public` addresses (the proxies). */
export interface AddressPlan {
  readonly slot: number
  readonly dnsIp: string
  readonly port: number
  /** Where the proxies listen; what DNS answers. */
  readonly public: Readonly<Record<LabSide, string>>
  /** Where the real servers listen; only the lab's admin sessions and replication use them. */
  readonly private: Readonly<Record<LabSide, string>>
}

/**
 * Lab slot k owns 127.(10+k).0.0/16: DNS on .0.53, proxies on .1.x, servers on .2.x. 127.0.0.x is avoided
 * because the machine's own services (and systemd-resolved's 127.0.0.53 elsewhere) live there.
 *
 * @example
 * addressPlan(0, 'pg').public.blue // '127.10.1.1'
 */
export function addressPlan(slot: number, engine: LabEngineName): AddressPlan {
  const net = `127.${10 + slot}`
  return Object.freeze({
    slot,
    dnsIp: dnsIpForSlot(slot),
    port: engine === 'pg' ? 5432 : 3306,
    public: Object.freeze({ blue: `${net}.1.1`, green: `${net}.1.2` }),
    private: Object.freeze({ blue: `${net}.2.1`, green: `${net}.2.2` }),
  })
}

/** The lab DNS address of a slot; fixed so `with-lab-dns.mjs` can point resolv.conf at slot 0 before any lab runs. */
export function dnsIpForSlot(slot: number): string {
  return `127.${10 + slot}.0.53`
}
