import { describe, expect, it } from 'vitest'
import type { SnapshotKind } from '../../core/monitor/late-snapshot.js'
import { lateNames, lateTopology, snapshotKind, withLateIps } from '../../core/monitor/late-snapshot.js'
import { StartSnapshot } from '../../core/monitor/start-snapshot.js'
import type { Phase } from '../../core/types.js'
import { BLUE, GREEN, GREEN_IP, OLD } from '../helpers/fake-metadata.js'
import { writer } from '../helpers/interim.js'

// prettier-ignore
const KINDS: readonly [Phase | undefined, boolean, boolean, boolean, SnapshotKind][] = [
  // phase, collected, empty, lateAllowed → kind
  ['CREATED', true, false, true, 'start'],
  ['CREATED', false, true, true, 'none'],
  ['PREPARATION', false, true, true, 'start'],
  ['PREPARATION', false, false, true, 'none'],
  ['PREPARATION', true, false, true, 'none'],
  ['IN_PROGRESS', false, true, true, 'late'],
  ['IN_PROGRESS', true, true, true, 'late'],
  ['IN_PROGRESS', false, false, true, 'none'],
  ['IN_PROGRESS', false, true, false, 'none'],
  ['POST', false, true, true, 'late'],
  ['POST', false, true, false, 'none'],
  ['COMPLETED', false, true, true, 'none'],
  ['COMPLETED', true, true, true, 'none'],
  [undefined, true, false, true, 'start'],
]

describe('snapshotKind', () => {
  it.each(KINDS)('%s collected=%s empty=%s lateAllowed=%s → %s', (phase, collected, empty, late, kind) => {
    expect(snapshotKind(phase, collected, empty, late)).toBe(kind)
  })
})

describe('late snapshot contents', () => {
  it('blue keeps no green-marked host; green keeps everything', () => {
    expect([...lateNames('SOURCE', [BLUE, GREEN])]).toEqual([BLUE])
    expect([...lateNames('TARGET', [BLUE, GREEN])]).toEqual([BLUE, GREEN])
    expect(lateTopology('SOURCE', writer(GREEN))).toEqual([])
    expect(lateTopology('TARGET', writer(GREEN))).toEqual(writer(GREEN))
  })

  it('start addresses are filled in with green names only, never a blue or a vanished one', () => {
    const start = new Map<string, string | undefined>()
    const current = new Map<string, string | undefined>([
      [BLUE, GREEN_IP],
      [OLD, '10.0.0.1'],
      [GREEN, GREEN_IP],
    ])
    expect([...withLateIps(start, current)]).toEqual([[GREEN, GREEN_IP]])
    const filled = new Map([[GREEN, GREEN_IP]])
    expect(withLateIps(filled, new Map([[GREEN, '10.9.9.9']]))).toBe(filled)
    expect(withLateIps(start, new Map([[GREEN, undefined]])).size).toBe(0)
  })
})

describe('StartSnapshot', () => {
  it('a late round takes names, topology and green addresses, and marks the phase', () => {
    const s = new StartSnapshot('TARGET')
    s.beginRound()
    s.sawRows('IN_PROGRESS', [GREEN], false)
    s.sawTopology('IN_PROGRESS', writer(GREEN), false)
    s.endRound('IN_PROGRESS')
    s.sawAddresses('IN_PROGRESS', new Map([[GREEN, GREEN_IP]]), false)
    expect([...s.hostNames]).toEqual([GREEN])
    expect(s.startTopology).toEqual(writer(GREEN))
    expect([...s.startIps]).toEqual([[GREEN, GREEN_IP]])
    expect(s.lateStart).toBe('IN_PROGRESS')
    // Later rounds keep the snapshot, even once the rows carry the blue name.
    s.beginRound()
    s.sawRows('POST', [BLUE], false)
    s.sawTopology('POST', writer(BLUE), false)
    s.endRound('POST')
    expect([...s.hostNames]).toEqual([GREEN])
    expect(s.lateStart).toBe('IN_PROGRESS')
  })

  it('after a reset, frozen IN_PROGRESS rows start nothing until a pre-switchover phase is seen', () => {
    const s = new StartSnapshot('SOURCE')
    s.reset()
    s.beginRound()
    s.sawRows('IN_PROGRESS', [BLUE], false)
    s.sawTopology('IN_PROGRESS', writer(BLUE), false)
    s.endRound('IN_PROGRESS')
    expect(s.hostNames.size).toBe(0)
    expect(s.lateStart).toBeUndefined()
    s.absent()
    s.beginRound()
    s.sawRows('IN_PROGRESS', [BLUE], false)
    s.endRound('IN_PROGRESS')
    expect(s.lateStart).toBe('IN_PROGRESS')
  })

  it('a regular snapshot is never replaced by a late one', () => {
    const s = new StartSnapshot('SOURCE')
    s.beginRound()
    s.sawRows('CREATED', [BLUE], true)
    s.endRound('CREATED')
    s.beginRound()
    s.sawRows('IN_PROGRESS', [OLD], false)
    s.sawTopology('IN_PROGRESS', writer(OLD), false)
    s.endRound('IN_PROGRESS')
    expect([...s.hostNames]).toEqual([BLUE])
    expect(s.lateStart).toBeUndefined()
  })
})
