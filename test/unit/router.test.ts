import { STARTING } from '../../core/status/armed.js'
import { describe, expect, it } from 'vitest'
import { decideConnect, decideExecute, transactionCut } from '../../core/routing/router.js'
import type { BlueGreenSnapshot, ConnectRoute, ExecuteRoute, Role } from '../../core/types.js'

function snapshot(
  connectRoutes: ConnectRoute[],
  executeRoutes: ExecuteRoute[] = [],
  roles: [string, Role][] = [
    ['blue.example', 'SOURCE'],
    ['green.example', 'TARGET'],
  ],
): BlueGreenSnapshot {
  return {
    bgdId: '1',
    sequence: 1,
    phase: 'POST',
    rollback: false,
    roleByHost: new Map(roles),
    roleByIp: new Map([['10.0.0.1', 'SOURCE']]),
    ipByHost: new Map(),
    correspondingHosts: new Map(),
    connectRoutes,
    executeRoutes,
    blueDnsUpdated: false,
    greenDnsRemoved: false,
    greenTopologyChanged: false,
    publishedAt: 0,
    armed: STARTING,
  }
}

const substitute = { kind: 'substitute', address: '10.0.0.2', port: 5432, via: 'green.example' } as const

describe('decideConnect', () => {
  it.each([
    [
      'a host route without a port matches every port',
      { host: 'blue.example' },
      'blue.example',
      6432,
      'substitute',
    ],
    [
      'a host route with a port matches that port',
      { host: 'blue.example', port: 5432 },
      'blue.example',
      5432,
      'substitute',
    ],
    [
      'a host route with a port does not match another port',
      { host: 'blue.example', port: 5432 },
      'blue.example',
      6432,
      'pass',
    ],
    [
      'matching is case-insensitive (Node bug N1)',
      { host: 'blue.example' },
      'BLUE.Example',
      5432,
      'substitute',
    ],
    [
      'a role-only route matches every host of that role',
      { role: 'SOURCE' as const },
      'blue.example',
      5432,
      'substitute',
    ],
    [
      'a role route does not match the other role',
      { role: 'SOURCE' as const },
      'green.example',
      5432,
      'pass',
    ],
    [
      'a host route does not match another host of its role',
      { host: 'blue2.example' },
      'blue.example',
      5432,
      'pass',
    ],
    ['hosts outside the deployment always pass', {}, 'elsewhere.example', 5432, 'pass'],
    ['a known IP carries its role', { role: 'SOURCE' as const }, '10.0.0.1', 5432, 'substitute'],
  ])('%s', (_, match, host, port, expected) => {
    const decision = decideConnect(snapshot([{ match, decision: substitute }]), { host, port })
    expect(decision.kind).toBe(expected)
  })

  it('the first matching route wins', () => {
    const s = snapshot([
      { match: { host: 'green.example' }, decision: { kind: 'reject' } },
      { match: { role: 'SOURCE' }, decision: { kind: 'hold', reason: 'in-progress' } },
      { match: { role: 'SOURCE' }, decision: { kind: 'reject' } },
    ])
    expect(decideConnect(s, { host: 'blue.example', port: 1 })).toEqual({
      kind: 'hold',
      reason: 'in-progress',
    })
    expect(decideConnect(s, { host: 'green.example', port: 1 })).toEqual({ kind: 'reject' })
  })

  it("returns the route's own decision object (deciding allocates nothing)", () => {
    const route: ConnectRoute = {
      match: { role: 'SOURCE' },
      decision: { kind: 'hold', reason: 'corresponding-host' },
    }
    expect(decideConnect(snapshot([route]), { host: 'blue.example', port: 1 })).toBe(route.decision)
    const sub = decideConnect(snapshot([{ match: {}, decision: substitute }]), {
      host: 'blue.example',
      port: 1,
    })
    expect(sub).toBe(substitute)
  })

  it('passes with no snapshot or no routes', () => {
    expect(decideConnect(undefined, { host: 'blue.example', port: 1 })).toEqual({ kind: 'pass' })
    expect(decideConnect(snapshot([]), { host: 'blue.example', port: 1 })).toEqual({ kind: 'pass' })
  })
})

