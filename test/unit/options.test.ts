import { beforeEach, describe, expect, it, vi } from 'vitest'

import { BlueGreenConfigError, isBlueGreenError } from '../../core/errors.js'
import {
  DEFAULT_OPTIONS,
  optionsFromConfig,
  resolveOptions,
  warnOnce,
  withoutBlueGreenKeys,
} from '../../core/options.js'
import { WARN_ONCE_CAPACITY, rememberedKeys } from '../../core/warn-once.js'

function catchError(fn: () => unknown): unknown {
  try {
    fn()
  } catch (err) {
    return err
  }
  throw new Error('expected a throw')
}

const WARNED = Symbol.for('rds-bluegreen.warned')

function resetWarnings(): void {
  delete (globalThis as unknown as Record<symbol, unknown>)[WARNED]
}

function configError(run: () => unknown): BlueGreenConfigError {
  try {
    run()
  } catch (err) {
    expect(err).toBeInstanceOf(BlueGreenConfigError)
    return err as BlueGreenConfigError
  }
  throw new Error('expected a BlueGreenConfigError')
}

beforeEach(resetWarnings)

describe('resolveOptions defaults', () => {
  it.each([undefined, null, {}])('gives the defaults for %j', (input) => {
    expect(resolveOptions(input, () => undefined)).toEqual(DEFAULT_OPTIONS)
  })

  it('returns frozen options with a frozen monitoring object', () => {
    const options = resolveOptions({ monitoring: { user: 'monitor' } })
    expect(Object.isFrozen(options)).toBe(true)
    expect(Object.isFrozen(options.monitoring)).toBe(true)
    expect(Object.isFrozen(DEFAULT_OPTIONS)).toBe(true)
  })

  it('has the spec defaults', () => {
    expect(DEFAULT_OPTIONS).toEqual({
      bgdId: '1',
      connectTimeoutMs: 30000,
      executeTimeoutMs: 30000,
      baselineMs: 60000,
      increasedMs: 1000,
      highMs: 100,
      switchoverTimeoutMs: 180000,
      releaseOnBlueDnsUpdate: true,
      dropBlueConnections: true,
      retryReadOnly: true,
      allowedHostSuffixes: [],
      monitoring: {},
    })
  })

  it('ignores keys set to undefined', () => {
    expect(resolveOptions({ bgHighMs: undefined, bgdId: undefined })).toEqual(DEFAULT_OPTIONS)
  })

  it('ignores unknown keys that do not look like ours', () => {
    expect(resolveOptions({ host: 'db', user: 'app', ssl: true, statement_timeout: 5 })).toEqual(
      DEFAULT_OPTIONS,
    )
  })
})

describe('resolveOptions values', () => {
  it('maps every option', () => {
    const options = resolveOptions({
      bgdId: '  Orders-DB ',
      bgConnectTimeoutMs: 5000,
      bgExecuteTimeoutMs: '7000',
      bgBaselineMs: '120000',
      bgIncreasedMs: 600,
      bgHighMs: ' 60 ',
      bgSwitchoverTimeoutMs: 240000,
      bgReleaseOnBlueDnsUpdate: 'FALSE',
      bgDropBlueConnections: false,
      bgRetryReadOnly: false,
    })
    expect(options).toEqual({
      bgdId: 'orders-db',
      connectTimeoutMs: 5000,
      executeTimeoutMs: 7000,
      baselineMs: 120000,
      increasedMs: 600,
      highMs: 60,
      switchoverTimeoutMs: 240000,
      releaseOnBlueDnsUpdate: false,
      dropBlueConnections: false,
      retryReadOnly: false,
      allowedHostSuffixes: [],
      monitoring: {},
    })
  })

  it('defaults the execute timeout to the connect timeout', () => {
    expect(resolveOptions({ bgConnectTimeoutMs: '5000' }).executeTimeoutMs).toBe(5000)
  })

  it.each([
    [true, true],
    ['true', true],
    [' True ', true],
    [false, false],
    ['false', false],
  ])('reads boolean %j as %s', (value, expected) => {
    expect(resolveOptions({ bgDropBlueConnections: value }).dropBlueConnections).toBe(expected)
  })

  it('accepts a number written in exponent form when it is an integer', () => {
    expect(resolveOptions({ bgConnectTimeoutMs: 5e3 }).connectTimeoutMs).toBe(5000)
  })

  it.each([
    ['bgConnectTimeoutMs', 'abc'],
    ['bgConnectTimeoutMs', ''],
    ['bgConnectTimeoutMs', '5e3'],
    ['bgConnectTimeoutMs', '-5'],
    ['bgConnectTimeoutMs', '1.5'],
    ['bgExecuteTimeoutMs', Number.NaN],
    ['bgBaselineMs', Number.POSITIVE_INFINITY],
    ['bgIncreasedMs', 1.5],
    ['bgHighMs', 0],
    ['bgSwitchoverTimeoutMs', -1],
    ['bgSwitchoverTimeoutMs', 2_147_483_648],
    ['bgHighMs', null],
    ['bgHighMs', true],
    ['bgHighMs', 100n],
    ['bgReleaseOnBlueDnsUpdate', 'yes'],
    ['bgDropBlueConnections', 1],
    ['bgRetryReadOnly', 'maybe'],
    ['bgSuspendNewBlueConnections', 'maybe'],
    ['bgdId', ''],
    ['bgdId', '   '],
    ['bgdId', 7],
    ['monitoring', 'user=monitor'],
    ['monitoring', ['user']],
  ])('rejects %s = %s naming the key', (key, value) => {
    const err = configError(() => resolveOptions({ [key]: value }))
    expect(err.key).toBe(key)
    expect(err.code).toBe('INVALID_CONFIG')
    expect(err.retryable).toBe(false)
    expect(isBlueGreenError(err)).toBe(true)
    expect(err.message).toContain(`'${key}'`)
  })

  it('says what was wrong with a number', () => {
    expect(configError(() => resolveOptions({ bgHighMs: 'abc' })).message).toBe(
      `Invalid Blue/Green option 'bgHighMs': expected a whole number of milliseconds from 1 to 2147483647, got "abc"`,
    )
  })

  it.each([42, 'text', ['x']])('rejects a non-object input %j', (input) => {
    expect(configError(() => resolveOptions(input)).key).toBe('blueGreen')
  })
})

