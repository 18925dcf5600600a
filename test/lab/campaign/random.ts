/** A small seeded PRNG (mulberry32): the same seed always gives the same draws, on every machine. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number
  /** Uniform in [lo, hi). */
  float(lo: number, hi: number): number
  chance(p: number): boolean
  pick<T>(items: readonly T[]): T
}

/**
 * @example
 * const rng = createRng(42); rng.int(1, 6)
 */
export function createRng(seed: number): Rng {
  let a = seed >>> 0
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const rng: Rng = {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    float: (lo, hi) => lo + next() * (hi - lo),
    chance: (p) => next() < p,
    pick<T>(items: readonly T[]): T {
      const item = items[Math.floor(next() * items.length)]
      if (item === undefined) throw new RangeError('pick from an empty list')
      return item
    },
  }
  return rng
}

/**
 * The seed of run `index` of a campaign seeded with `seed`: runs are independent, so runs 50..99 of seed 1 draw
 * the same scenarios whether they run in one campaign or in a chunk started with `--from 50`.
 */
export function runSeed(seed: number, index: number): number {
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0
  return (h ^ (h >>> 16)) >>> 0
}
