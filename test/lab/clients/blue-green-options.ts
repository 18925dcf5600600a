import { silentLogger } from '../../../core/runtime.js'
import type { LabClientTarget } from './types.js'

/**
 * Blue/Green options for lab clients. The lab compresses a switchover (PREPARATION and the visible IN_PROGRESS
 * window last 0.3–1 s instead of 1–7 s), so the library's polling is compressed with it (switchover-lab.md §2.7):
 * 200 ms while no deployment exists (late metadata appears within a second), 100 ms while it exists, 50 ms
 * during the switchover. Warnings about these out-of-range values and
 * the summary stay out of the lab's output.
 *
 * @example
 * new BlueGreenPgPool({ host, blueGreen: labBlueGreen(target, 'lab-pg') })
 */
export function labBlueGreen(target: LabClientTarget, bgdId: string): Record<string, unknown> {
  return {
    bgdId,
    bgBaselineMs: 200,
    bgIncreasedMs: 100,
    bgHighMs: 50,
    logger: silentLogger,
    ...(target.lookup === undefined ? {} : { lookup: target.lookup }),
  }
}
