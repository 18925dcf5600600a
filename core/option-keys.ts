import { BlueGreenConfigError } from './errors.js'
import type { OptionInput } from './option-values.js'

/**
 * Rejects keys that look like misspelt Blue/Green options, with a suggestion. Unknown keys that do not look like
 * ours are left alone: they belong to the driver config around them.
 *
 * @throws {BlueGreenConfigError} naming the misspelt key.
 * @example
 * ```ts
 * rejectMisspeltKeys({ bgHighMS: 50 }, ['bgHighMs'], () => false) // throws: did you mean 'bgHighMs'?
 * ```
 */
export function rejectMisspeltKeys(
  options: OptionInput,
  known: readonly string[],
  isAccepted: (key: string) => boolean,
): void {
  const knownSet = new Set(known)
  for (const key of Object.keys(options)) {
    if (knownSet.has(key) || isAccepted(key)) continue
    const lower = key.toLowerCase()
    const suspicious =
      lower.startsWith('bg') ||
      lower.replace(/[-_]/g, '').startsWith('bluegreen') ||
      known.some((k) => editDistance(lower, k.toLowerCase()) <= 2)
    if (suspicious)
      throw new BlueGreenConfigError(key, `unknown Blue/Green option; ${suggestion(key, known)}`)
  }
}

function suggestion(key: string, known: readonly string[]): string {
  const lower = key.toLowerCase()
  if (lower.replace(/[-_]/g, '').startsWith('bluegreen')) {
    return "monitoring overrides are written 'blue-green-monitoring-<key>' or 'monitoring: { <key>: ... }'"
  }
  const ranked = known.map((k) => ({ known: k, distance: editDistance(lower, k.toLowerCase()) }))
  ranked.sort((a, b) => a.distance - b.distance)
  const best = ranked[0]
  if (best !== undefined && best.distance <= Math.max(3, Math.floor(key.length / 3))) {
    return `did you mean '${best.known}'?`
  }
  return `known options are ${known.join(', ')}`
}

/** Levenshtein distance; keys are short, so the quadratic table is fine. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution))
    }
    previous = current
  }
  return previous[b.length] ?? 0
}
