import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { runInNewContext } from 'node:vm'
import { setFlagsFromString } from 'node:v8'
import type { PhaseEvent } from '../../core/channels.js'
import type { MetadataConnection, MetadataSource } from '../../core/metadata/source.js'
import { resolveOptions } from '../../core/options.js'
import { acquireDeployment } from '../../core/registry.js'
import { silentLogger } from '../../core/runtime.js'
import type { Phase } from '../../core/phases.js'
import knex from 'knex'
import type { Knex } from 'knex'
import { AwsBgPg } from '../../integrations/knex/index.js'
import { BlueGreenPgPool } from '../../integrations/pg/index.js'
import { pgMetadataSource } from '../../integrations/pg/metadata-source.js'
import { BLUE, rdsInstanceWorld, setPhase } from '../helpers/fake-metadata.js'

/** How the work grows (issue 15 item 4): holds released by one phase, and many pools on one deployment. */

/** `{ name: 'held-release-10k', ms }`: publish of the releasing phase to the last held call resumed. */
export interface HeldReleaseRow {
  readonly name: 'held-release-10k'
  /** The first release in the process (cold: a switchover is rare, its code is not compiled yet). */
  readonly ms: number
  /** The same on a second deployment once that code has run (warm). */
  readonly warmMs: number
  readonly held: number
}

/** `{ name: 'pools-1000', monitoringConnections, bytesPerPool }` */
export interface PoolsRow {
  readonly name: 'pools-1000'
  /** Monitoring connections opened while the pools were created and used (target ≤ 2: one per side). */
  readonly monitoringConnections: number
  /** Heap bytes each pool adds once it has connected and its connection idled out. */
  readonly bytesPerPool: number
  /** The same for a plain `pg.Pool`, so the library's share can be read off. */
  readonly baselineBytesPerPool: number
  /** Heap bytes of each of as many knex instances (AwsBgPg) added on the same deployment. */
  readonly bytesPerKnex: number
  /** The same for plain knex instances (`client: 'pg'`). */
  readonly baselineBytesPerKnex: number
  /** `gc` when both heaps were measured after a full collection, else `approximate`. */
  readonly heap: 'gc' | 'approximate'
  readonly pools: number
  readonly knexInstances: number
}

const tarnIdle = { min: 0, max: 1, idleTimeoutMillis: 1, reapIntervalMillis: 5 }

/**
 * Heap bytes of `POOLS` knex instances from `make`, each used once (10 at a time) with its connection idled out;
 * destroyed afterwards when `destroy`.
 */
async function knexHeap(gc: (() => void) | undefined, make: () => Knex, destroy = true): Promise<number> {
  const start = await heapUsed(gc)
  const instances = Array.from({ length: POOLS }, make)
  for (let i = 0; i < instances.length; i += 10) {
    await Promise.all(instances.slice(i, i + 10).map((instance) => instance.raw('SELECT 1')))
  }
  const tarns = instances.map((k) => (k.client as { pool: { numUsed(): number; numFree(): number } }).pool)
  await until(() => tarns.every((t) => t.numUsed() + t.numFree() === 0), 'knex connections to close', 60_000)
  const bytes = (await heapUsed(gc)) - start
  if (destroy) await Promise.all(instances.map((instance) => instance.destroy()))
  return bytes
}

const HELD = 10_000
const POOLS = 1_000
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > end) throw new Error(`bench: timed out waiting for ${what}`)
    await sleep(2)
  }
}

/**
 * 10,000 calls held in IN_PROGRESS through one deployment handle (its `beforeExecute`, what every routed driver
 * awaits before a query), released by one published POST. The clock starts on the phase channel, which the
 * coordinator publishes on just before it wakes the held calls, and stops when the last held call has resumed.
 */
export async function benchHeldRelease(): Promise<HeldReleaseRow> {
  const ms = await releaseOnce('cold')
  const warmMs = await releaseOnce('warm')
  return { name: 'held-release-10k', ms, warmMs, held: HELD }
}

async function releaseOnce(run: string): Promise<number> {
  const world = rdsInstanceWorld()
  const handle = acquireDeployment({
    options: resolveOptions(
      { bgdId: `bench-held-${process.pid}-${run}`, bgBaselineMs: 20, bgIncreasedMs: 20, bgHighMs: 10 },
      () => undefined,
    ),
    source: world,
    initialHost: { host: BLUE, port: 5432 },
    resolver: world,
    logger: silentLogger,
  })
  const phase = (p: Phase) => () => handle.snapshot().phase === p
  try {
    await until(() => handle.snapshot().armed.armed, 'CREATED and armed')
    setPhase(world, 'IN_PROGRESS')
    await until(phase('IN_PROGRESS'), 'IN_PROGRESS')
    let resumed = 0
    let last = 0
    const holds: Promise<void>[] = []
    for (let i = 0; i < HELD; i++) {
      const hold = handle.beforeExecute({ host: BLUE, port: 5432 }, 'query')
      if (hold === undefined) throw new Error('bench: a call was not held in IN_PROGRESS')
      holds.push(
        hold.then(() => {
          resumed++
          last = performance.now()
        }),
      )
    }
    let published = 0
    const onPhase = (message: unknown): void => {
      const event = message as PhaseEvent
      if (event.phase !== 'IN_PROGRESS' && published === 0) published = performance.now()
    }
    subscribe('rds-bluegreen:phase', onPhase)
    // Every library timer is unref'd: without a ref'd one the process could exit while the holds wait.
    const keepAlive = setInterval(() => undefined, 1_000)
    try {
      setPhase(world, 'POST')
      await Promise.all(holds)
    } finally {
      clearInterval(keepAlive)
      unsubscribe('rds-bluegreen:phase', onPhase)
    }
    if (resumed !== HELD || published === 0) throw new Error('bench: not every held call was released')
    return Math.round((last - published) * 100) / 100
  } finally {
    await handle.release()
  }
}

