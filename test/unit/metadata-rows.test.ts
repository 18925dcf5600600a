import { beforeEach, describe, expect, it, vi } from 'vitest'

import { deriveSidePhase, KNOWN_VERSION, parseRows } from '../../core/metadata/rows.js'
import type { RawMetadataRow } from '../../core/metadata/source.js'
import type { MetadataRow, Phase, Role } from '../../core/types.js'

const D = 'xyz.us-east-2.rds.amazonaws.com'
const SOURCE = 'BLUE_GREEN_DEPLOYMENT_SOURCE'
const TARGET = 'BLUE_GREEN_DEPLOYMENT_TARGET'

beforeEach(() => {
  delete (globalThis as unknown as Record<symbol, unknown>)[Symbol.for('rds-bluegreen.warned')]
})

function raw(fields: Partial<Record<keyof RawMetadataRow, unknown>> = {}): RawMetadataRow {
  return { endpoint: `db-1.${D}`, port: 5432, role: SOURCE, status: 'AVAILABLE', version: '1.0', ...fields }
}

function parseOne(fields: Partial<Record<keyof RawMetadataRow, unknown>>): MetadataRow | undefined {
  return parseRows([raw(fields)], () => undefined).rows[0]
}

describe('parseRows: roles and statuses', () => {
  it.each([
    [SOURCE, 'SOURCE'],
    [TARGET, 'TARGET'],
    ['blue_green_deployment_source', 'SOURCE'],
    [' Blue_Green_Deployment_Target ', 'TARGET'],
  ])('reads role %j as %s', (role, expected) => {
    expect(parseOne({ role })?.role).toBe(expected)
  })

  it.each([
    [null, 'NOT_CREATED'],
    [undefined, 'NOT_CREATED'],
    ['', 'NOT_CREATED'],
    ['  ', 'NOT_CREATED'],
    ['AVAILABLE', 'CREATED'],
    ['available', 'CREATED'],
    ['SWITCHOVER_INITIATED', 'PREPARATION'],
    ['switchover_in_progress', 'IN_PROGRESS'],
    ['SWITCHOVER_IN_POST_PROCESSING', 'POST'],
    ['Switchover_Completed', 'COMPLETED'],
  ])('reads status %j as %s', (status, expected) => {
    expect(parseOne({ status })?.phase).toBe(expected)
  })

  it('lower-cases and trims the endpoint and keeps the port', () => {
    expect(parseOne({ endpoint: `  DB-1.${D.toUpperCase()} ` })).toEqual({
      endpoint: `db-1.${D}`,
      port: 5432,
      role: 'SOURCE',
      phase: 'CREATED',
      version: '1.0',
    })
  })
})

describe('parseRows: ports', () => {
  it.each([
    [3306, 3306],
    ['3306', 3306],
    [' 5432 ', 5432],
    [5432n, 5432],
    [65535, 65535],
  ])('coerces %s to %d', (port, expected) => {
    expect(parseOne({ port })?.port).toBe(expected)
  })

  it.each([0, -1, 65536, 5432.5, 'abc', '', '54 32', null, undefined, Number.NaN, 70000n, true, {}])(
    'skips the row for port %s',
    (port) => {
      const warn = vi.fn()
      expect(parseRows([raw({ port })], warn).rows).toEqual([])
      expect(warn).toHaveBeenCalledTimes(1)
      expect(warn.mock.calls[0]?.[0]).toMatch(
        /^Blue\/Green metadata row skipped: invalid port .* for 'db-1\./,
      )
    },
  )
})

