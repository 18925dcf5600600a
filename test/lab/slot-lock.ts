import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { MAX_SLOTS } from './address-plan.js'
import { LabError } from './errors.js'
import { labRoot } from './lab-root.js'
import { isAlive } from './process-guard.js'

const heldHere = new Set<number>()

function tryTake(file: string): boolean {
  try {
    writeFileSync(file, String(process.pid), { flag: 'wx' })
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
  }
  const owner = Number(readFileSync(file, 'utf8'))
  if (owner > 0 && isAlive(owner)) return false
  rmSync(file, { force: true })
  try {
    writeFileSync(file, String(process.pid), { flag: 'wx' })
    return true
  } catch {
    return false
  }
}

/**
 * Takes the lowest free lab slot (or the requested one) with an exclusive lock file; a lock whose owner died is
 * taken over. Returns the slot and a release function.
 *
 * @example
 * const { slot, release } = takeSlot(); try { ... } finally { release() }
 */
export function takeSlot(wanted?: number): { slot: number; release: () => void } {
  const dir = join(labRoot(), 'slots')
  mkdirSync(dir, { recursive: true })
  const candidates = wanted === undefined ? [...Array(MAX_SLOTS).keys()] : [wanted]
  for (const slot of candidates) {
    if (heldHere.has(slot)) continue
    const file = join(dir, `slot-${slot}.lock`)
    if (!tryTake(file)) continue
    heldHere.add(slot)
    return {
      slot,
      release: () => {
        heldHere.delete(slot)
        rmSync(file, { force: true })
      },
    }
  }
  throw new LabError('NO_FREE_SLOT', `no free lab slot among ${candidates.join(',')}`)
}