describe('resolveOptions misspelt keys', () => {
  it.each([
    ['bgConnectTimeout', 'bgConnectTimeoutMs'],
    ['bgdid', 'bgdId'],
    ['BGDID', 'bgdId'],
    ['bgHighMS', 'bgHighMs'],
    ['bgId', 'bgdId'],
    ['bgSwitchOverTimeoutMs', 'bgSwitchoverTimeoutMs'],
    ['monitorng', 'monitoring'],
    ['Monitoring', 'monitoring'],
    ['bgdropblueconnection', 'bgDropBlueConnections'],
  ])('rejects %s and suggests %s', (key, suggested) => {
    const err = configError(() => resolveOptions({ [key]: 1 }))
    expect(err.key).toBe(key)
    expect(err.message).toContain(`did you mean '${suggested}'?`)
  })

  it('lists the known options when nothing is close', () => {
    const err = configError(() => resolveOptions({ bgSomethingCompletelyDifferent: 1 }))
    expect(err.message).toContain('known options are bgdId, bgConnectTimeoutMs')
  })

  it.each([
    'blueGreenMonitoringUser',
    'blue-green-monitoring_user',
    'blue_green-monitoring-user',
    'bluegreen-user',
  ])('rejects the malformed monitoring key %s', (key) => {
    const err = configError(() => resolveOptions({ [key]: 'monitor' }))
    expect(err.key).toBe(key)
    expect(err.message).toContain("'blue-green-monitoring-<key>'")
  })
})

describe('resolveOptions monitoring overrides', () => {
  it('applies both prefix forms, keeping the key as written', () => {
    const options = resolveOptions({
      'blue-green-monitoring-connectTimeout': 5000,
      blue_green_monitoring_user: 'monitor',
      'BLUE-GREEN-MONITORING-ssl': false,
    })
    expect(options.monitoring).toEqual({ connectTimeout: 5000, user: 'monitor', ssl: false })
  })

  it('lets the monitoring object win over a prefixed key, and keeps the others', () => {
    const options = resolveOptions({
      'blue-green-monitoring-user': 'prefixed',
      'blue-green-monitoring-database': 'postgres',
      monitoring: { user: 'explicit' },
    })
    expect(options.monitoring).toEqual({ user: 'explicit', database: 'postgres' })
  })

  it.each([
    [{ monitoring: { connectTimeoutMs: -5 } }, 'monitoring.connectTimeoutMs'],
    [{ monitoring: { connectTimeoutMs: 'abc' } }, 'monitoring.connectTimeoutMs'],
    [{ monitoring: { connectTimeoutMs: 1.5 } }, 'monitoring.connectTimeoutMs'],
    [{ 'blue-green-monitoring-connectTimeoutMs': 'abc' }, 'blue-green-monitoring-connectTimeoutMs'],
    [{ monitoring: { user: 42 } }, 'monitoring.user'],
    [{ monitoring: { port: 70_000 } }, 'monitoring.port'],
    [{ blue_green_monitoring_database: true }, 'blue_green_monitoring_database'],
  ])('rejects an invalid monitoring override %j with a typed error naming the key', (input, key) => {
    const err = catchError(() => resolveOptions(input))
    expect(err).toBeInstanceOf(BlueGreenConfigError)
    expect((err as BlueGreenConfigError).key).toBe(key)
    expect((err as Error).message).toContain(key)
  })

  it('reads monitoring.connectTimeoutMs from a numeric string as a number', () => {
    expect(resolveOptions({ monitoring: { connectTimeoutMs: '2500' } }).monitoring).toEqual({
      connectTimeoutMs: 2500,
    })
  })

  it('copies the monitoring object instead of keeping the caller’s', () => {
    const monitoring = { user: 'a' }
    const options = resolveOptions({ monitoring })
    monitoring.user = 'b'
    expect(options.monitoring).toEqual({ user: 'a' })
  })

  it('rejects a prefix without a key', () => {
    expect(configError(() => resolveOptions({ 'blue-green-monitoring-': 1 })).key).toBe(
      'blue-green-monitoring-',
    )
  })
})