describe('decideExecute', () => {
  it('holds calls to hosts of a held role only (Node bug N2: holds must actually apply)', () => {
    const s = snapshot([], [{ match: { role: 'SOURCE' } }])
    expect(decideExecute(s, { host: 'blue.example', port: 5432 })).toEqual({ kind: 'hold' })
    expect(decideExecute(s, { host: 'green.example', port: 5432 })).toEqual({ kind: 'pass' })
    expect(decideExecute(s, { host: 'elsewhere.example', port: 5432 })).toEqual({ kind: 'pass' })
    expect(decideExecute(s, { host: '10.0.0.1', port: 5432 })).toEqual({ kind: 'hold' })
    expect(decideExecute(undefined, { host: 'blue.example', port: 5432 })).toEqual({ kind: 'pass' })
  })
})

describe('decideExecute: transactions open when the switchover started (issue 12 item 4)', () => {
  const held = snapshot([], [{ match: { role: 'SOURCE' } }, { match: { role: 'TARGET' } }])
  it.each([
    ['outside a transaction: held', 'blue.example', undefined, 'hold'],
    ['a blue transaction opened while CREATED: interrupted', 'blue.example', 'CREATED', 'interrupt'],
    ['a blue transaction opened while PREPARATION: interrupted', 'blue.example', 'PREPARATION', 'interrupt'],
    ['a blue transaction opened while NOT_CREATED: interrupted', 'blue.example', 'NOT_CREATED', 'interrupt'],
    [
      'a blue transaction opened at IN_PROGRESS (after its hold): held',
      'blue.example',
      'IN_PROGRESS',
      'hold',
    ],
    ['a green transaction opened while CREATED: held (green is not cut)', 'green.example', 'CREATED', 'hold'],
    ['a known blue IP counts as blue', '10.0.0.1', 'CREATED', 'interrupt'],
  ] as const)('%s', (_, host, transactionOpenedIn, expected) => {
    expect(decideExecute(held, { host, port: 5432 }, { transactionOpenedIn }).kind).toBe(expected)
  })

  it('nothing held: a transaction runs whatever phase it began in', () => {
    expect(
      decideExecute(snapshot([]), { host: 'blue.example', port: 5432 }, { transactionOpenedIn: 'CREATED' }),
    ).toEqual({
      kind: 'pass',
    })
  })
})

describe('transactionCut: after IN_PROGRESS too (issue 12 item 4)', () => {
  const at = (phase: BlueGreenSnapshot['phase'], rollback = false): BlueGreenSnapshot => ({
    ...snapshot([]),
    phase,
    rollback,
  })
  it.each([
    ['POST, blue, opened while CREATED', at('POST'), 'blue.example', 'CREATED', true],
    ['COMPLETED, blue, opened while PREPARATION', at('COMPLETED'), 'blue.example', 'PREPARATION', true],
    ['IN_PROGRESS, blue, opened while NOT_CREATED', at('IN_PROGRESS'), 'blue.example', 'NOT_CREATED', true],
    ['POST, blue, opened in POST (on green already)', at('POST'), 'blue.example', 'POST', false],
    ['POST, green, opened while CREATED', at('POST'), 'green.example', 'CREATED', false],
    ['PREPARATION: nothing is cut yet', at('PREPARATION'), 'blue.example', 'CREATED', false],
    ['a rollback keeps blue', at('IN_PROGRESS', true), 'blue.example', 'CREATED', false],
    ['a host outside the deployment', at('POST'), 'elsewhere.example', 'CREATED', false],
  ] as const)('%s', (_, s, host, openedIn, expected) => {
    expect(transactionCut(s, { host, port: 5432 }, openedIn)).toBe(expected)
  })
})
