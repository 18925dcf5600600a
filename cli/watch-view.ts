import type { ArmedCode, ArmedPair, BlueGreenSnapshot, Phase } from '../core/types.js'
import { describePairs } from '../core/status/armed.js'
import { clockTime } from './output.js'
import type { Printer } from './output.js'

/** One thing `watch` reports; with `--json` each is one line `{ "event": ..., "at", "elapsedMs", ... }`. */
export type WatchEvent =
  | { readonly event: 'start'; readonly target: string; readonly bgdId: string; readonly engine: string }
  | { readonly event: 'error'; readonly message: string; readonly fix: string | undefined }
  | {
      readonly event: 'armed'
      readonly armed: boolean
      readonly code: ArmedCode
      readonly reason: string
      readonly fix: string | undefined
      readonly pairs: readonly ArmedPair[]
    }
  | { readonly event: 'phase'; readonly phase: Phase; readonly previous: Phase; readonly rollback: boolean }
  | { readonly event: 'dns'; readonly name: string }
  | { readonly event: 'warning'; readonly message: string }
  | { readonly event: 'summary'; readonly rollback: boolean; readonly text: string }
  | { readonly event: 'end'; readonly reason: string; readonly exitCode: number }

/**
 * How `watch` shows its events: plain lines (a pipe, a log file), one JSON object per event (`--json`), or on a
 * terminal the same lines under a one-line live status (phase, time since IN_PROGRESS, DNS state, armed).
 * Offsets count from the IN_PROGRESS this process saw, in whole ms truncated like the library's summary.
 *
 * @example
 * ```ts
 * const view = new WatchView(printer, false)
 * view.emit({ event: 'dns', name: 'Blue DNS updated' }, snapshot.publishedAt)
 * ```
 */
export class WatchView {
  readonly #out: Printer
  readonly #json: boolean
  /** The monotonic clock the library stamps snapshots with (`performance.now()`), and the wall clock then. */
  readonly #startMono = performance.now()
  readonly #startWall = Date.now()
  #inProgressAt: number | undefined
  #statusShown = false

  constructor(out: Printer, json: boolean) {
    this.#out = out
    this.#json = json
  }

  /** A terminal gets the live status line; pipes and `--json` get only event lines. */
  get live(): boolean {
    return this.#out.isTTY && !this.#json
  }

  /** Reports `event`, which happened at `mono` (a snapshot's `publishedAt`; default now). */
  emit(event: WatchEvent, mono = performance.now()): void {
    if (event.event === 'phase' && event.phase === 'IN_PROGRESS' && !event.rollback) this.#inProgressAt = mono
    if (
      event.event === 'phase' &&
      (event.phase === 'CREATED' || event.phase === 'NOT_CREATED') &&
      !event.rollback
    ) {
      this.#inProgressAt = undefined
    }
    const timed = event.event === 'phase' || event.event === 'dns'
    const offsetMs =
      timed && this.#inProgressAt !== undefined ? Math.trunc(mono - this.#inProgressAt) || 0 : null
    const wall = this.#startWall + (mono - this.#startMono)
    if (this.#json) {
      const at = new Date(wall).toISOString()
      const elapsedMs = Math.round((mono - this.#startMono) * 10) / 10
      this.#out.json({ ...event, at, elapsedMs, ...(timed ? { offsetMs } : {}) })
      return
    }
    this.#clearStatus()
    for (const line of this.#lines(event, wall, offsetMs)) {
      if (event.event === 'error') this.#out.error(line)
      else this.#out.line(line)
    }
  }

  /** Redraws the live status line (terminal only). */
  status(snapshot: BlueGreenSnapshot): void {
    if (!this.live) return
    const since =
      this.#inProgressAt === undefined
        ? ''
        : `  ${((performance.now() - this.#inProgressAt) / 1000).toFixed(1)} s since IN_PROGRESS`
    const armed = snapshot.armed.armed ? 'armed' : `not armed (${snapshot.armed.code})`
    this.#out.raw(
      `\r\x1b[2K${snapshot.phase}${snapshot.rollback ? ' (rollback)' : ''}${since}  ` +
        `blue DNS ${snapshot.blueDnsUpdated ? 'updated' : 'unchanged'}  ` +
        `green DNS ${snapshot.greenDnsRemoved ? 'removed' : 'present'}  ${armed}`,
    )
    this.#statusShown = true
  }

  /** Leaves the terminal on a clean line. */
  close(): void {
    this.#clearStatus()
  }

  #clearStatus(): void {
    if (!this.#statusShown) return
    this.#out.raw('\r\x1b[2K')
    this.#statusShown = false
  }

  #lines(event: WatchEvent, wall: number, offsetMs: number | null): string[] {
    const time = clockTime(wall)
    const offset = offsetMs === null ? '(before IN_PROGRESS)'.padStart(20) : `${offsetMs} ms`.padStart(20)
    switch (event.event) {
      case 'start':
        return [`${time}  watching ${event.target} (bgdId '${event.bgdId}', ${event.engine}); Ctrl-C to stop`]
      case 'error':
        return [event.message, ...(event.fix === undefined ? [] : [`fix: ${event.fix}`])]
      case 'armed': {
        const indent = ''.padEnd(time.length + 2)
        if (event.armed) {
          return [
            `${time}  armed: ${event.reason}`,
            ...event.pairs.map((p) => `${indent}${describePairs([p])}`),
          ]
        }
        // The end of a switchover is not a problem: said quietly.
        const head = event.code === 'switchover-over' ? 'not armed any more' : 'NOT ARMED'
        return [
          `${time}  ${head}: ${event.code.replaceAll('-', ' ')}: ${event.reason}`,
          ...(event.fix === undefined ? [] : [`${indent}fix: ${event.fix}`]),
        ]
      }
      case 'phase':
        return [`${time}  ${`${event.phase}${event.rollback ? ' (rollback)' : ''}`.padEnd(24)}${offset}`]
      case 'dns':
        return [`${time}  ${event.name.padEnd(24)}${offset}`]
      case 'warning':
        return [`${time}  warning: ${event.message}`]
      case 'summary':
        return [event.text]
      case 'end':
        return [`${time}  watch ended (${event.reason === 'until' ? '--until reached' : event.reason})`]
    }
  }
}