/** `globalThis.gc`, exposed at run time when the process was not started with `--expose-gc`. */
function collector(): (() => void) | undefined {
  const exposed = (globalThis as { gc?: () => void }).gc
  if (exposed !== undefined) return exposed
  try {
    setFlagsFromString('--expose-gc')
    const gc: unknown = runInNewContext('gc')
    return typeof gc === 'function' ? (gc as () => void) : undefined
  } catch {
    return undefined
  }
}

async function heapUsed(gc: (() => void) | undefined): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc?.()
    await sleep(10)
  }
  return process.memoryUsage().heapUsed
}

/** Each pool connects once (10 at a time: the server allows ~100 sessions) and its connection idles out. */
async function useAll(pools: readonly { query(sql: string): Promise<unknown>; totalCount: number }[]) {
  for (let i = 0; i < pools.length; i += 10) {
    await Promise.all(pools.slice(i, i + 10).map((pool) => pool.query('SELECT 1')))
  }
  await until(() => pools.every((pool) => pool.totalCount === 0), 'idle connections to close', 60_000)
}

/**
 * 1,000 `BlueGreenPgPool`s, then 1,000 knex instances, on one `bgdId` against the local PostgreSQL, with the pg
 * metadata source counting the monitoring connections it opens; heap per pool against as many plain `pg.Pool`s
 * doing the same.
 */
export async function benchPools(): Promise<PoolsRow> {
  const gc = collector()
  const { default: pg } = await import('pg')
  const base = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres', max: 1 }
  const idle = { idleTimeoutMillis: 1 }
  const real = pgMetadataSource(base)
  let opened = 0
  const counting: MetadataSource = {
    name: real.name,
    connect: (target): Promise<MetadataConnection> => {
      opened++
      return real.connect(target)
    },
  }
  const bgdId = `bench-pools-${process.pid}`
  const connection = { host: base.host, port: base.port, user: base.user, database: base.database }
  // Warm every code path so module-level state is not charged to the pools.
  const warm = [new pg.Pool({ ...base, ...idle }), new BlueGreenPgPool({ ...base, ...idle })]
  await useAll(warm)
  await Promise.all(warm.map((pool) => pool.end()))
  const warmKnex = [
    knex({ client: 'pg', connection, pool: tarnIdle }),
    knex({
      client: AwsBgPg,
      connection,
      pool: tarnIdle,
      blueGreen: { bgdId: `${bgdId}-warm`, logger: silentLogger },
    } as Knex.Config),
  ]
  await Promise.all(warmKnex.map((instance) => instance.raw('SELECT 1')))
  await Promise.all(warmKnex.map((instance) => instance.destroy()))

  const before = await heapUsed(gc)
  const plain = Array.from({ length: POOLS }, () => new pg.Pool({ ...base, ...idle }))
  await useAll(plain)
  const plainBytes = (await heapUsed(gc)) - before
  await Promise.all(plain.map((pool) => pool.end()))
  plain.length = 0

  const start = await heapUsed(gc)
  // One baseline poll in the whole run (a later one would open its two short sessions again: idle monitors).
  const blueGreen = { bgdId, metadataSource: counting, logger: silentLogger, bgBaselineMs: 600_000 }
  const pools = Array.from({ length: POOLS }, () => new BlueGreenPgPool({ ...base, ...idle, blueGreen }))
  await useAll(pools)
  const bytes = (await heapUsed(gc)) - start
  // As many knex instances on the same deployment, while the pools live: still the same two monitors.
  const knexBytes = await knexHeap(gc, () => knex({ client: 'pg', connection, pool: tarnIdle }))
  const instances: Knex[] = []
  const ours = (): Knex => {
    const instance = knex({ client: AwsBgPg, connection, pool: tarnIdle, blueGreen } as Knex.Config)
    instances.push(instance)
    return instance
  }
  const oursKnexBytes = await knexHeap(gc, ours, false)
  const monitoringConnections = opened
  await Promise.all(instances.map((instance) => instance.destroy()))
  await Promise.all(pools.map((pool) => pool.end()))
  return {
    name: 'pools-1000',
    monitoringConnections,
    bytesPerPool: Math.round(bytes / POOLS),
    baselineBytesPerPool: Math.round(plainBytes / POOLS),
    heap: gc === undefined ? 'approximate' : 'gc',
    pools: POOLS,
    bytesPerKnex: Math.round(oursKnexBytes / POOLS),
    baselineBytesPerKnex: Math.round(knexBytes / POOLS),
    knexInstances: POOLS,
  }
}
