import { describe, expect, it } from 'vitest'
import { pairHosts } from '../../core/status/corresponding-hosts.js'
import { LARGE_INTERIM_HOSTS, interimHash, prepareInterim } from '../../core/status/cycle.js'
import type { TopologyHost } from '../../core/types.js'
import { interim } from '../helpers/interim.js'

const D = 'c9akciq32.us-east-1.rds.amazonaws.com'
const host = (name: string, role: 'WRITER' | 'READER' = 'READER'): TopologyHost => ({
  host: `${name}.${D}`,
  port: 5432,
  role,
})

describe('pairHosts (spec §5.4)', () => {
  it('pairs writer to writer and sorted readers round-robin', () => {
    const blue = interim('CREATED', {
      startTopology: [host('i-3'), host('i-1', 'WRITER'), host('i-2'), host('i-4')],
    })
    const green = interim('CREATED', {
      startTopology: [host('i-1-green-aaaaaa', 'WRITER'), host('i-3-green-cccccc'), host('i-2-green-bbbbbb')],
    })
    const pairs = pairHosts(blue, green)
    expect(pairs.get(`i-1.${D}`)?.green).toBe(`i-1-green-aaaaaa.${D}`)
    expect(pairs.get(`i-2.${D}`)?.green).toBe(`i-2-green-bbbbbb.${D}`)
    expect(pairs.get(`i-3.${D}`)?.green).toBe(`i-3-green-cccccc.${D}`)
    expect(pairs.get(`i-4.${D}`)?.green).toBe(`i-2-green-bbbbbb.${D}`)
  })

  it('pairs blue readers with the green writer when green has no readers', () => {
    const blue = interim('CREATED', { startTopology: [host('i-1', 'WRITER'), host('i-2')] })
    const green = interim('CREATED', { startTopology: [host('i-1-green-aaaaaa', 'WRITER')] })
    expect(pairHosts(blue, green).get(`i-2.${D}`)?.green).toBe(`i-1-green-aaaaaa.${D}`)
  })

  it('pairs cluster, reader and custom endpoints by type and cluster id', () => {
    const blue = interim('CREATED', {
      hostNames: new Set([
        `mydb.cluster-${D}`,
        `mydb.cluster-ro-${D}`,
        `analytics.cluster-custom-${D}`,
        `reports.cluster-custom-${D}`,
      ]),
    })
    const green = interim('CREATED', {
      hostNames: new Set([
        `mydb-green-x7k2p9.cluster-${D}`,
        `mydb-green-x7k2p9.cluster-ro-${D}`,
        `reports-green-r2d2c3.cluster-custom-${D}`,
        `analytics-green-a1b2c3.cluster-custom-${D}`,
      ]),
    })
    const pairs = pairHosts(blue, green)
    expect(pairs.get(`mydb.cluster-${D}`)?.green).toBe(`mydb-green-x7k2p9.cluster-${D}`)
    expect(pairs.get(`mydb.cluster-ro-${D}`)?.green).toBe(`mydb-green-x7k2p9.cluster-ro-${D}`)
    expect(pairs.get(`analytics.cluster-custom-${D}`)?.green).toBe(
      `analytics-green-a1b2c3.cluster-custom-${D}`,
    )
    expect(pairs.get(`reports.cluster-custom-${D}`)?.green).toBe(`reports-green-r2d2c3.cluster-custom-${D}`)
  })

  it('pairs thousands of instances on each side by name, in any order, the first green name winning', () => {
    const n = 3000
    const blueNames = Array.from({ length: n }, (_, i) => `inst-${i}.${D}`)
    // Green reports in reverse order, with a second (later) green name for inst-7 that must not win.
    const greenNames = blueNames.map((_, i) => `inst-${n - 1 - i}-green-abc123.${D}`)
    greenNames.push(`INST-7-green-zzz999.${D}`)
    const pairs = pairHosts(
      interim('CREATED', { hostNames: new Set(blueNames) }),
      interim('CREATED', { hostNames: new Set(greenNames) }),
    )
    expect(pairs.size).toBe(n)
    for (const i of [0, 7, 1234, n - 1])
      expect(pairs.get(`inst-${i}.${D}`)?.green).toBe(`inst-${i}-green-abc123.${D}`)
  })

  it('a prepared (large) interim pairs and fingerprints exactly as an unprepared one', async () => {
    const names = (suffix: string) =>
      new Set(Array.from({ length: LARGE_INTERIM_HOSTS }, (_, i) => `i-${i}${suffix}.${D}`))
    const make = () => ({
      blue: interim('CREATED', { hostNames: names('') }),
      green: interim('CREATED', { hostNames: names('-green-abc123') }),
    })
    const prepared = make()
    const plain = make()
    expect(await prepareInterim('SOURCE', prepared.blue)).toBe(true)
    expect(await prepareInterim('TARGET', prepared.green)).toBe(true)
    expect(await prepareInterim('SOURCE', interim('CREATED', { hostNames: new Set([`a.${D}`]) }))).toBe(false)
    expect([...pairHosts(prepared.blue, prepared.green)]).toEqual([...pairHosts(plain.blue, plain.green)])
    expect(interimHash(prepared.blue)).toBe(interimHash(plain.blue))
    expect(interimHash(prepared.blue)).not.toBe(interimHash(prepared.green))
  })

  it('the fingerprint ignores order and sees every changed name or address', () => {
    const a = `a.${D}`
    const b = `b.${D}`
    const base = interim('CREATED', {
      hostNames: new Set([a, b]),
      startIpByHost: new Map([[a, '10.0.0.1']]),
      currentIpByHost: new Map([
        [a, '10.0.0.1'],
        [b, '10.0.0.2'],
      ]),
    })
    const reordered = interim('CREATED', {
      hostNames: new Set([b, a]),
      startIpByHost: new Map([[a, '10.0.0.1']]),
      currentIpByHost: new Map([
        [b, '10.0.0.2'],
        [a, '10.0.0.1'],
      ]),
    })
    expect(interimHash(reordered)).toBe(interimHash(base))
    const variants = [
      { ...base, hostNames: new Set([a]) },
      { ...base, startIpByHost: new Map([[a, '10.0.0.9']]) },
      { ...base, startIpByHost: new Map([[b, '10.0.0.1']]) },
      { ...base, startIpByHost: new Map<string, string | undefined>([[a, undefined]]) },
      { ...base, currentIpByHost: new Map([[a, '10.0.0.1']]) },
      {
        ...base,
        currentIpByHost: new Map([
          [a, '10.0.0.1'],
          [b, '10.0.0.3'],
        ]),
      },
    ]
    const hashes = new Set([interimHash(base), ...variants.map((v) => interimHash(v))])
    expect(hashes.size).toBe(variants.length + 1)
  })

  it('is empty until both sides reported', () => {
    expect(pairHosts(undefined, interim('CREATED')).size).toBe(0)
    expect(
      pairHosts(interim('CREATED', { startTopology: [host('a', 'WRITER')] }), interim('CREATED')).size,
    ).toBe(0)
  })
})

describe('pairing by name', () => {
  it('pairs an instance endpoint with its green-marked twin when no topology snapshot exists', () => {
    const blue = interim('PREPARATION', { hostNames: new Set([`mydb.${D}`, `other.${D}`]) })
    const green = interim('PREPARATION', { hostNames: new Set([`mydb-green-x7k2p9.${D}`]) })
    const pairs = pairHosts(blue, green)
    expect(pairs.get(`mydb.${D}`)?.green).toBe(`mydb-green-x7k2p9.${D}`)
    expect(pairs.has(`other.${D}`)).toBe(false)
  })
})
