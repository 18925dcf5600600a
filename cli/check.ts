import type { ServerFacts } from '../core/metadata/diagnosis.js'
import { acquireDeployment } from '../core/registry.js'
import { silentLogger } from '../core/runtime.js'
import type { ArmedState, BlueGreenSnapshot, Phase } from '../core/types.js'
import type { CliArgs } from './args.js'
import { describeEngine, describePolling, describeTopology } from './output.js'
import type { Printer } from './output.js'
import { ConnectError, probeServer } from './probe.js'
import type { CliTarget } from './target.js'

/** How long `check` waits for a verdict by default: monitors connect, read both sides and pair the hosts. */
export const CHECK_TIMEOUT_MS = 15_000

/**
 * `rds-bluegreen check`: connects as the monitors do, then runs the library's own coordinator (through the
 * registry, with the same metadata source, resolver and options an application would have) until its armed
 * state is conclusive, and prints that verdict. Exit 0 armed, 1 not armed, 2 cannot connect.
 *
 * @example
 * ```ts
 * process.exitCode = await runCheck(args, await openTarget(args, process.env, logger), printer)
 * ```
 */
export async function runCheck(args: CliArgs, target: CliTarget, out: Printer): Promise<number> {
  const timeoutMs = args.timeoutMs ?? CHECK_TIMEOUT_MS
  let facts: ServerFacts | undefined
  try {
    facts = await probeServer(target, Math.min(timeoutMs, 10_000))
  } catch (err) {
    if (!(err instanceof ConnectError)) throw err
    if (args.json)
      out.json({ armed: false, code: 'cannot-connect', reason: err.message, fix: err.fix, pairs: [] })
    else out.error(`cannot connect: ${err.message}${err.fix === undefined ? '' : `\nfix: ${err.fix}`}`)
    return 2
  }
  const snapshot = await verdict(target, timeoutMs)
  const { armed } = snapshot
  if (args.json) out.json(checkJson(target, facts, snapshot))
  else printCheck(out, target, facts, snapshot)
  return armed.armed ? 0 : 1
}

/** Runs the deployment until its armed state is conclusive (armed, or not armed for a lasting reason). */
async function verdict(target: CliTarget, timeoutMs: number): Promise<BlueGreenSnapshot> {
  const handle = acquireDeployment({
    options: target.options,
    source: target.source,
    initialHost: target.target,
    // The verdict is printed by the CLI; the library's own lines would say it twice.
    logger: silentLogger,
  })
  try {
    await new Promise<void>((resolve) => {
      // Ref'd on purpose: the library's timers and sockets never keep a process alive, this wait must.
      const timer = setTimeout(done, timeoutMs)
      const unsubscribe = handle.subscribe(look)
      function look(snapshot: BlueGreenSnapshot): void {
        if (conclusive(snapshot.armed)) done()
      }
      function done(): void {
        clearTimeout(timer)
        unsubscribe()
        resolve()
      }
      look(handle.snapshot())
    })
    return handle.snapshot()
  } finally {
    await handle.release()
  }
}

/** Starting, a first connect failing and a green side not yet known may pass within seconds; the rest is the answer. */
function conclusive(armed: ArmedState): boolean {
  return armed.armed || !['starting', 'unreachable', 'green-unknown'].includes(armed.code)
}

const PHASE_TEXT: Readonly<Record<Phase, string>> = {
  NOT_CREATED: 'no deployment',
  CREATED: 'deployment available, no switchover running',
  PREPARATION: 'switchover started (SWITCHOVER_INITIATED)',
  IN_PROGRESS: 'switchover in progress',
  POST: 'switchover in post-processing',
  COMPLETED: 'switchover completed',
}

function printCheck(
  out: Printer,
  target: CliTarget,
  facts: ServerFacts | undefined,
  snapshot: BlueGreenSnapshot,
): void {
  const { armed, phase } = snapshot
  const { host, port } = target.target
  const row = (label: string, value: string): void => out.line(`${label.padEnd(10)} ${value}`)
  out.line(`rds-bluegreen check of ${host}:${port} (bgdId '${target.options.bgdId}')`)
  row('engine', `${describeEngine(facts)}, ${describeTopology(host, facts)}`)
  row('user', facts?.user ?? target.user ?? '(driver default)')
  row('status', `${phase} (${PHASE_TEXT[phase]})`)
  row('polling', describePolling(target.options, phase))
  if (armed.pairs.length > 0) {
    const width = Math.max(...armed.pairs.map((p) => p.blue.length + (p.blueIp ?? 'unresolved').length + 3))
    row('pairs', 'blue (IP in PREPARATION) -> green (IP in POST)')
    for (const pair of armed.pairs) {
      const blue = `${pair.blue} (${pair.blueIp ?? 'unresolved'})`.padEnd(width)
      const green =
        pair.green === undefined ? '(none known)' : `${pair.green} (${pair.greenIp ?? 'unresolved'})`
      out.line(`${''.padEnd(10)} ${blue} -> ${green}`)
    }
  }
  if (armed.armed) {
    out.line(`ARMED: ${armed.reason}`)
    return
  }
  out.line(`NOT ARMED: ${armed.code.replaceAll('-', ' ')}`)
  row('reason', armed.reason)
  if (armed.fix !== undefined) row('fix', armed.fix)
}

function checkJson(target: CliTarget, facts: ServerFacts | undefined, snapshot: BlueGreenSnapshot): unknown {
  const { armed, phase } = snapshot
  const { host, port } = target.target
  return {
    armed: armed.armed,
    code: armed.code,
    reason: armed.reason,
    fix: armed.fix ?? null,
    engine: {
      name: facts?.engine ?? (target.engine === 'pg' ? 'postgresql' : 'mysql'),
      description: describeEngine(facts),
      version: facts?.version ?? null,
      flavor: facts?.flavor ?? null,
      topology: describeTopology(host, facts),
    },
    target: { host, port, user: facts?.user ?? target.user ?? null },
    bgdId: target.options.bgdId,
    phase,
    polling: {
      nowMs: phase === 'CREATED' ? target.options.increasedMs : target.options.baselineMs,
      switchoverMs: target.options.highMs,
    },
    pairs: armed.pairs.map((p) => ({
      blue: p.blue,
      blueIp: p.blueIp ?? null,
      green: p.green ?? null,
      greenIp: p.greenIp ?? null,
    })),
  }
}