describe('resolveOptions warnings', () => {
  it('warns once per process about the deprecated bgSuspendNewBlueConnections and ignores it', () => {
    const warn = vi.fn()
    expect(resolveOptions({ bgSuspendNewBlueConnections: true }, warn)).toEqual(DEFAULT_OPTIONS)
    resolveOptions({ bgSuspendNewBlueConnections: 'false' }, warn)
    expect(warn).toHaveBeenCalledTimes(1)
    expect(warn.mock.calls[0]?.[0]).toContain('deprecated')
  })

  it.each([
    ['bgIncreasedMs', 499],
    ['bgIncreasedMs', 2001],
    ['bgHighMs', 49],
    ['bgHighMs', 501],
    ['bgBaselineMs', 900000],
  ])('warns once for %s = %d', (key, value) => {
    const warn = vi.fn()
    resolveOptions({ [key]: value }, warn)
    resolveOptions({ [key]: String(value) }, warn)
    expect(warn).toHaveBeenCalledTimes(1)
    expect(warn.mock.calls[0]?.[0]).toContain(`'${key}' is ${value}`)
  })

  it.each([
    ['bgIncreasedMs', 500],
    ['bgIncreasedMs', 2000],
    ['bgHighMs', 50],
    ['bgHighMs', 500],
    ['bgBaselineMs', 899999],
  ])('does not warn for %s = %d', (key, value) => {
    const warn = vi.fn()
    resolveOptions({ [key]: value }, warn)
    expect(warn).not.toHaveBeenCalled()
  })

  it('warns again for a different value of the same key', () => {
    const warn = vi.fn()
    resolveOptions({ bgHighMs: 10 }, warn)
    resolveOptions({ bgHighMs: 20 }, warn)
    expect(warn).toHaveBeenCalledTimes(2)
  })

  it('shares the once-set through globalThis', () => {
    const warn = vi.fn()
    const shared = new Set<string>(['option:bgHighMs=10'])
    ;(globalThis as unknown as Record<symbol, unknown>)[WARNED] = shared
    resolveOptions({ bgHighMs: 10 }, warn)
    expect(warn).not.toHaveBeenCalled()
    warnOnce('other', 'other message', warn)
    expect(shared.has('other')).toBe(true)
    expect(warn).toHaveBeenCalledWith('other message')
  })

  it('uses console.warn by default', () => {
    const spy = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    resolveOptions({ bgHighMs: 5 })
    expect(spy).toHaveBeenCalledTimes(1)
    spy.mockRestore()
  })
})

describe('optionsFromConfig', () => {
  it('extracts the blueGreen object and the top-level keys', () => {
    const config = {
      host: 'db',
      password: 'hunter2',
      bgdId: 'a',
      bgHighMs: 50,
      'blue-green-monitoring-user': 'm',
      blue_green_monitoring_ssl: false,
      blueGreen: { bgHighMs: 60, monitoring: { database: 'postgres' } },
    }
    expect(optionsFromConfig(config)).toEqual({
      bgdId: 'a',
      bgHighMs: 60,
      'blue-green-monitoring-user': 'm',
      blue_green_monitoring_ssl: false,
      monitoring: { database: 'postgres' },
    })
  })

  it('forwards misspelt top-level bg keys so resolveOptions can reject them', () => {
    const input = optionsFromConfig({ host: 'db', bgdid: 'x' })
    expect(input).toEqual({ bgdid: 'x' })
    expect(configError(() => resolveOptions(input)).key).toBe('bgdid')
  })

  it.each([undefined, null, 'postgres://u:p@h/db', 5])('gives an empty input for %j', (config) => {
    expect(optionsFromConfig(config)).toEqual({})
  })

  it('rejects a blueGreen value that is not an object', () => {
    expect(configError(() => optionsFromConfig({ blueGreen: true })).key).toBe('blueGreen')
  })

  it('withoutBlueGreenKeys removes exactly what optionsFromConfig reads', () => {
    const config = { host: 'db', port: 5432, bgdId: 'a', blueGreen: {}, 'blue-green-monitoring-user': 'm' }
    expect(withoutBlueGreenKeys(config)).toEqual({ host: 'db', port: 5432 })
    expect(config).toHaveProperty('bgdId')
  })
})

