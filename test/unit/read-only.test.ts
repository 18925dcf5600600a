import { describe, expect, it } from 'vitest'
import { BlueGreenReadOnlyError, BlueGreenSwitchoverTimeoutError } from '../../core/errors.js'
import { transactionEffect } from '../../integrations/shared/transaction-keywords.js'
import {
  mysqlReadOnlyKind,
  pgReadOnlyKind,
  pgServerMode,
  ServerMemory,
  SUSPECT_MS,
} from '../../integrations/shared/read-only.js'
import { connectRetryable, retryUntil } from '../../integrations/shared/retry-read-only.js'
import { FakeClock } from '../helpers/fake-clock.js'

const WRITER = { host: 'mydb.cluster-c9akciq32.us-east-1.rds.amazonaws.com', port: 5432 }
const READER = { host: 'mydb.cluster-ro-c9akciq32.us-east-1.rds.amazonaws.com', port: 5432 }

describe('read-only error kinds', () => {
  it.each([
    [{ defaultTransactionReadOnly: 'on' }, 'read-only'],
    [{ inHotStandby: 'on', defaultTransactionReadOnly: 'off' }, 'read-only'],
    [{ defaultTransactionReadOnly: 'off', inHotStandby: 'off' }, 'writable'],
    [{}, 'unknown'],
  ] as const)('PostgreSQL reports %o: %s', (reported, mode) => {
    expect(pgServerMode(reported)).toBe(mode)
  })

  it.each([
    ['read-only', undefined, 'server'],
    ['unknown', undefined, 'server'],
    ['writable', 'off', 'transaction'],
    ['writable', 'on', 'server'],
  ] as const)(
    'PostgreSQL 25006 on a session that started %s (hot standby %s): %s',
    (connectMode, standby, kind) => {
      expect(pgReadOnlyKind({ code: '25006' }, { connectMode, inHotStandby: standby })).toBe(kind)
    },
  )

  it('PostgreSQL: other errors are not read-only', () => {
    expect(pgReadOnlyKind({ code: '23505' }, { connectMode: 'read-only' })).toBeUndefined()
    expect(pgReadOnlyKind(undefined, { connectMode: 'read-only' })).toBeUndefined()
  })

  it.each([
    [
      {
        errno: 1290,
        message:
          'The MySQL server is running with the --read-only option so it cannot execute this statement',
      },
      'server',
    ],
    [{ errno: 1290, message: 'The MariaDB server is running with the --read-only option' }, 'server'],
    [{ errno: 1290, message: 'The MySQL server is running with the --super-read-only option' }, 'server'],
    [{ errno: 1290, message: 'The MySQL server is running with the --secure-file-priv option' }, undefined],
    [{ errno: 1836, message: 'Running in read-only mode' }, 'server'],
    [{ errno: 1792, message: 'Cannot execute statement in a READ ONLY transaction.' }, 'transaction'],
    [{ errno: 1062, message: 'Duplicate entry' }, undefined],
  ] as const)('MySQL %o: %s', (err, kind) => {
    expect(mysqlReadOnlyKind(err)).toBe(kind)
  })
})

describe('ServerMemory', () => {
  const setup = (): { clock: { now: number }; memory: ServerMemory } => {
    const clock = { now: 1_000 }
    return { clock, memory: new ServerMemory(() => clock.now) }
  }

  it('a server first seen read-only is read-only by design: accepted, and its errors left alone', () => {
    const { memory } = setup()
    expect(memory.judgeConnect(WRITER, 'read-only', 30_000)).toBe('accept')
    expect(memory.readOnlyByDesign(WRITER, 'read-only')).toBe(true)
    expect(memory.readOnlyByDesign(WRITER, 'unknown')).toBe(true)
    expect(memory.readOnlyByDesign(WRITER, 'writable')).toBe(false)
  })

  it('a server seen writable that turns read-only is fenced until it accepts writes again, or for fencedForMs', () => {
    const { clock, memory } = setup()
    expect(memory.judgeConnect(WRITER, 'writable', 30_000)).toBe('accept')
    expect(memory.judgeConnect(WRITER, 'read-only', 30_000)).toBe('fenced')
    expect(memory.readOnlyByDesign(WRITER, 'read-only')).toBe(false)
    clock.now += 29_999
    expect(memory.judgeConnect(WRITER, 'read-only', 30_000)).toBe('fenced')
    expect(memory.judgeConnect(WRITER, 'writable', 30_000)).toBe('accept')
    // Fenced again later: the window starts afresh.
    clock.now += 60_000
    expect(memory.judgeConnect(WRITER, 'read-only', 30_000)).toBe('fenced')
    clock.now += 30_000
    // Read-only for longer than the window: accepted as read-only for good (plain behaviour from now on).
    expect(memory.judgeConnect(WRITER, 'read-only', 30_000)).toBe('accept')
    expect(memory.readOnlyByDesign(WRITER, 'read-only')).toBe(true)
    expect(memory.judgeConnect(WRITER, 'read-only', 30_000)).toBe('accept')
  })

  it('a reader endpoint is never fenced nor evicted; an unknown mode is always accepted', () => {
    const { memory } = setup()
    memory.judgeConnect(READER, 'writable', 30_000)
    expect(memory.judgeConnect(READER, 'read-only', 30_000)).toBe('accept')
    expect(memory.readOnlyByDesign(READER, 'writable')).toBe(true)
    memory.judgeConnect(WRITER, 'writable', 30_000)
    expect(memory.judgeConnect(WRITER, 'unknown', 30_000)).toBe('accept')
  })

  it('note() remembers without fencing (bgRetryReadOnly off), so errors are still evicted', () => {
    const { memory } = setup()
    memory.note(WRITER, 'writable')
    memory.note(WRITER, 'read-only')
    expect(memory.readOnlyByDesign(WRITER, 'read-only')).toBe(false)
  })

  it('new and suspect targets are checked; suspicion ends after SUSPECT_MS', () => {
    const { clock, memory } = setup()
    expect(memory.shouldCheck(WRITER)).toBe(true)
    memory.judgeConnect(WRITER, 'writable', 30_000)
    expect(memory.shouldCheck(WRITER)).toBe(false)
    memory.markSuspect(WRITER)
    expect(memory.shouldCheck(WRITER)).toBe(true)
    clock.now += SUSPECT_MS
    expect(memory.shouldCheck(WRITER)).toBe(false)
  })

  it('keys by host (any case) and port', () => {
    const { memory } = setup()
    memory.judgeConnect(WRITER, 'writable', 30_000)
    expect(memory.judgeConnect({ host: WRITER.host.toUpperCase(), port: 5432 }, 'read-only', 30_000)).toBe(
      'fenced',
    )
    expect(memory.judgeConnect({ ...WRITER, port: 5433 }, 'read-only', 30_000)).toBe('accept')
  })

  it('stays bounded: the oldest of more than 1024 targets is forgotten', () => {
    const { memory } = setup()
    memory.judgeConnect({ host: 'h0', port: 1 }, 'writable', 30_000)
    for (let i = 1; i <= 1024; i++) memory.judgeConnect({ host: `h${i}`, port: 1 }, 'writable', 30_000)
    expect(memory.shouldCheck({ host: 'h0', port: 1 })).toBe(true)
    expect(memory.shouldCheck({ host: 'h1024', port: 1 })).toBe(false)
  })
})

