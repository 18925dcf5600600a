import { describe, expect, it } from 'vitest'

import type { Phase } from '../../core/phases.js'
import { summaryRows } from '../../core/status/phase-timeline.js'
import type { TimelineEntry, TimelineEvent } from '../../core/status/phase-timeline.js'
import { formatReadinessLog, formatSwitchoverSummary, type SummaryRow } from '../../core/summary-log.js'

/** The JDBC docs example (spec §7.3), with the current title line. */
const DOCS_EXAMPLE = `[bgdId: '1'] Blue/Green Deployment Switchover COMPLETED
---------------------------------------------------------------------------------------
timestamp                         time offset (ms)                                event
---------------------------------------------------------------------------------------
    2025-11-14T23:58:18.519Z             -28178 ms                          NOT_CREATED
    2025-11-14T23:58:19.172Z             -27525 ms                              CREATED
    2025-11-14T23:58:39.279Z              -7418 ms                          PREPARATION
    2025-11-14T23:58:46.697Z                  0 ms               Monitors reset - start
    2025-11-14T23:58:46.697Z                  0 ms                          IN_PROGRESS
    2025-11-14T23:58:49.788Z               3090 ms                                 POST
    2025-11-14T23:59:03.373Z              16675 ms               Green topology changed
    2025-11-14T23:59:03.374Z              16677 ms      Monitors reset - green topology
    2025-11-14T23:59:19.815Z              33117 ms                     Blue DNS updated
    2025-11-14T23:59:52.081Z              65383 ms                    Green DNS removed
    2025-11-14T23:59:52.082Z              65384 ms                            COMPLETED
---------------------------------------------------------------------------------------`

const MONO_ZERO = 1_000_000.25

/** Events whose monotonic times give the docs' offsets; fractions check truncation toward zero. */
function docsEvents(): SummaryRow[] {
  const table: [string, string, number][] = [
    ['NOT_CREATED', '2025-11-14T23:58:18.519Z', -28178.9],
    ['CREATED', '2025-11-14T23:58:19.172Z', -27525.2],
    ['PREPARATION', '2025-11-14T23:58:39.279Z', -7418.6],
    ['Monitors reset - start', '2025-11-14T23:58:46.697Z', 0],
    ['IN_PROGRESS', '2025-11-14T23:58:46.697Z', 0],
    ['POST', '2025-11-14T23:58:49.788Z', 3090.7],
    ['Green topology changed', '2025-11-14T23:59:03.373Z', 16675.1],
    ['Monitors reset - green topology', '2025-11-14T23:59:03.374Z', 16677.99],
    ['Blue DNS updated', '2025-11-14T23:59:19.815Z', 33117.5],
    ['Green DNS removed', '2025-11-14T23:59:52.081Z', 65383],
    ['COMPLETED', '2025-11-14T23:59:52.082Z', 65384.4],
  ]
  return table.map(([name, iso, offset]) => ({ name, wallMs: Date.parse(iso), monoMs: MONO_ZERO + offset }))
}

function phase(name: Phase, rollback = false): TimelineEvent {
  return { kind: 'phase', phase: name, rollback }
}

function entries(list: [TimelineEvent, number][]): TimelineEntry[] {
  return list.map(([event, monoMs]) => ({ event, wallMs: monoMs, monoMs }))
}

