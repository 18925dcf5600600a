import { describe, expect, it } from 'vitest'
import { copyConfig, monitoringConfig } from '../../integrations/shared/driver-config.js'

describe('copyConfig', () => {
  it('keeps a non-enumerable password hidden, applies overrides, and copies frozen configs into writable ones', () => {
    const base = Object.freeze(
      Object.defineProperty({ host: 'db', max: 4 }, 'password', { value: 'pw', enumerable: false }),
    )
    const copy = copyConfig(base, { host: '10.0.0.1' })
    expect(copy['password']).toBe('pw')
    expect(Object.keys(copy)).toEqual(['host', 'max'])
    expect(copy['host']).toBe('10.0.0.1')
    delete copy['max']
    expect(copy['max']).toBeUndefined()
  })

  it('monitoring configs drop node-selection options before applying overrides', () => {
    const config = monitoringConfig(
      Object.freeze({ user: 'app', target_session_attrs: 'read-write' }),
      { user: 'monitor' },
      {},
    )
    expect(config).toEqual({ user: 'monitor' })
  })
})