describe('transactionEffect (MySQL hint)', () => {
  it.each([
    ['BEGIN', 'begin'],
    ['begin;', 'begin'],
    ['BEGIN WORK', 'begin'],
    ['BEGIN ISOLATION LEVEL SERIALIZABLE', 'begin'],
    ['begin read only', 'begin'],
    ['END', 'end'],
    ['abort;', 'end'],
    ['ROLLBACK TRANSACTION TO SAVEPOINT s', undefined],
    ['  /* knex */ START TRANSACTION', 'begin'],
    ['start transaction read only', 'begin'],
    ['XA START "x"', 'begin'],
    ['SET autocommit = 0', 'begin'],
    ['set @@session.autocommit=OFF', 'begin'],
    ['COMMIT', 'end'],
    ['ROLLBACK', 'end'],
    ['rollback work', 'end'],
    ['SET autocommit=1', 'end'],
    ['ROLLBACK TO SAVEPOINT s1', undefined],
    ['rollback work to s1', undefined],
    ['SAVEPOINT s1', undefined],
    ['SELECT 1', undefined],
    ['BEGIN NOT ATOMIC SELECT 1; END', undefined],
    ['-- comment\nCOMMIT', 'end'],
    ['# comment\nBEGIN', 'begin'],
    ['', undefined],
    ['/* never closed', undefined],
  ] as const)('%j: %s', (sql, effect) => {
    expect(transactionEffect(sql)).toBe(effect)
  })
})

describe('retryUntil', () => {
  const refused = new BlueGreenReadOnlyError({ bgdId: 'a' })

  it('pauses from firstPauseMs doubling to 1 s, and returns the first success', async () => {
    const clock = new FakeClock()
    const pauses: number[] = []
    let attempts = 0
    const sleep = clock.sleep.bind(clock)
    clock.sleep = (ms: number, signal?: AbortSignal) => {
      pauses.push(ms)
      return sleep(ms, signal)
    }
    const done = retryUntil({ clock, deadline: clock.now() + 10_000, firstPauseMs: 100 }, refused, () =>
      Promise.resolve(++attempts < 7 ? { kind: 'again', error: refused } : { kind: 'done', value: 'ok' }),
    )
    for (let i = 0; i < 20 && attempts < 7; i++) await clock.advance(1_000)
    await expect(done).resolves.toBe('ok')
    expect(pauses).toEqual([100, 200, 400, 800, 1000, 1000])
  })

  it('gives up at the deadline with the last refusal, and never retries a failure', async () => {
    const clock = new FakeClock()
    const late = retryUntil({ clock, deadline: clock.now() + 250, firstPauseMs: 100 }, refused, () =>
      Promise.resolve({ kind: 'again', error: new Error('ECONNREFUSED') }),
    )
    const gaveUp = expect(late).rejects.toBe(refused)
    for (let i = 0; i < 5; i++) await clock.advance(100)
    await gaveUp
    const lost = new Error('Connection terminated unexpectedly')
    let calls = 0
    await expect(
      retryUntil({ clock, deadline: clock.now() + 10_000, firstPauseMs: 100 }, refused, () => {
        calls++
        return Promise.resolve({ kind: 'failed', error: lost })
      }),
    ).rejects.toBe(lost)
    expect(calls).toBe(1)
  })

  it('connectRetryable: fenced servers and network errors, not other library errors', () => {
    expect(connectRetryable(refused)).toBe(true)
    expect(connectRetryable(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe(true)
    expect(connectRetryable(BlueGreenSwitchoverTimeoutError.connect(10, 10, {}))).toBe(false)
    expect(connectRetryable(Object.assign(new Error('auth'), { code: '28P01' }))).toBe(false)
  })
})