describe('parseRows: skipped rows', () => {
  it.each([
    [{ endpoint: null }, 'no endpoint (null)'],
    [{ endpoint: '  ' }, "no endpoint ('  ')"],
    [{ endpoint: 42 }, 'no endpoint (42)'],
    [{ role: 'BLUE_GREEN_DEPLOYMENT_OBSERVER' }, "unknown blue/green role 'BLUE_GREEN_DEPLOYMENT_OBSERVER'"],
    [{ role: null }, 'unknown blue/green role null'],
    [{ role: 0 }, 'unknown blue/green role 0'],
    [{ status: 'SWITCHOVER_FAILED' }, "unknown blue/green status 'SWITCHOVER_FAILED'"],
    [{ status: { value: 1 } }, 'unknown blue/green status an object'],
    [{ status: true }, 'unknown blue/green status true'],
    [{ role: Symbol('r') }, 'unknown blue/green role a symbol'],
  ])('skips %j with a warning and keeps the other rows', (fields, reason) => {
    const warn = vi.fn()
    const good = raw({ endpoint: `db-2.${D}` })
    const { rows } = parseRows([raw(fields), good], warn)
    expect(rows.map((row) => row.endpoint)).toEqual([`db-2.${D}`])
    expect(warn).toHaveBeenCalledTimes(1)
    expect(warn.mock.calls[0]?.[0]).toContain(reason)
  })

  it('warns once per distinct problem across polls', () => {
    const warn = vi.fn()
    for (let poll = 0; poll < 3; poll++) parseRows([raw({ status: 'WEIRD' }), raw({ role: 'X' })], warn)
    expect(warn).toHaveBeenCalledTimes(2)
  })
})

describe('parseRows: versions', () => {
  it('keeps version 1.0 without a warning', () => {
    const warn = vi.fn()
    expect(parseRows([raw({ version: ' 1.0 ' })], warn).rows[0]?.version).toBe('1.0')
    expect(warn).not.toHaveBeenCalled()
  })

  it.each([
    ['2.0', '2.0'],
    [null, 'null'],
    [undefined, 'null'],
    [1, '1'],
    [{}, ''],
  ])('reads version %j as 1.0 with the AWS warning, once', (version, shown) => {
    const warn = vi.fn()
    const first = parseRows([raw({ version }), raw({ version, endpoint: `db-2.${D}` })], warn)
    parseRows([raw({ version })], warn)
    expect(first.rows.map((row) => row.version)).toEqual([KNOWN_VERSION, KNOWN_VERSION])
    expect(warn).toHaveBeenCalledTimes(1)
    expect(warn).toHaveBeenCalledWith(
      `Blue/Green deployment uses version '${shown}' which the driver does not support. Version '1.0' will be used instead.`,
    )
  })

  it('warns separately for each distinct version', () => {
    const warn = vi.fn()
    parseRows([raw({ version: '2.0' }), raw({ version: '3.0' })], warn)
    expect(warn).toHaveBeenCalledTimes(2)
  })
})

function row(endpoint: string, role: Role, phase: Phase, port = 5432, version = '1.0'): MetadataRow {
  return { endpoint, role, phase, port, version }
}

