import { describe, expect, it } from 'vitest'
import { computeSideFlags } from '../../core/monitor/side-flags.js'
import type { TopologyHost } from '../../core/types.js'

const a: TopologyHost = { host: 'a.example', port: 1, role: 'WRITER' }
const b: TopologyHost = { host: 'b.example', port: 1, role: 'READER' }

function flags(
  start: [string, string | undefined][],
  current: [string, string | undefined][],
  collecting = false,
) {
  return computeSideFlags({
    collecting,
    startTopology: [a, b],
    currentTopology: [a, b],
    startIpByHost: new Map(start),
    currentIpByHost: new Map(current),
  })
}

describe('computeSideFlags (spec §4.7)', () => {
  it('blue DNS updated only when every start host resolves to a new address', () => {
    expect(
      flags(
        [
          ['a.example', '1'],
          ['b.example', '2'],
        ],
        [
          ['a.example', '3'],
          ['b.example', '4'],
        ],
      ).allStartTopologyIpChanged,
    ).toBe(true)
    expect(
      flags(
        [
          ['a.example', '1'],
          ['b.example', '2'],
        ],
        [
          ['a.example', '3'],
          ['b.example', '2'],
        ],
      ).allStartTopologyIpChanged,
    ).toBe(false)
  })

  it('a name that stopped resolving is not "changed" (Node bug N16)', () => {
    const f = flags(
      [
        ['a.example', '1'],
        ['b.example', '2'],
      ],
      [
        ['a.example', undefined],
        ['b.example', undefined],
      ],
    )
    expect(f.allStartTopologyIpChanged).toBe(false)
    expect(f.allStartTopologyEndpointsRemoved).toBe(true)
  })

  it('a host without a start address is not "removed"', () => {
    const f = flags(
      [
        ['a.example', undefined],
        ['b.example', '2'],
      ],
      [
        ['a.example', undefined],
        ['b.example', undefined],
      ],
    )
    expect(f.allStartTopologyEndpointsRemoved).toBe(false)
  })

  it('reports nothing while the start snapshot is still being collected', () => {
    const f = flags(
      [
        ['a.example', '1'],
        ['b.example', '2'],
      ],
      [
        ['a.example', '3'],
        ['b.example', '4'],
      ],
      true,
    )
    expect(f).toEqual({
      allStartTopologyIpChanged: false,
      allStartTopologyEndpointsRemoved: false,
      allTopologyChanged: false,
    })
  })

  it('green topology changed when no current host appears in the start topology', () => {
    const renamed = computeSideFlags({
      collecting: false,
      startTopology: [a],
      currentTopology: [b],
      startIpByHost: new Map(),
      currentIpByHost: new Map(),
    })
    expect(renamed.allTopologyChanged).toBe(true)
    const same = computeSideFlags({
      collecting: false,
      startTopology: [a],
      currentTopology: [a, b],
      startIpByHost: new Map(),
      currentIpByHost: new Map(),
    })
    expect(same.allTopologyChanged).toBe(false)
  })
})
