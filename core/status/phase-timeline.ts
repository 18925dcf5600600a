import type { Clock } from '../runtime.js'
import { formatSwitchoverSummary } from '../summary-log.js'

const SWITCHOVER_EVENTS = new Set(['PREPARATION', 'IN_PROGRESS', 'POST'])

/**
 * The first time each phase and event of one switchover cycle was seen (spec §7.1). A name recorded while the
 * cycle is rolling back gets the suffix " (rollback)".
 *
 * @example
 * ```ts
 * const timeline = new PhaseTimeline(systemClock)
 * timeline.record('IN_PROGRESS', false)
 * console.log(timeline.format('1', false))
 * ```
 */
export class PhaseTimeline {
  readonly #clock: Clock
  readonly #events = new Map<string, { readonly wallMs: number; readonly monoMs: number }>()

  constructor(clock: Clock) {
    this.#clock = clock
  }

  /** Records `name` unless it was recorded before in this cycle. */
  record(name: string, rollback: boolean): void {
    const key = rollback && name !== 'Traffic released on blue DNS update' ? `${name} (rollback)` : name
    if (this.#events.has(key)) return
    this.#events.set(key, { wallMs: this.#clock.wallNow(), monoMs: this.#clock.now() })
  }

  /** Whether this cycle contained a switchover (a phase between PREPARATION and POST was published). */
  hasSwitchover(): boolean {
    for (const name of this.#events.keys())
      if (SWITCHOVER_EVENTS.has(name.replace(' (rollback)', ''))) return true
    return false
  }

  /** Event names in the order they happened. */
  names(): string[] {
    return [...this.#events.entries()].sort((a, b) => a[1].monoMs - b[1].monoMs).map(([name]) => name)
  }

  /** The JDBC-format summary table (spec §7.3). */
  format(bgdId: string, rollback: boolean): string {
    const events = [...this.#events].map(([name, t]) => ({ name, wallMs: t.wallMs, monoMs: t.monoMs }))
    return formatSwitchoverSummary({ bgdId, rollback, events })
  }
}