describe('error messages never leak secrets', () => {
  const SECRET = 'hunter2-S3cr3t'
  it.each([
    ['a misspelt secret-looking key', () => resolveOptions({ bgPassword: SECRET })],
    [
      'a connection string as monitoring',
      () => resolveOptions({ monitoring: `postgres://u:${SECRET}@h/db` }),
    ],
    ['a long string as bgdId', () => resolveOptions({ bgdId: 7, password: SECRET })],
    ['a token as a timeout', () => resolveOptions({ bgConnectTimeoutMs: `token=${SECRET}` })],
    ['a password as a timeout', () => resolveOptions({ bgConnectTimeoutMs: `${SECRET}@`.repeat(5) })],
    ['a connectionString as blueGreen', () => optionsFromConfig({ blueGreen: `mysql://root:${SECRET}@h` })],
    ['a secret under an unknown bg key', () => resolveOptions({ bgSecret: SECRET, bgToken: SECRET })],
  ])('for %s', (_label, run) => {
    const err = configError(run)
    expect(err.message).not.toContain(SECRET)
    expect(JSON.stringify(err)).not.toContain(SECRET)
  })

  it('still shows short harmless values', () => {
    expect(configError(() => resolveOptions({ bgHighMs: 'fast' })).message).toContain('"fast"')
    expect(configError(() => resolveOptions({ bgHighMs: -3 })).message).toContain('got -3')
    expect(configError(() => resolveOptions({ bgdId: {} })).message).toContain('got an object')
  })
})

describe('withoutBlueGreenKeys keeps hidden secrets hidden', () => {
  it('copies a non-enumerable password (as pg-pool stores it) without exposing it', async () => {
    const { withoutBlueGreenKeys } = await import('../../core/options.js')
    const config = { host: 'db', bgdId: 'x' }
    Object.defineProperty(config, 'password', { value: 's3cret', enumerable: false })
    const copy = withoutBlueGreenKeys(config) as Record<string, unknown>
    expect(copy['password']).toBe('s3cret')
    expect(Object.keys(copy)).toEqual(['host'])
    expect(JSON.stringify(copy)).not.toContain('s3cret')
  })
})

describe('bgAllowedHostSuffixes', () => {
  it('accepts an array or a comma-separated string, lower-cased, without a leading "*."', () => {
    expect(resolveOptions({ bgAllowedHostSuffixes: ['*.DB.Example.internal'] }).allowedHostSuffixes).toEqual([
      'db.example.internal',
    ])
    expect(resolveOptions({ bgAllowedHostSuffixes: 'a.test, .b.test' }).allowedHostSuffixes).toEqual([
      'a.test',
      'b.test',
    ])
  })

  it.each([[42], [[1]], ['bad suffix!']])('rejects %j naming the key', (value) => {
    const err = catchError(() => resolveOptions({ bgAllowedHostSuffixes: value }))
    expect(err).toBeInstanceOf(BlueGreenConfigError)
    expect((err as BlueGreenConfigError).key).toBe('bgAllowedHostSuffixes')
  })
})

describe('warnOnce bounds', () => {
  it('remembers at most WARN_ONCE_CAPACITY keys, forgetting the oldest first', () => {
    const warn = vi.fn()
    for (let i = 0; i < WARN_ONCE_CAPACITY + 500; i++) warnOnce(`bounded-test:${i}`, 'x', warn)
    expect(warn).toHaveBeenCalledTimes(WARN_ONCE_CAPACITY + 500)
    expect(rememberedKeys()).toBeLessThanOrEqual(WARN_ONCE_CAPACITY)
    // The newest key is still remembered; the oldest was forgotten.
    warnOnce(`bounded-test:${WARN_ONCE_CAPACITY + 499}`, 'x', warn)
    expect(warn).toHaveBeenCalledTimes(WARN_ONCE_CAPACITY + 500)
    warnOnce('bounded-test:0', 'x', warn)
    expect(warn).toHaveBeenCalledTimes(WARN_ONCE_CAPACITY + 501)
  })
})
