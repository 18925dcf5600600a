import { STARTING, sameArmed } from '../core/status/armed.js'
import { ARMING_GRACE_MS } from '../core/status/armed-step.js'
import { acquireDeployment } from '../core/registry.js'
import type { Logger } from '../core/runtime.js'
import type { ArmedState, BlueGreenSnapshot } from '../core/types.js'
import type { CliArgs } from './args.js'
import { describeEngine, describeTopology } from './output.js'
import type { Printer } from './output.js'
import { ConnectError, probeServer } from './probe.js'
import type { CliTarget } from './target.js'
import { WatchView } from './watch-view.js'
import type { WatchEvent } from './watch-view.js'

/** Why `watch` ended, and its exit code. */
type Ending = { readonly reason: 'signal' | 'timeout' | 'until'; readonly code: number }

const DNS_FLAGS = [
  ['greenTopologyChanged', 'Green topology changed'],
  ['blueDnsUpdated', 'Blue DNS updated'],
  ['greenDnsRemoved', 'Green DNS removed'],
] as const

/**
 * `rds-bluegreen watch`: runs the library's own coordinator for the deployment (through the registry, as an
 * application would) and prints what it publishes: phase changes with their offset from IN_PROGRESS, the DNS
 * events, armed-state changes, and at the end the switchover summary the library logs, verbatim. Ends on
 * Ctrl-C / SIGTERM (0), `--until completed` (0, or 1 when rolled back), or `--timeout` (3 when `--until` was not
 * reached, else 0). Every timer and handler it adds is removed before it resolves.
 *
 * @example
 * ```ts
 * process.exitCode = await runWatch(args, target, printer)
 * ```
 */
export async function runWatch(args: CliArgs, target: CliTarget, out: Printer): Promise<number> {
  const view = new WatchView(out, args.json)
  try {
    const facts = await probeServer(target, Math.min(args.timeoutMs ?? 10_000, 10_000))
    const { host, port } = target.target
    view.emit({
      event: 'start',
      target: `${host}:${port}`,
      bgdId: target.options.bgdId,
      engine: `${describeEngine(facts)}, ${describeTopology(host, facts)}`,
    })
  } catch (err) {
    if (!(err instanceof ConnectError)) throw err
    view.emit({ event: 'error', message: `cannot connect: ${err.message}`, fix: err.fix })
    return 2
  }
  let finish: (ending: Ending) => void = () => undefined
  const ended = new Promise<Ending>((resolve) => (finish = resolve))
  const logger: Logger = {
    debug: () => undefined,
    info: (message) => {
      const summary = /^\[bgdId: '[^']*'\] Blue\/Green Deployment Switchover (COMPLETED|ROLLED BACK)\n/.exec(
        message,
      )
      if (summary === null) return
      const rollback = summary[1] === 'ROLLED BACK'
      view.emit({ event: 'summary', rollback, text: message })
      if (args.untilCompleted) finish({ reason: 'until', code: rollback ? 1 : 0 })
    },
    // The armed warnings are the armed events below; the rest (monitoring faults) is shown as it comes.
    warn: (message) => {
      if (!message.includes('switchover protection is not armed')) view.emit({ event: 'warning', message })
    },
    error: (message) => view.emit({ event: 'warning', message }),
  }
  const handle = acquireDeployment({
    options: target.options,
    source: target.source,
    initialHost: target.target,
    logger,
  })
  const armed = new ArmedReporter(view)
  let previous = handle.snapshot()
  armed.update(previous)
  const unsubscribe = handle.subscribe((snapshot) => {
    for (const event of changes(previous, snapshot)) view.emit(event, snapshot.publishedAt)
    armed.update(snapshot)
    previous = snapshot
  })
  const onSignal = (): void => finish({ reason: 'signal', code: 0 })
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal)
  // Ref'd on purpose: the library never keeps a process alive, watch must until it ends.
  const timeout =
    args.timeoutMs === undefined
      ? undefined
      : setTimeout(() => finish({ reason: 'timeout', code: args.untilCompleted ? 3 : 0 }), args.timeoutMs)
  const tick = setInterval(() => view.status(handle.snapshot()), view.live ? 200 : 60_000)
  try {
    const ending = await ended
    view.emit({ event: 'end', reason: ending.reason, exitCode: ending.code })
    return ending.code
  } finally {
    clearInterval(tick)
    if (timeout !== undefined) clearTimeout(timeout)
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal)
    unsubscribe()
    armed.close()
    view.close()
    await handle.release()
  }
}

/** What changed from one published snapshot to the next: the phase, the DNS flags, then the armed state. */
function changes(before: BlueGreenSnapshot, after: BlueGreenSnapshot): WatchEvent[] {
  const events: WatchEvent[] = []
  if (before.phase !== after.phase || before.rollback !== after.rollback) {
    events.push({ event: 'phase', phase: after.phase, previous: before.phase, rollback: after.rollback })
  }
  for (const [flag, name] of DNS_FLAGS) {
    if (after[flag] && !before[flag]) events.push({ event: 'dns', name })
  }
  return events
}

/**
 * Reports armed-state changes as the library warns about them: a passing state of a healthy start (monitors
 * starting, green's monitor a round behind) only once it lasted {@link ARMING_GRACE_MS}.
 */
class ArmedReporter {
  readonly #view: WatchView
  #shown: ArmedState = STARTING
  #pending: { readonly state: ArmedState; readonly timer: NodeJS.Timeout } | undefined

  constructor(view: WatchView) {
    this.#view = view
  }

  /** Called with every published snapshot. */
  update(snapshot: BlueGreenSnapshot): void {
    const armed = snapshot.armed
    if (this.#pending !== undefined && sameArmed(armed, this.#pending.state)) return
    this.#cancel()
    if (sameArmed(armed, this.#shown)) return
    if (!armed.armed && ['starting', 'unreachable', 'green-unknown'].includes(armed.code)) {
      const timer = setTimeout(() => {
        this.#pending = undefined
        this.#show(armed, performance.now())
      }, ARMING_GRACE_MS)
      this.#pending = { state: armed, timer }
      return
    }
    this.#show(armed, snapshot.publishedAt)
  }

  close(): void {
    this.#cancel()
  }

  #cancel(): void {
    if (this.#pending !== undefined) clearTimeout(this.#pending.timer)
    this.#pending = undefined
  }

  #show(armed: ArmedState, at: number): void {
    this.#shown = armed
    const { code, reason, fix, pairs } = armed
    this.#view.emit({ event: 'armed', armed: armed.armed, code, reason, fix, pairs }, at)
  }
}
