import { isBlueGreenError } from '../../core/errors.js'
import type { DeploymentHandle } from '../../core/registry.js'
import type { BlueGreenSnapshot, ConnectTarget } from '../../core/types.js'
import { PHASE_ORDER } from '../../core/types.js'
import type { ConnectionFacts } from './blue-connections.js'
import { shouldEvictIdle } from './blue-connections.js'
import type { DeploymentBinding } from './deployment-binding.js'
import { retryUntil } from './retry-read-only.js'

/**
 * What the policy needs from one pool implementation (pg-pool, mysql2's pool, knex's tarn pool). Each adapter
 * maps these onto its pool's own calls; the decisions (when to hold, what is stale, how often to retry) stay
 * here, so a fix to the policy reaches every pool at once.
 */
export interface PoolAccess<C> {
  /** Takes a connection from the pool (a slot), the pool's own checkout. */
  acquire(): Promise<C>
  /** The facts of one of this pool's connections; `undefined` for a connection the library did not route. */
  facts(connection: C): ConnectionFacts | undefined
  /** Gives a checked-out connection back so that it is never handed out again. */
  discard(connection: C): void
  /** The pool's connections now, and whether each is idle (closable at once) or checked out. */
  connections(): Iterable<{ readonly connection: C; readonly idle: boolean }>
  /** Closes an idle connection now. */
  close(connection: C): void
  /** Marks a checked-out connection to be dropped when it is released. */
  retire(connection: C): void
}

/**
 * How many stale connections one checkout skips before it gives the application what it got: every slot of
 * the pool may be stale once (`poolSize`), plus one fresh connection. Bounded so that a pool whose connections
 * all keep reaching an old blue IP (a resolver that never moves) cannot spin.
 */
export function retryCap(poolSize: number | undefined): number {
  const size = typeof poolSize === 'number' && Number.isFinite(poolSize) && poolSize > 0 ? poolSize : 10
  return Math.min(size, 100) + 1
}

/**
 * The pool policy of every routed pool, written once:
 * - the checkout gate: while the switchover is in progress a checkout waits **before** it takes a slot, so held
 *   work can never exhaust the pool or time out inside it;
 * - staleness: once IN_PROGRESS is published, idle connections to blue are closed (with `dropBlueConnections`),
 *   and from POST every connection still on an old blue IP; busy ones are retired on release;
 * - the retry cap: a checkout that receives a stale connection discards it and takes another, at most
 *   {@link retryCap} times.
 *
 * @example
 * ```ts
 * const policy = new PoolPolicy(binding, target, retryCap(max), access)
 * const checkedOut = policy.checkout() ?? access.acquire() // undefined: no switchover, the pool's fast path
 * binding.subscribe(() => policy.evict())
 * ```
 */
export class PoolPolicy<C> {
  readonly #binding: DeploymentBinding
  readonly #target: ConnectTarget
  readonly #cap: number
  readonly #access: PoolAccess<C>

  constructor(binding: DeploymentBinding, target: ConnectTarget, cap: number, access: PoolAccess<C>) {
    this.#binding = binding
    this.#target = target
    this.#cap = cap
    this.#access = access
  }

  /**
   * `undefined` when nothing about the switchover applies (the caller uses its pool's own, faster path);
   * otherwise the checkout, after the hold, skipping stale connections.
   */
  checkout(): Promise<C> | undefined {
    const handle = this.#binding.handle()
    const hold = handle?.beforeExecute(this.#target, 'connect')
    if (hold === undefined && (handle === undefined || !staleCanExist(handle.snapshot()))) return undefined
    return this.#checked(handle, hold)
  }

  /**
   * A checkout whose new connection reached a server that no longer accepts writes (the old blue behind stale
   * DNS) is taken again after a pause (`bgHighMs`, doubling to 1 s): every new connection resolves the name
   * again, so the checkout waits for DNS to move instead of handing out a connection every write fails on.
   * Bounded by `bgConnectTimeoutMs`; any other error is the application's. Rethrows `first` otherwise.
   */
  async retryFenced(first: unknown): Promise<C> {
    const handle = this.#binding.handle()
    if (handle === undefined || !isFencedConnect(first)) throw first
    const { clock, options } = handle
    const bounds = { clock, deadline: clock.now() + options.connectTimeoutMs, firstPauseMs: options.highMs }
    await clock.sleep(options.highMs)
    return retryUntil(bounds, first, async () => {
      try {
        return {
          kind: 'done',
          value: await this.#checked(handle, handle.beforeExecute(this.#target, 'connect')),
        }
      } catch (error) {
        return isFencedConnect(error) ? { kind: 'again', error } : { kind: 'failed', error }
      }
    })
  }

  /** Whether `connection` must not be used in `snapshot`. */
  isStale(snapshot: BlueGreenSnapshot, connection: C): boolean {
    const facts = this.#access.facts(connection)
    return facts !== undefined && this.#isStale(snapshot, facts)
  }

  /** Closes idle connections the phase makes stale and retires busy ones; call on every new snapshot. */
  evict(snapshot: BlueGreenSnapshot): void {
    if (!staleCanExist(snapshot)) return
    for (const { connection, idle } of [...this.#access.connections()]) {
      if (!this.isStale(snapshot, connection)) continue
      if (idle) this.#access.close(connection)
      else this.#access.retire(connection)
    }
  }

  async #checked(handle: DeploymentHandle | undefined, hold: Promise<void> | undefined): Promise<C> {
    if (hold !== undefined) await hold
    for (let attempt = 1; ; attempt++) {
      const connection = await this.#access.acquire()
      if (handle === undefined || attempt >= this.#cap || !this.isStale(handle.snapshot(), connection)) {
        return connection
      }
      this.#access.discard(connection)
    }
  }

  #isStale(snapshot: BlueGreenSnapshot, facts: ConnectionFacts): boolean {
    return shouldEvictIdle(snapshot, facts, this.#binding.init.options.dropBlueConnections)
  }
}

/** Connections become stale only from IN_PROGRESS on (the blue servers are cut then). */
function staleCanExist(snapshot: BlueGreenSnapshot): boolean {
  return PHASE_ORDER[snapshot.phase] >= PHASE_ORDER.IN_PROGRESS
}

/**
 * A connect refused by the library because the server it reached no longer accepts writes (see
 * `integrations/shared/read-only.ts`): retryable by opening another connection.
 *
 * @example
 * ```ts
 * pool.connect().catch((err) => (isFencedConnect(err) ? policy.retryFenced(err) : Promise.reject(err)))
 * ```
 */
export function isFencedConnect(error: unknown): boolean {
  return isBlueGreenError(error) && error.code === 'READ_ONLY_CONNECTION'
}
