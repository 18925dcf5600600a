import { LabError } from './errors.js'

/** Durations of one switchover, in ms. POST-relative values count from the start of POST. */
export interface SwitchoverTimeline {
  /** PREPARATION (SWITCHOVER_INITIATED) duration. */
  readonly prepMs: number
  /** IN_PROGRESS duration, from the status write to POST. */
  readonly inProgressMs: number
  /** How long IN_PROGRESS stays readable before the cut (block, fence, kill); RDS shows it for seconds. */
  readonly inProgressVisibleMs: number
  readonly blueDnsAtMs: number
  readonly greenDnsAtMs: number
  readonly completedAtMs: number
  /** Resolvers keep the previous answer this long after each DNS change. */
  readonly dnsStaleMs: number
  /** mysql-trace: the table empties this long after COMPLETED (44 s on RDS). */
  readonly emptyAfterMs: number
  /** aurora-pg-deleted: the function starts failing this long after COMPLETED. */
  readonly teardownAfterMs: number
}

export type PresetName = 'fast' | 'default' | 'realistic' | 'trace-0.1x'

const common = { emptyAfterMs: 1000, teardownAfterMs: 1000 }

/** Timelines from the lab design §2.3. */
export const PRESETS: Readonly<Record<PresetName, SwitchoverTimeline>> = Object.freeze({
  fast: {
    prepMs: 300,
    inProgressMs: 700,
    inProgressVisibleMs: 300,
    blueDnsAtMs: 0,
    greenDnsAtMs: 500,
    completedAtMs: 700,
    dnsStaleMs: 500,
    ...common,
  },
  default: {
    prepMs: 1000,
    inProgressMs: 1500,
    inProgressVisibleMs: 1000,
    blueDnsAtMs: 0,
    greenDnsAtMs: 1000,
    completedAtMs: 1500,
    dnsStaleMs: 1000,
    ...common,
  },
  realistic: {
    prepMs: 3000,
    inProgressMs: 5000,
    inProgressVisibleMs: 2500,
    blueDnsAtMs: 1300,
    greenDnsAtMs: 6000,
    completedAtMs: 7000,
    dnsStaleMs: 5000,
    ...common,
  },
  'trace-0.1x': { ...replayTimeline(appendixATrace(), 0.1), dnsStaleMs: 500 },
})

/** A recorded timeline: offsets of the AWS events, e.g. from a switchover summary log. */
export interface RecordedEvent {
  readonly event:
    'PREPARATION' | 'IN_PROGRESS' | 'POST' | 'Blue DNS updated' | 'Green DNS removed' | 'COMPLETED'
  readonly offsetMs: number
}

/** The Aurora trace from spec Appendix A (JDBC test comment, 2025-04-10). */
export function appendixATrace(): RecordedEvent[] {
  return [
    { event: 'PREPARATION', offsetMs: -829 },
    { event: 'IN_PROGRESS', offsetMs: 0 },
    { event: 'POST', offsetMs: 1831 },
    { event: 'Blue DNS updated', offsetMs: 12764 },
    { event: 'Green DNS removed', offsetMs: 77131 },
    { event: 'COMPLETED', offsetMs: 88616 },
  ]
}

/**
 * Turns a recorded timeline into lab durations, multiplied by `timeScale`. The IN_PROGRESS visible window is
 * half of IN_PROGRESS, so a poller can see it and the cut still happens inside the phase.
 *
 * @example
 * replayTimeline(appendixATrace(), 0.1).inProgressMs // 183
 */
export function replayTimeline(events: readonly RecordedEvent[], timeScale = 1): SwitchoverTimeline {
  const at = (name: RecordedEvent['event']): number => {
    const e = events.find((x) => x.event === name)
    if (e === undefined) throw new LabError('BAD_OPTION', `recorded timeline lacks ${name}`)
    return e.offsetMs * timeScale
  }
  const post = at('POST')
  const inProgressMs = Math.round(post - at('IN_PROGRESS'))
  return {
    prepMs: Math.round(at('IN_PROGRESS') - at('PREPARATION')),
    inProgressMs,
    inProgressVisibleMs: Math.round(inProgressMs / 2),
    blueDnsAtMs: Math.round(at('Blue DNS updated') - post),
    greenDnsAtMs: Math.round(at('Green DNS removed') - post),
    completedAtMs: Math.round(at('COMPLETED') - post),
    dnsStaleMs: Math.round(Math.min(5000, 5000 * timeScale)),
    ...common,
  }
}