describe('formatSwitchoverSummary', () => {
  it('reproduces the JDBC docs example exactly', () => {
    expect(
      formatSwitchoverSummary({ bgdId: '1', rollback: false, events: docsEvents(), zeroMonoMs: MONO_ZERO }),
    ).toBe(DOCS_EXAMPLE)
  })

  it('sorts by monotonic time, not by input order or wall clock', () => {
    const events = docsEvents()
    const shuffled = [
      events[10],
      events[3],
      events[0],
      events[4],
      events[7],
      events[1],
      events[9],
      events[2],
      events[5],
      events[8],
      events[6],
    ]
    // Stable sort keeps "Monitors reset - start" before IN_PROGRESS only if it comes first among equals.
    const text = formatSwitchoverSummary({
      bgdId: '1',
      rollback: false,
      events: shuffled as SummaryRow[],
      zeroMonoMs: MONO_ZERO,
    })
    expect(text).toBe(DOCS_EXAMPLE)
  })

  it('uses the PREPARATION seen before the rollback as time zero', () => {
    const timeline = entries([
      [phase('CREATED'), 100],
      [phase('PREPARATION'), 1100],
      [phase('PREPARATION', true), 2100],
      [phase('CREATED', true), 3100],
    ])
    const text = formatSwitchoverSummary({ bgdId: 'orders', rollback: true, ...summaryRows(timeline, true) })
    const lines = text.split('\n')
    expect(lines[0]).toBe("[bgdId: 'orders'] Blue/Green Deployment Switchover ROLLED BACK")
    expect(lines.slice(4, 8).map((line) => line.slice(50).trim())).toEqual([
      'CREATED',
      'PREPARATION',
      'PREPARATION (rollback)',
      'CREATED (rollback)',
    ])
    expect(lines.slice(4, 8).map((line) => line.slice(29, 50).trim())).toEqual([
      '-1000 ms',
      '0 ms',
      '1000 ms',
      '2000 ms',
    ])
  })

  it('falls back to the rolled-back PREPARATION as time zero', () => {
    const timeline = entries([
      [phase('CREATED'), 0],
      [phase('PREPARATION', true), 500],
    ])
    expect(summaryRows(timeline, true).zeroMonoMs).toBe(500)
  })

  it('a normal cycle has no time zero without an IN_PROGRESS seen outside a rollback', () => {
    const timeline = entries([
      [phase('PREPARATION'), 0],
      [phase('IN_PROGRESS', true), 10],
    ])
    expect(summaryRows(timeline, false).zeroMonoMs).toBeUndefined()
    const normal = formatSwitchoverSummary({ bgdId: '1', rollback: false, ...summaryRows(timeline, false) })
    expect(normal.split('\n')[4]).toBe(
      `${'1970-01-01T00:00:00.000Z'.padStart(28)} ${' '.repeat(21)} ${'PREPARATION'.padStart(27)}`,
    )
  })

  it('labels every event kind with the AWS wording', () => {
    const timeline = entries([
      [{ kind: 'blue-dns-updated', rollback: false }, 1],
      [{ kind: 'green-dns-removed', rollback: true }, 2],
      [{ kind: 'green-topology-changed', rollback: false }, 3],
      [{ kind: 'released-on-blue-dns' }, 4],
    ])
    expect(summaryRows(timeline, false).events.map((row) => row.name)).toEqual([
      'Blue DNS updated',
      'Green DNS removed (rollback)',
      'Green topology changed',
      'Traffic released on blue DNS update',
    ])
  })

  it('leaves the offset column blank but aligned without a time zero', () => {
    const text = formatSwitchoverSummary({
      bgdId: '1',
      rollback: false,
      events: [
        { name: 'CREATED', wallMs: Date.parse('2025-01-01T00:00:00.000Z'), monoMs: 5 },
        { name: 'COMPLETED', wallMs: Date.parse('2025-01-01T00:00:01.000Z'), monoMs: 6 },
      ],
    })
    const lines = text.split('\n')
    const width = 'COMPLETED'.length + 5
    expect(lines[1]).toBe('-'.repeat(51 + width))
    expect(lines[4]).toBe(`    2025-01-01T00:00:00.000Z ${' '.repeat(21)} ${'CREATED'.padStart(width)}`)
    expect(lines.every((line, index) => index === 0 || line.length === 51 + width)).toBe(true)
  })

  it('uses width 31 without events', () => {
    expect(formatSwitchoverSummary({ bgdId: '1', rollback: false, events: [] })).toBe(
      [
        "[bgdId: '1'] Blue/Green Deployment Switchover COMPLETED",
        '-'.repeat(82),
        `${'timestamp'.padEnd(28)} ${'time offset (ms)'.padStart(21)} ${'event'.padStart(31)}`,
        '-'.repeat(82),
        '-'.repeat(82),
      ].join('\n'),
    )
  })

  it('does not throw on an invalid wall-clock value', () => {
    const text = formatSwitchoverSummary({
      bgdId: '1',
      rollback: false,
      events: [{ name: 'IN_PROGRESS', wallMs: Number.NaN, monoMs: 1 }],
      zeroMonoMs: 1,
    })
    expect(text.split('\n')[4]).toBe(
      `${'?'.padStart(28)} ${'0 ms'.padStart(21)} ${'IN_PROGRESS'.padStart(16)}`,
    )
  })
})

