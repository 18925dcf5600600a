import type { LabSide } from './address-plan.js'
import type { OrchestratorContext } from './orchestrator.js'

/** Faults placed at a moment of the switchover rather than at a phase (the campaign draws them at random). */
export interface ScheduledFaults {
  /**
   * late-metadata (with `metadataAfterMs: null`): the rows appear this long after the switchover started, e.g. in
   * the middle of PREPARATION or IN_PROGRESS.
   */
  readonly lateMetadataAtMs?: number
  /**
   * late-metadata (with `metadataAfterMs: null`): the rows appear `afterMs` after `phase` starts, so the library
   * first sees the deployment during IN_PROGRESS (before or after the cut, which renames green at
   * `inProgressVisibleMs`) or during POST (before the rename with `greenRenamedAtMs`, after it without).
   */
  readonly metadataVisibleAt?: { readonly phase: 'IN_PROGRESS' | 'POST'; readonly afterMs: number }
  /**
   * Kills the library's monitor connection to one side this long after the switchover started. PG: every app
   * session named `rds-bluegreen-monitor` (pg_terminate_backend). MariaDB cannot tell a monitor's session from
   * the others (no connection attributes without performance_schema), so every connection through that side's
   * proxy is reset.
   */
  readonly killMonitorAt?: { readonly atMs: number; readonly side: LabSide }
}

function later(ctx: OrchestratorContext, atMs: number, run: () => Promise<void>): void {
  const t = setTimeout(
    () => {
      ctx.timers.delete(t)
      run().catch((err: unknown) => ctx.events.add('fault failed', { error: String(err) }))
    },
    Math.max(0, atMs),
  )
  ctx.timers.add(t)
}

/** Arms the faults placed relative to the start of `phase`; the orchestrator calls it as the phase begins. */
export function schedulePhaseFaults(
  ctx: OrchestratorContext,
  faults: ScheduledFaults,
  phase: 'IN_PROGRESS' | 'POST',
): void {
  const at = faults.metadataVisibleAt
  if (at?.phase !== phase) return
  later(ctx, at.afterMs, async () => {
    await ctx.metadata.apply({ kind: 'visible' })
    ctx.events.add('metadata visible', { late: true, phase, afterMs: at.afterMs })
  })
}

/** Arms the timers of `faults`; they are cleared with the lab's other timers by `stop()`. */
export function scheduleFaults(ctx: OrchestratorContext, faults: ScheduledFaults): void {
  if (faults.lateMetadataAtMs !== undefined) {
    later(ctx, faults.lateMetadataAtMs, async () => {
      await ctx.metadata.apply({ kind: 'visible' })
      ctx.events.add('CREATED', { late: true })
    })
  }
  const kill = faults.killMonitorAt
  if (kill !== undefined) {
    later(ctx, kill.atMs, async () => {
      if (ctx.engine.killMonitorSessions !== undefined) {
        const n = await ctx.engine.killMonitorSessions(kill.side)
        ctx.events.add('monitor connection killed', { side: kill.side, sessions: n })
      } else {
        const n = ctx.proxies[kill.side].resetAll()
        ctx.events.add('monitor connection killed', { side: kill.side, resets: n })
      }
    })
  }
}
