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
  /** Aurora reader instances per side (public: proxies, private: servers); empty without readers. */
  readonly readers: Readonly<{
    public: Readonly<Record<LabSide, readonly string[]>>
    private: Readonly<Record<LabSide, readonly string[]>>
  }>
}

/**
 * Lab slot k owns 127.(10+k).0.0/16: DNS on .0.53, proxies on .1.x, servers on .2.x. 127.0.0.x is avoided
 * because the machine's own services (and systemd-resolved's 127.0.0.53 elsewhere) live there.
 *
 * @example
 * addressPlan(0, 'pg').public.blue // '127.10.1.1'
 */
export function addressPlan(slot: number, engine: LabEngineName, readers = 0): AddressPlan {
  const net = `127.${10 + slot}`
  // Blue reader i on .1.(10+i) / .2.(10+i), green reader i on .1.(20+i) / .2.(20+i).
  const ips = (block: number, base: number): string[] =>
    Array.from({ length: readers }, (_, i) => `${net}.${block}.${base + i + 1}`)
  return Object.freeze({
    slot,
    dnsIp: dnsIpForSlot(slot),
    port: engine === 'pg' ? 5432 : 3306,
    public: Object.freeze({ blue: `${net}.1.1`, green: `${net}.1.2` }),
    private: Object.freeze({ blue: `${net}.2.1`, green: `${net}.2.2` }),
    readers: Object.freeze({
      public: Object.freeze({ blue: ips(1, 10), green: ips(1, 20) }),
      private: Object.freeze({ blue: ips(2, 10), green: ips(2, 20) }),
    }),
  })
}

/** The lab DNS address of a slot; fixed so `with-lab-dns.mjs` can point resolv.conf at slot 0 before any lab runs. */
export function dnsIpForSlot(slot: number): string {
  return `127.${10 + slot}.0.53`
}
