import { spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import type { LabEngineName } from './address-plan.js'
import { sleep } from './clock.js'
import { startLab } from './start-lab.js'

/** Pids of processes whose command line mentions `needle` (a lab's data folder). */
function processesMentioning(needle: string): number[] {
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(needle)) pids.push(Number(entry))
    } catch {
      // gone meanwhile
    }
  }
  return pids
}

describe('lab lifecycle', () => {
  for (const engine of ['pg', 'mysql'] as LabEngineName[]) {
    it(`${engine}: starts in under 2 s from cached templates and leaves no process or folder behind`, async () => {
      await (await startLab({ engine })).stop() // builds the template if this machine has none yet
      const lab = await startLab({ engine })
      const dir = lab.dir
      try {
        expect(lab.startMs).toBeLessThan(2000)
        expect(processesMentioning(dir).length).toBeGreaterThanOrEqual(2)
        expect(await lab.sql('blue', 'SELECT 1 AS one')).toEqual([{ one: 1 }])
      } finally {
        await lab.stop()
      }
      expect(processesMentioning(dir)).toEqual([])
      expect(existsSync(dir)).toBe(false)
    })
  }

  it('the reaper kills the servers of a lab whose process was SIGKILLed', async () => {
    const fixture = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'crash-lab.ts')
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    await new Promise((resolve) => child.once('exit', resolve))
    const dir = out.trim()
    expect(dir).not.toBe('')
    expect(processesMentioning(dir).length).toBeGreaterThanOrEqual(2) // orphans: postgres outlives its parent
    const lab = await startLab({ engine: 'pg' }) // reaps at start
    try {
      for (let i = 0; i < 50 && processesMentioning(dir).length > 0; i++) await sleep(20)
      expect(processesMentioning(dir)).toEqual([])
      expect(existsSync(dir)).toBe(false)
    } finally {
      await lab.stop()
    }
  })
})
