import { describe, expect, it } from 'vitest'
import { pairHosts } from '../../core/status/corresponding-hosts.js'
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
