import type { ScenarioResult } from '../scenario.js'

/** What one run measured that the invariants look at (the rest of ScenarioResult stays out of reports). */
export interface RunFacts {
  readonly result: ScenarioResult
  readonly unhandledRejections: number
  /** TCP sockets still open in this process after the run (beyond those open before it). */
  readonly leakedSockets: number
  /** Lab server processes still alive after stop(). */
  readonly liveServers: number
  /** The library could read IN_PROGRESS before the cut (visible window > 0, metadata readable by then). */
  readonly inProgressVisible: boolean
}

/**
 * The invariants every protected client must keep in every run (issue 13), as short names with the figure:
 * `lostWrites=3`. Empty when the run passed.
 *
 * @example
 * const broken = checkInvariants(facts) // ['failedAfterCompleted=12']
 */
export function checkInvariants(f: RunFacts): string[] {
  const r = f.result
  const broken: string[] = []
  const zero = (name: string, n: number): void => {
    if (n !== 0) broken.push(`${name}=${n}`)
  }
  zero('lostWrites', r.lostWrites)
  zero('oldBlueWritesAfterCut', r.oldBlueWritesAfterCut)
  zero('failedAfterCompleted', r.failedAfterCompleted)
  zero('doubleApplied', r.doubleApplied)
  zero('greenLookupsAfterCompleted', r.greenLookupsAfterCompleted)
  zero('unresolvedOps', r.unresolvedOps)
  zero('unhandledRejections', f.unhandledRejections)
  zero('leakedSockets', f.leakedSockets)
  zero('liveServers', f.liveServers)
  if (r.ackedWrites === 0) broken.push('ackedWrites=0')
  const bound = f.inProgressVisible ? gapBound(r) : undefined
  if (bound !== undefined && r.maxWorkerGapMs > bound)
    broken.push(`maxWorkerGapMs=${r.maxWorkerGapMs}>${bound}`)
  return broken
}

/**
 * Worker gap bound: the in-progress window (IN_PROGRESS to POST, or to the rollback) + 1 s; undefined when the
 * switchover never reached IN_PROGRESS.
 */
export function gapBound(r: ScenarioResult): number | undefined {
  const at = (name: string): number | undefined => r.events.find((e) => e.event === name)?.t
  const ip = at('IN_PROGRESS')
  const end = at('POST') ?? at('ROLLBACK')
  if (ip === undefined || end === undefined) return undefined
  return Math.round(end - ip + 1000)
}
