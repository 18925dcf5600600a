import type { Clock } from '../runtime.js'
import { yieldToLoop } from './deadline.js'

/** The answer was not known in time (DNS down, timeout, monitor stopped). */
export const UNKNOWN = Symbol('unknown address')

/** One name's answer: an address, `undefined` (the name is gone) or {@link UNKNOWN}. */
export type LookupAnswer = string | undefined | typeof UNKNOWN

/** How many lookups run at once: enough for a large topology, few enough not to flood the resolver. */
export const LOOKUP_CONCURRENCY = 16
/** Work between two yields to the event loop, so a large answer never blocks it for long. */
const LOOKUPS_PER_YIELD = 64

/**
 * Looks up `hosts` with bounded concurrency under one deadline for the whole round: one timer and at most one
 * abort listener per round (not per host), so the cost is linear in the number of names. A name not answered by
 * the deadline, or when `stop` aborts, is {@link UNKNOWN}; late answers are ignored.
 *
 * @example
 * ```ts
 * const answers = await resolveAll(['db-1.xyz.rds.amazonaws.com'], (h) => resolver.resolve(h), {
 *   clock, timeoutMs: 2_000, stop: stopSignal,
 * })
 * ```
 */
export async function resolveAll(
  hosts: readonly string[],
  resolve: (host: string) => Promise<string | undefined>,
  options: { readonly clock: Clock; readonly timeoutMs: number; readonly stop: AbortSignal },
): Promise<Map<string, LookupAnswer>> {
  const answers = new Map<string, LookupAnswer>()
  if (hosts.length === 0) return answers
  let done = false
  let next = 0
  let started = 0
  let finishRound: () => void = () => undefined
  const deadline = new Promise<void>((fire) => (finishRound = fire))
  const end = (): void => {
    done = true
    finishRound()
  }
  const cancelTimer = options.clock.timer(options.timeoutMs, end)
  options.stop.addEventListener('abort', end, { once: true })
  const worker = async (): Promise<void> => {
    while (!done && next < hosts.length) {
      const host = hosts[next++] as string
      if (++started % LOOKUPS_PER_YIELD === 0) await yieldToLoop()
      let answer: LookupAnswer
      try {
        answer = await resolve(host)
      } catch {
        answer = UNKNOWN
      }
      if (!done) answers.set(host, answer)
    }
  }
  const workers = Array.from({ length: Math.min(LOOKUP_CONCURRENCY, hosts.length) }, worker)
  await Promise.race([Promise.all(workers), deadline])
  done = true
  cancelTimer()
  options.stop.removeEventListener('abort', end)
  for (const host of hosts) if (!answers.has(host)) answers.set(host, UNKNOWN)
  return answers
}

/** What one round of IP collection works from. */
export interface IpRoundInput {
  /** Every name this side knows. */
  readonly names: readonly string[]
  /** The last round's answers. */
  readonly previous: ReadonlyMap<string, string | undefined>
  /** True while the coordinator collects (CREATED): every name is asked. */
  readonly collecting: boolean
  /** True once the side's hosts were renamed (spec §4.7). */
  readonly renamed: boolean
  readonly isGreenHost: (host: string) => boolean
  readonly resolve: (host: string) => Promise<string | undefined>
  readonly clock: Clock
  readonly timeoutMs: number
  readonly stop: AbortSignal
}

/**
 * One round's name → address map. During a switchover a removed name does not come back, and green names are
 * retired once the green hosts carry their new names: DNS is not asked for either (nothing routes to them any
 * more). An unknown answer (DNS down, timeout) keeps the last known one: only a name that is gone counts as
 * removed.
 *
 * @example
 * ```ts
 * const ips = await collectIps({ names, previous, collecting: true, renamed: false, isGreenHost, resolve, clock,
 *   timeoutMs: 2_000, stop })
 * ```
 */
export async function collectIps(input: IpRoundInput): Promise<Map<string, string | undefined>> {
  const { previous, collecting } = input
  const retired = !collecting && input.renamed
  const skip = (h: string): boolean =>
    !collecting && ((previous.has(h) && previous.get(h) === undefined) || (retired && input.isGreenHost(h)))
  const answers = await resolveAll(
    input.names.filter((h) => !skip(h)),
    input.resolve,
    input,
  )
  const next = new Map<string, string | undefined>()
  for (const h of input.names) {
    const answer = answers.get(h)
    if (answer !== UNKNOWN && answers.has(h)) next.set(h, answer)
    else if (previous.has(h)) next.set(h, previous.get(h))
  }
  return next
}