describe('deriveSidePhase', () => {
  const writer = `bg.cluster-${D}`
  const reader = `bg.cluster-ro-${D}`
  const greenWriter = `bg-green-abc123.cluster-${D}`

  it.each<{
    name: string
    rows: MetadataRow[]
    role: Role
    previous: Phase | undefined
    expected: ReturnType<typeof deriveSidePhase>
  }>([
    {
      name: 'prefers the writer cluster endpoint and adds its reader endpoint',
      rows: [
        row(`db-1.${D}`, 'SOURCE', 'CREATED', 1111),
        row(writer, 'SOURCE', 'PREPARATION', 5432),
        row(`db-2.${D}`, 'SOURCE', 'CREATED', 2222),
        row(greenWriter, 'TARGET', 'PREPARATION'),
      ],
      role: 'SOURCE',
      previous: 'CREATED',
      expected: {
        phase: 'PREPARATION',
        version: '1.0',
        port: 5432,
        primaryEndpoint: writer,
        hostNames: [`db-1.${D}`, writer, `db-2.${D}`, reader],
      },
    },
    {
      name: 'uses the first instance endpoint without a writer cluster endpoint',
      rows: [row(reader, 'TARGET', 'POST'), row(`db-1-green-abc123.${D}`, 'TARGET', 'IN_PROGRESS', 3306)],
      role: 'TARGET',
      previous: 'PREPARATION',
      expected: {
        phase: 'IN_PROGRESS',
        version: '1.0',
        port: 3306,
        primaryEndpoint: `db-1-green-abc123.${D}`,
        hostNames: [reader, `db-1-green-abc123.${D}`],
      },
    },
    {
      name: 'skips -old1 names for the primary and the host names',
      rows: [
        row(`bg-old1.cluster-${D}`, 'SOURCE', 'COMPLETED', 1),
        row(`db-1-old1.${D}`, 'SOURCE', 'COMPLETED', 2),
        row(`db-1.${D}`, 'SOURCE', 'POST', 3),
      ],
      role: 'SOURCE',
      previous: 'IN_PROGRESS',
      expected: {
        phase: 'POST',
        version: '1.0',
        port: 3,
        primaryEndpoint: `db-1.${D}`,
        hostNames: [`db-1.${D}`],
      },
    },
    {
      name: 'has no phase without rows of its role',
      rows: [row(greenWriter, 'TARGET', 'COMPLETED')],
      role: 'SOURCE',
      previous: 'POST',
      expected: { phase: undefined, version: '1.0', port: -1, hostNames: [] },
    },
    {
      name: 'has no phase with no rows at all',
      rows: [],
      role: 'TARGET',
      previous: 'CREATED',
      expected: { phase: undefined, version: '1.0', port: -1, hostNames: [] },
    },
    {
      name: 'keeps the previous phase when only -old1 rows exist',
      rows: [row(`bg-old1.cluster-${D}`, 'SOURCE', 'COMPLETED')],
      role: 'SOURCE',
      previous: 'POST',
      expected: { phase: 'POST', version: '1.0', port: -1, hostNames: [] },
    },
    {
      name: 'keeps the previous phase for non-RDS names but still lists them',
      rows: [row('db.example.com', 'SOURCE', 'IN_PROGRESS'), row(`px.proxy-${D}`, 'SOURCE', 'IN_PROGRESS')],
      role: 'SOURCE',
      previous: 'CREATED',
      expected: {
        phase: 'CREATED',
        version: '1.0',
        port: -1,
        hostNames: ['db.example.com', `px.proxy-${D}`],
      },
    },
    {
      name: 'keeps an unknown previous phase',
      rows: [row(`db-1-old1.${D}`, 'TARGET', 'COMPLETED')],
      role: 'TARGET',
      previous: undefined,
      expected: { phase: undefined, version: '1.0', port: -1, hostNames: [] },
    },
    {
      name: 'takes the version of the primary row and de-duplicates host names',
      rows: [
        row(writer, 'SOURCE', 'CREATED', 5432, '1.0'),
        row(writer, 'SOURCE', 'CREATED'),
        row(reader, 'SOURCE', 'CREATED'),
      ],
      role: 'SOURCE',
      previous: undefined,
      expected: {
        phase: 'CREATED',
        version: '1.0',
        port: 5432,
        primaryEndpoint: writer,
        hostNames: [writer, reader],
      },
    },
  ])('$name', ({ rows, role, previous, expected }) => {
    const result = deriveSidePhase(rows, role, previous)
    expect(result).toEqual(expected)
    if (expected.primaryEndpoint === undefined) expect(result).not.toHaveProperty('primaryEndpoint')
  })

  it('works on rows produced by parseRows', () => {
    const { rows } = parseRows(
      [
        {
          endpoint: `BG.CLUSTER-${D}`,
          port: '5432',
          role: SOURCE,
          status: 'SWITCHOVER_IN_PROGRESS',
          version: '1.0',
        },
        { endpoint: greenWriter, port: 5432, role: TARGET, status: 'SWITCHOVER_IN_PROGRESS', version: '1.0' },
      ],
      () => undefined,
    )
    expect(deriveSidePhase(rows, 'TARGET', 'CREATED')).toEqual({
      phase: 'IN_PROGRESS',
      version: '1.0',
      port: 5432,
      primaryEndpoint: greenWriter,
      hostNames: [greenWriter, `bg-green-abc123.cluster-ro-${D}`],
    })
  })
})
