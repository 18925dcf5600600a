import { describe, expect, it } from 'vitest'

import { formatReadinessLog, formatSwitchoverSummary, type SummaryEvent } from '../../core/summary-log.js'

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
function docsEvents(): SummaryEvent[] {
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

describe('formatSwitchoverSummary', () => {
  it('reproduces the JDBC docs example exactly', () => {
    expect(formatSwitchoverSummary({ bgdId: '1', rollback: false, events: docsEvents() })).toBe(DOCS_EXAMPLE)
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
    const text = formatSwitchoverSummary({ bgdId: '1', rollback: false, events: shuffled as SummaryEvent[] })
    expect(text).toBe(DOCS_EXAMPLE)
  })

  it('uses the un-suffixed PREPARATION as time zero on rollback', () => {
    const text = formatSwitchoverSummary({
      bgdId: 'orders',
      rollback: true,
      events: [
        { name: 'CREATED', wallMs: 0, monoMs: 100 },
        { name: 'PREPARATION', wallMs: 1000, monoMs: 1100 },
        { name: 'PREPARATION (rollback)', wallMs: 2000, monoMs: 2100 },
        { name: 'CREATED (rollback)', wallMs: 3000, monoMs: 3100 },
      ],
    })
    const lines = text.split('\n')
    expect(lines[0]).toBe("[bgdId: 'orders'] Blue/Green Deployment Switchover ROLLED BACK")
    expect(lines.slice(4, 8).map((line) => line.slice(29, 50).trim())).toEqual([
      '-1000 ms',
      '0 ms',
      '1000 ms',
      '2000 ms',
    ])
  })

  it('falls back to PREPARATION (rollback) as time zero', () => {
    const text = formatSwitchoverSummary({
      bgdId: '1',
      rollback: true,
      events: [
        { name: 'CREATED', wallMs: 0, monoMs: 0 },
        { name: 'PREPARATION (rollback)', wallMs: 500, monoMs: 500 },
      ],
    })
    expect(
      text
        .split('\n')
        .slice(4, 6)
        .map((line) => line.slice(29, 50).trim()),
    ).toEqual(['-500 ms', '0 ms'])
  })

  it('has no time zero on a normal cycle without an un-suffixed IN_PROGRESS', () => {
    const events = [
      { name: 'PREPARATION', wallMs: 0, monoMs: 0 },
      { name: 'IN_PROGRESS (rollback)', wallMs: 10, monoMs: 10 },
    ]
    const normal = formatSwitchoverSummary({ bgdId: '1', rollback: false, events })
    expect(normal.split('\n')[4]).toBe(
      `${'1970-01-01T00:00:00.000Z'.padStart(28)} ${' '.repeat(21)} ${'PREPARATION'.padStart(27)}`,
    )
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
