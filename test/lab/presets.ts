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
  /**
   * "Green topology changed" (metadata renamed: TARGET rows carry the blue names), counted from the start of
   * POST. Undefined: right after the cut, inside IN_PROGRESS (the presets). On RDS it comes 7-18 s after POST;
   * until then the green side keeps serving under its green names.
   */
  readonly greenRenamedAtMs?: number
  /** Lead-in with no metadata visible (NOT_CREATED) before CREATED. Default 0. */
  readonly notCreatedMs?: number
  /** Lead-in from CREATED (metadata visible, AVAILABLE) to PREPARATION. Default 0. */
  readonly createdLeadInMs?: number
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
    | 'NOT_CREATED'
    | 'CREATED'
    | 'PREPARATION'
    | 'IN_PROGRESS'
    | 'POST'
    | 'Green topology changed'
    | 'Blue DNS updated'
    | 'Green DNS removed'
    | 'COMPLETED'
  readonly offsetMs: number
}

/** How a recorded timeline is replayed. */
export interface ReplayOptions {
  /** Multiplies every offset. Default 1. */
  readonly timeScale?: number
  /** Caps the lead-in (NOT_CREATED → CREATED → PREPARATION, after scaling) so long recordings stay short. Default 2000. */
  readonly maxLeadInMs?: number
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
 * A recorded timeline with the rename at POST + 10 s and "Blue DNS updated" at POST + 20 s, the order and
 * distances of the switchovers AWS published (rename 7-18 s after POST, blue DNS 8-13 s after the rename),
 * with a CREATED lead-in.
 */
export function lateRenameTrace(): RecordedEvent[] {
  return [
    { event: 'CREATED', offsetMs: -20_000 },
    { event: 'PREPARATION', offsetMs: -2000 },
    { event: 'IN_PROGRESS', offsetMs: 0 },
    { event: 'POST', offsetMs: 3000 },
    { event: 'Green topology changed', offsetMs: 13_000 },
    { event: 'Blue DNS updated', offsetMs: 23_000 },
    { event: 'Green DNS removed', offsetMs: 28_000 },
    { event: 'COMPLETED', offsetMs: 30_000 },
  ]
}

/** Splits a lead-in (NOT_CREATED → CREATED → PREPARATION) under a cap, keeping its proportions. */
function leadIn(
  notCreated: number,
  created: number,
  cap: number,
): { notCreatedMs: number; createdLeadInMs: number } {
  const total = notCreated + created
  const f = total > cap && total > 0 ? cap / total : 1
  return { notCreatedMs: Math.round(notCreated * f), createdLeadInMs: Math.round(created * f) }
}

/**
 * Turns a recorded timeline into lab durations, multiplied by `timeScale`. The IN_PROGRESS visible window is
 * half of IN_PROGRESS, so a poller can see it and the cut still happens inside the phase. A "Green topology
 * changed" after POST becomes `greenRenamedAtMs` (before POST: at the cut); CREATED / NOT_CREATED become a
 * lead-in capped by `maxLeadInMs`.
 *
 * @example
 * replayTimeline(appendixATrace(), 0.1).inProgressMs // 183
 * replayTimeline(lateRenameTrace(), { timeScale: 0.2 }).greenRenamedAtMs // 2000
 */
export function replayTimeline(
  events: readonly RecordedEvent[],
  options: number | ReplayOptions = {},
): SwitchoverTimeline {
  const opts = typeof options === 'number' ? { timeScale: options } : options
  const timeScale = opts.timeScale ?? 1
  const find = (name: RecordedEvent['event']): number | undefined => {
    const e = events.find((x) => x.event === name)
    return e === undefined ? undefined : e.offsetMs * timeScale
  }
  const at = (name: RecordedEvent['event']): number => {
    const t = find(name)
    if (t === undefined) throw new LabError('BAD_OPTION', `recorded timeline lacks ${name}`)
    return t
  }
  const post = at('POST')
  const prep = at('PREPARATION')
  const inProgressMs = Math.round(post - at('IN_PROGRESS'))
  const renamed = find('Green topology changed')
  const created = find('CREATED')
  const notCreated = find('NOT_CREATED')
  const createdAt = created ?? prep
  const lead = leadIn(
    notCreated === undefined ? 0 : Math.max(0, createdAt - notCreated),
    Math.max(0, prep - createdAt),
    opts.maxLeadInMs ?? 2000,
  )
  return {
    ...(renamed !== undefined && renamed >= post ? { greenRenamedAtMs: Math.round(renamed - post) } : {}),
    ...(lead.notCreatedMs > 0 ? { notCreatedMs: lead.notCreatedMs } : {}),
    ...(lead.createdLeadInMs > 0 ? { createdLeadInMs: lead.createdLeadInMs } : {}),
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
