import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sleep } from './clock.js'
import { probeLookup } from './lookup-probe.js'
import { startLab, type Lab } from './start-lab.js'

const PROBE = 'probe.c9akciq32.us-east-1.rds.amazonaws.com'

describe('lab DNS through dns.lookup', () => {
  let lab: Lab
  beforeAll(async () => {
    lab = await startLab({ engine: 'pg' })
  })
  afterAll(async () => {
    await lab.stop()
  })

  it('answers the AWS names with the proxy addresses, AAAA with an empty answer, unknown names with NXDOMAIN', async () => {
    const t0 = Date.now()
    expect(await probeLookup(lab, lab.names.blue.writer)).toBe(lab.ips.public.blue)
    // getaddrinfo asks A and AAAA; an unanswered AAAA would cost the 1 s resolver timeout.
    expect(Date.now() - t0).toBeLessThan(500)
    expect(await probeLookup(lab, lab.names.green.writer)).toBe(lab.ips.public.green)
    expect(await probeLookup(lab, lab.names.old.writer)).toBe('ENOTFOUND')
    const log = lab.dnsLog().filter((e) => e.name === lab.names.blue.writer)
    expect(log.some((e) => e.type === 'A' && e.answer === lab.ips.public.blue)).toBe(true)
    if (lab.resolver === 'system')
      expect(log.some((e) => e.type === 'AAAA' && e.answer === 'NOERROR')).toBe(true)
  })

  it('keeps the previous answer during the stale window, then flips; removed names give ENOTFOUND', async () => {
    lab.dns.set(PROBE, '127.10.1.1')
    expect(await probeLookup(lab, PROBE)).toBe('127.10.1.1')
    lab.dns.set(PROBE, '127.10.1.2', 400)
    expect(await probeLookup(lab, PROBE)).toBe('127.10.1.1')
    await sleep(450)
    expect(await probeLookup(lab, PROBE)).toBe('127.10.1.2')
    lab.dns.set(PROBE, null, 0)
    expect(await probeLookup(lab, PROBE)).toBe('ENOTFOUND')
  })

  it('gives EAI_AGAIN while the DNS server is down', async () => {
    lab.dns.setDown(true)
    try {
      expect(await probeLookup(lab, lab.names.blue.writer)).toBe('EAI_AGAIN')
    } finally {
      lab.dns.setDown(false)
    }
    expect(await probeLookup(lab, lab.names.blue.writer)).toBe(lab.ips.public.blue)
  })

  it('shows the switchover flips: blue name stale then green IP, green name removed, -old1 name on blue', async () => {
    const seen: { t: number; blue: string; green: string }[] = []
    let polling = true
    const poll = (async () => {
      while (polling) {
        const [blue, green] = await Promise.all([
          probeLookup(lab, lab.names.blue.writer),
          probeLookup(lab, lab.names.green.writer),
        ])
        seen.push({ t: lab.clock.now(), blue, green })
        await sleep(40)
      }
    })()
    const result = await lab.switchover({ preset: 'fast' })
    await sleep(result.timeline.dnsStaleMs + 100)
    polling = false
    await poll
    const blueDns = lab.events().find((e) => e.event === 'Blue DNS updated')?.t ?? NaN
    const greenDns = lab.events().find((e) => e.event === 'Green DNS removed')?.t ?? NaN
    const stale = result.timeline.dnsStaleMs
    // Inside the stale window the old answer is still given; after it, the new one (50 ms margin for timing).
    const inWindow = seen.filter((s) => s.t > blueDns + 50 && s.t < blueDns + stale - 50)
    expect(inWindow.length).toBeGreaterThan(0)
    expect(inWindow.every((s) => s.blue === lab.ips.public.blue)).toBe(true)
    expect(seen.filter((s) => s.t > blueDns + stale + 50).every((s) => s.blue === lab.ips.public.green)).toBe(
      true,
    )
    expect(seen.filter((s) => s.t > greenDns + stale + 50).every((s) => s.green === 'ENOTFOUND')).toBe(true)
    expect(await probeLookup(lab, lab.names.old.writer)).toBe(lab.ips.public.blue)
  })
})

describe('resolv.conf follows the lab that started last', () => {
  it.skipIf(process.env['RDS_BG_LAB_RESOLVER'] !== 'system')(
    'a second lab (another slot, other addresses) is answered by its own DNS: glibc re-reads resolv.conf',
    async () => {
      const a = await startLab({ engine: 'mysql' })
      try {
        const b = await startLab({ engine: 'mysql' })
        try {
          expect(b.ips.slot).not.toBe(a.ips.slot)
          expect(b.ips.public.blue).not.toBe(a.ips.public.blue)
          expect(await probeLookup(b, b.names.blue.writer)).toBe(b.ips.public.blue)
          expect(b.dnsLog().length).toBeGreaterThan(0)
        } finally {
          await b.stop()
        }
      } finally {
        await a.stop()
      }
    },
  )
})
