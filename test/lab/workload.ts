import { sleep, type LabClock } from './clock.js'
import { errorCode } from './clients/errors.js'
import type { LabClient, LabClientFactory, LabClientTarget } from './clients/types.js'

/** One timed operation of a worker. Writes are `query`; connects are timed like any other op. */
export interface OpRecord {
  readonly worker: number
  /** The workload key (`client` column); writes are `(client, seq)`. */
  readonly client: string
  readonly kind: 'connect' | 'query' | 'read'
  readonly t0: number
  readonly t1: number
  readonly ok: boolean
  readonly code?: string
  readonly instance?: string
  readonly seq?: number
  /** Which endpoint the worker uses (`writer` by default, `reader` for read-only workers). */
  readonly endpoint?: string
}

export interface WorkloadOptions {
  readonly factory: LabClientFactory
  readonly target: LabClientTarget
  readonly clock: LabClock
  readonly workers?: number
  /** Pause after each successful op. Default 10 ms. */
  readonly paceMs?: number
  /** Every n-th op is a read (0: writes only). Default 4. */
  readonly readEvery?: number
  /** Pause after a failure before reconnecting. Default 20 ms. */
  readonly backoffMs?: number
  /** Prefix of the `client` keys, unique per run. */
  readonly prefix?: string
  /** Labels every op (e.g. `reader`); omitted: the writer endpoint. */
  readonly endpoint?: string
  /** Number of the first worker (a second workload in the same run numbers its workers after the first). */
  readonly firstWorker?: number
}

export interface Workload {
  ops(): readonly OpRecord[]
  /** Ops started and not finished yet (a hold that never resolves stays here). */
  inFlight(): number
  /** Stops every worker after its current op and closes its client; resolves with the full op log. */
  stop(): Promise<readonly OpRecord[]>
}

/**
 * Starts N workers that write unique `(client, seq)` keys (a fresh seq per attempt, never retried) and read,
 * reconnecting after any error.
 *
 * @example
 * const w = startWorkload({ factory, target, clock: lab.clock, workers: 4 }); ...; const ops = await w.stop()
 */
export function startWorkload(opts: WorkloadOptions): Workload {
  const log: OpRecord[] = []
  let stopped = false
  let pending = 0
  const prefix = opts.prefix ?? `r${Date.now().toString(36)}`
  const timed = async (
    worker: number,
    client: string,
    kind: OpRecord['kind'],
    fn: () => Promise<string | undefined>,
    seq?: number,
  ): Promise<boolean> => {
    const t0 = opts.clock.now()
    const base = {
      worker,
      client,
      kind,
      t0,
      ...(seq === undefined ? {} : { seq }),
      ...(opts.endpoint === undefined ? {} : { endpoint: opts.endpoint }),
    }
    pending++
    try {
      const instance = await fn()
      log.push({ ...base, t1: opts.clock.now(), ok: true, ...(instance === undefined ? {} : { instance }) })
      return true
    } catch (err) {
      log.push({ ...base, t1: opts.clock.now(), ok: false, code: errorCode(err) })
      return false
    } finally {
      pending--
    }
  }
  const worker = async (i: number): Promise<void> => {
    const name = `${prefix}-w${i}`
    let seq = 0
    let n = 0
    let client: LabClient | undefined
    while (!stopped) {
      if (client === undefined) {
        const c = opts.factory(opts.target)
        if (!(await timed(i, name, 'connect', () => c.connect()))) {
          await c.close()
          await sleep(opts.backoffMs ?? 20)
          continue
        }
        client = c
      }
      const live: LabClient = client
      n++
      const readEvery = opts.readEvery ?? 4
      const isRead = readEvery > 0 && n % readEvery === 0
      const mySeq = isRead ? 0 : ++seq
      // Every third write runs in a transaction where the client supports it.
      const inTx = live.writeTx !== undefined && mySeq % 3 === 0
      const write = (): Promise<string | undefined> =>
        inTx && live.writeTx !== undefined ? live.writeTx(name, mySeq) : live.write(name, mySeq)
      const ok = isRead
        ? await timed(i, name, 'read', () => live.read())
        : await timed(i, name, 'query', write, mySeq)
      if (!ok) {
        await live.close()
        client = undefined
        await sleep(opts.backoffMs ?? 20)
      } else {
        await sleep(opts.paceMs ?? 10)
      }
    }
    await client?.close()
  }
  const first = opts.firstWorker ?? 1
  const running = Promise.all(Array.from({ length: opts.workers ?? 4 }, (_, i) => worker(first + i)))
  return {
    ops: () => log,
    inFlight: () => pending,
    async stop() {
      stopped = true
      await running
      return log
    },
  }
}