describe('formatReadinessLog', () => {
  const D = 'xyz.us-east-2.rds.amazonaws.com'
  const base = {
    bgdId: '1',
    phase: 'CREATED' as const,
    sourceHosts: new Set([`db-2.${D}`, `bg.cluster-${D}`, `db-1.${D}`]),
    targetHosts: [`db-1-green-abc123.${D}`, `bg-green-abc123.cluster-${D}`],
    correspondingHosts: [
      { blue: `db-2.${D}`, green: `db-1-green-abc123.${D}` },
      { blue: `bg.cluster-${D}`, green: `bg-green-abc123.cluster-${D}` },
      { blue: `db-1.${D}`, green: `db-1-green-abc123.${D}` },
    ],
    ipByHost: new Map<string, string | undefined>([
      [`db-2.${D}`, '10.0.0.2'],
      [`db-1.${D}`, '10.0.0.1'],
      [`db-1-green-abc123.${D}`, undefined],
    ]),
  }

  it('prints the title, the summary, sorted pairs and sorted IPs between dividers', () => {
    const lines = formatReadinessLog(base).split('\n')
    const divider = lines[1] ?? ''
    expect(divider).toMatch(/^-{60,}$/)
    expect(lines).toEqual([
      "[bgdId: '1'] Blue/Green target topology recognized",
      divider,
      'phase               CREATED',
      `sourceHosts         3 [bg.cluster-${D}, db-1.${D}, db-2.${D}]`,
      `targetHosts         2 [bg-green-abc123.cluster-${D}, db-1-green-abc123.${D}]`,
      'correspondingNodes  3 of 3',
      'ready               true',
      divider,
      `bg.cluster-${D} -> bg-green-abc123.cluster-${D}`,
      `db-1.${D} -> db-1-green-abc123.${D}`,
      `db-2.${D} -> db-1-green-abc123.${D}`,
      divider,
      `db-1-green-abc123.${D} -> (unresolved)`,
      `db-1.${D} -> 10.0.0.1`,
      `db-2.${D} -> 10.0.0.2`,
      divider,
    ])
    expect(lines.every((line) => line.length <= divider.length)).toBe(true)
  })

  it('accepts the snapshot maps directly (any iterable)', () => {
    const pairs = new Map(base.correspondingHosts.map((pair) => [pair.blue, pair]))
    expect(formatReadinessLog({ ...base, correspondingHosts: pairs.values() })).toBe(formatReadinessLog(base))
  })

  it('is not ready while a blue host has no green counterpart', () => {
    const text = formatReadinessLog({
      ...base,
      correspondingHosts: [
        { blue: `db-1.${D}`, green: `db-1-green-abc123.${D}` },
        { blue: `db-2.${D}`, green: undefined },
      ],
    })
    expect(text).toContain('correspondingNodes  1 of 2')
    expect(text).toContain('ready               false')
    expect(text).toContain(`db-2.${D} -> (none)`)
  })

  it.each([
    ['no source hosts', { sourceHosts: [] }],
    ['no target hosts', { targetHosts: [] }],
    ['no pairs', { correspondingHosts: [] }],
  ])('is not ready with %s', (_label, change) => {
    expect(formatReadinessLog({ ...base, ...change })).toContain('ready               false')
  })

  it('widens the dividers for long lines', () => {
    const long = `${'a-very-long-instance-name'.repeat(8)}.${D}`
    const lines = formatReadinessLog({ ...base, ipByHost: [[long, '192.168.100.200']] }).split('\n')
    expect(lines[1]).toBe('-'.repeat(`${long} -> 192.168.100.200`.length))
  })
})
