import type { DeploymentHandle } from '../../core/registry.js'
import type { ConnectTarget } from '../../core/types.js'
import { isFencedConnect } from './pool-policy.js'
import { serverMemory } from './read-only.js'
import { retryUntil } from './retry-read-only.js'

/**
 * Before a standalone connection dials a target whose connections were just cut or that new connections find
 * fenced (read-only where it was writable), waits until a probe connection of its own is accepted: a standalone
 * client has no pool to take another connection for it, and a pg or mysql2 connection object cannot reconnect.
 * Each probe resolves the name again. Pausing `bgHighMs`, doubling to 1 s, for at most `bgConnectTimeoutMs`;
 * any other probe error, or the deadline, ends the wait and the real connect goes ahead (it is judged in turn).
 *
 * @example
 * ```ts
 * await waitForWritable(handle, target, () => probeConnection()) // then dial
 * ```
 */
export async function waitForWritable(
  handle: DeploymentHandle,
  target: ConnectTarget,
  probe: () => Promise<void>,
): Promise<void> {
  if (!handle.options.retryReadOnly || !serverMemory().shouldProbe(target)) return
  const { clock, options } = handle
  const bounds = { clock, deadline: clock.now() + options.connectTimeoutMs, firstPauseMs: options.highMs }
  await retryUntil(bounds, undefined, async () => {
    try {
      await probe()
      return { kind: 'done', value: undefined }
    } catch (error) {
      return isFencedConnect(error) ? { kind: 'again', error } : { kind: 'done', value: undefined }
    }
  }).catch(() => undefined)
}
