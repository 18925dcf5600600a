import { describe, expect, it } from 'vitest'
import { runScenario } from './scenario.js'

describe('MariaDB switchover with the plain mysql2 client', () => {
  it('fenced: no lost writes, ER_OPTION_PREVENTS_STATEMENT from stale DNS', async () => {
    const r = await runScenario({ engine: 'mysql', preset: 'fast', client: 'plain-mysql2' })
    expect(r.outcome).toBe('completed')
    expect(r.lostWrites).toBe(0)
    expect(r.oldBlueWritesAfterCut).toBe(0)
    expect(r.errorsByCode['ER_OPTION_PREVENTS_STATEMENT'] ?? 0).toBeGreaterThan(0)
    expect(r.ackedByInstance['green'] ?? 0).toBeGreaterThan(0)
  })

  it('old blue left writable: the lost-write detector fires', async () => {
    const r = await runScenario({
      engine: 'mysql',
      preset: 'fast',
      client: 'plain-mysql2',
      readOnlyOldBlue: false,
    })
    expect(r.lostWrites).toBeGreaterThan(0)
    expect(r.oldBlueWritesAfterCut).toBeGreaterThan(0)
  })

  it('rollback in IN_PROGRESS returns traffic to blue', async () => {
    const r = await runScenario({
      engine: 'mysql',
      preset: 'fast',
      client: 'plain-mysql2',
      rollbackAt: 'IN_PROGRESS',
    })
    expect(r.outcome).toBe('rolled-back')
    expect(r.lostWrites).toBe(0)
    expect(r.ackedByInstance['green'] ?? 0).toBe(0)
  })
})
