import type { LabClock } from './clock.js'

/** One orchestrator event. AWS phase names are upper-case; the lab's own steps are lower-case prose. */
export interface LabEvent {
  readonly t: number
  readonly event: string
  readonly detail?: Readonly<Record<string, unknown>>
}

/** An append-only, timestamped event log. */
export interface EventLog {
  add(event: string, detail?: Record<string, unknown>): LabEvent
  all(): readonly LabEvent[]
  /** Lab time of the last occurrence of `event`. */
  at(event: string): number | undefined
}

export function createEventLog(clock: LabClock): EventLog {
  const events: LabEvent[] = []
  return {
    add(event, detail) {
      const e: LabEvent = detail === undefined ? { t: clock.now(), event } : { t: clock.now(), event, detail }
      events.push(e)
      return e
    },
    all: () => events,
    at: (event) => events.findLast((e) => e.event === event)?.t,
  }
}
