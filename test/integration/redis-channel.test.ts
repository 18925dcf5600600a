import { createClient } from 'redis'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { Coordinator } from '../../core/coordinator.js'
import { resolveOptions } from '../../core/options.js'
import { routeConnect } from '../../core/routing/enforce.js'
import { lookupResolver, silentLogger, systemClock } from '../../core/runtime.js'
import { BlueGreenPgPool } from '../../integrations/pg/index.js'
import { pgMetadataSource } from '../../integrations/pg/metadata-source.js'
import { redisStatusChannel } from '../../integrations/redis/index.js'
import type { RedisStatusChannel } from '../../integrations/redis/index.js'
import { pgAdmin } from './helpers/pg-admin.js'
import type { PgWorld } from './helpers/pg-deployment.js'
import { startPgWorld } from './helpers/pg-deployment.js'
import { createScratch, dropScratch, PG, SCRATCH_DB } from './helpers/pg-scratch.js'
import { BLUE, BLUE_IP, waitFor } from './helpers/names.js'
import type { TcpProxy } from './helpers/tcp-proxy.js'
import { startTcpProxy } from './helpers/tcp-proxy.js'

/**
 * The fleet status channel against the local Redis and PostgreSQL (fake rds_tools metadata behind loopback
 * proxies): several "processes" of one deployment in this process, each a coordinator of its own (one of them
 * the routed pg pool of the registry), each with its own Redis client. Every run uses its own key prefix and
 * deletes its keys.
 */

const REDIS = { host: '127.0.0.1', port: 6379 }
const PREFIX = `rdsbg-test-${process.pid}-${Date.now()}`
const APP = `rdsbg-fleet-${process.pid}`

type RedisClient = ReturnType<typeof createClient>

let world: PgWorld
let round = 0
const cleanups: (() => Promise<void>)[] = []

beforeAll(async () => {
  await createScratch()
  world = await startPgWorld()
})
afterAll(async () => {
  await world.close()
  await dropScratch()
  const admin = await createClient({ socket: REDIS }).connect()
  const keys = await admin.keys(`${PREFIX}:*`)
  if (keys.length > 0) await admin.del(keys)
  await admin.close()
})
beforeEach(async () => {
  round++
  await world.setPhase('CREATED')
})
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined)
})

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Monitoring sessions of this test on the server (its own application_name). */
async function monitoringSessions(): Promise<number> {
  const result = await pgAdmin('postgres', (client) =>
    client.query<{ n: string }>(`SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1`, [
      APP,
    ]),
  )
  return Number(result.rows[0]?.n ?? 0)
}

async function redisClient(socket: { host: string; port: number } = REDIS): Promise<RedisClient> {
  const client = createClient({ socket: { ...socket, reconnectStrategy: () => 200 } })
  client.on('error', () => undefined)
  await client.connect()
  cleanups.push(async () => {
    if (client.isOpen) await client.close()
  })
  return client
}

function blueGreen(channel: RedisStatusChannel): Record<string, unknown> {
  return {
    bgdId: `fleet-${round}`,
    lookup: world.lookup,
    logger: silentLogger,
    bgBaselineMs: 200,
    bgIncreasedMs: 200,
    bgHighMs: 50,
    bgConnectTimeoutMs: 10_000,
    monitoring: { application_name: APP },
    statusChannel: channel,
  }
}

/** One "process": a coordinator of its own with its own Redis client. */
async function member(socket?: {
  host: string
  port: number
}): Promise<{ c: Coordinator; client: RedisClient }> {
  const client = await redisClient(socket)
  const channel = redisStatusChannel(client, { prefix: PREFIX })
  const options = resolveOptions(blueGreen(channel), () => undefined)
  const config = { host: BLUE, port: world.port, user: PG.user, database: SCRATCH_DB }
  const c = new Coordinator({
    options,
    source: pgMetadataSource(config, options.monitoring, world.lookup),
    initialHost: { host: BLUE, port: world.port },
    resolver: lookupResolver(world.lookup),
    clock: systemClock,
    logger: silentLogger,
  })
  c.start()
  cleanups.push(async () => {
    await c.close()
    await channel.close()
  })
  return { c, client }
}

/** The application's routed pool as one more "process" (through the registry and the pg integration). */
async function routedPool(): Promise<BlueGreenPgPool> {
  const client = await redisClient()
  const channel = redisStatusChannel(client, { prefix: PREFIX })
  const pool = new BlueGreenPgPool({
    host: BLUE,
    port: world.port,
    user: PG.user,
    database: SCRATCH_DB,
    max: 2,
    blueGreen: blueGreen(channel),
  })
  cleanups.push(async () => {
    await pool.end()
    await channel.close()
  })
  return pool
}

describe('fleet status channel over Redis', () => {
  it('one leader monitors; followers open no monitoring session and route from the published status', async () => {
    const leader = await member()
    await waitFor(
      () => leader.c.fleetRole === 'leader' && leader.c.snapshot().phase === 'CREATED',
      10_000,
      'lead',
    )
    const follower = await member()
    const pool = await routedPool()
    await pool.query('SELECT 1')
    const handle = pool.blueGreen!
    await waitFor(() => follower.c.fleetRole === 'follower', 5_000, 'follower')
    await waitFor(() => handle.snapshot().phase === 'CREATED', 5_000, 'pool follows')
    await sleep(500)
    expect(follower.c.runningMonitors).toBe(0)
    expect(await monitoringSessions()).toBe(2)

    await world.setPhase('PREPARATION')
    await waitFor(() => handle.snapshot().phase === 'PREPARATION', 5_000, 'PREPARATION followed')
    expect(handle.snapshot().ipByHost.get(BLUE)).toBe(BLUE_IP)
    expect(
      await routeConnect(follower.c, systemClock, { host: BLUE, port: world.port }, 1_000),
    ).toMatchObject({
      kind: 'substitute',
      address: BLUE_IP,
    })

    await world.setPhase('IN_PROGRESS')
    await waitFor(() => handle.snapshot().phase === 'IN_PROGRESS', 5_000, 'IN_PROGRESS followed')
    let answered = false
    const held = pool.query('SELECT 1 AS one').then((r) => {
      answered = true
      return r
    })
    await sleep(400)
    expect(answered).toBe(false)
    expect(await monitoringSessions()).toBe(2)
    await world.setPhase('POST')
    expect((await held).rows).toEqual([{ one: 1 }])
    expect(follower.c.snapshot().phase).toBe('POST')
    expect(follower.c.runningMonitors).toBe(0)
  })

  it('a new leader takes over when the leader stops', async () => {
    const first = await member()
    await waitFor(() => first.c.fleetRole === 'leader', 10_000, 'lead')
    const others = [await member(), await member()]
    await waitFor(() => others.every((o) => o.c.fleetRole === 'follower'), 5_000, 'followers')
    const stoppedAt = performance.now()
    await first.c.close()
    await waitFor(() => others.some((o) => o.c.fleetRole === 'leader'), 5_000, 'takeover')
    const takeoverMs = performance.now() - stoppedAt
    // The leader resigned: one follower took the lease, the other never went stale.
    expect(others.map((o) => o.c.fleetRole).sort()).toEqual(['follower', 'leader'])
    console.info(`fleet: a new leader took over ${takeoverMs.toFixed(0)} ms after the leader stopped`)
    for (let i = 0; (await monitoringSessions()) !== 2; i++) {
      if (i > 50) throw new Error('expected two monitoring sessions')
      await sleep(100)
    }
    await world.setPhase('PREPARATION')
    await waitFor(() => others.every((o) => o.c.snapshot().phase === 'PREPARATION'), 5_000, 'followed')
  })

  it('a follower whose Redis connection fails, or whose client is closed, monitors on its own at once', async () => {
    const leader = await member()
    await waitFor(() => leader.c.fleetRole === 'leader', 10_000, 'lead')
    const proxy: TcpProxy = await startTcpProxy('127.0.0.1', 0, REDIS)
    cleanups.push(() => proxy.close())
    const cut = await member({ host: '127.0.0.1', port: proxy.port })
    const closed = await member()
    await waitFor(
      () => cut.c.fleetRole === 'follower' && closed.c.fleetRole === 'follower',
      5_000,
      'followers',
    )
    await world.setPhase('IN_PROGRESS')
    await waitFor(() => cut.c.snapshot().phase === 'IN_PROGRESS', 5_000, 'followed')

    const cutAt = performance.now()
    proxy.refuse = true
    proxy.dropAll()
    await waitFor(() => cut.c.runningMonitors === 2, 2_000, 'own monitors after the cut')
    const fallbackMs = performance.now() - cutAt
    expect(cut.c.fleetRole).toBe('fallback')
    await closed.client.close()
    await waitFor(() => closed.c.runningMonitors === 2, 2_000, 'own monitors after close')
    await world.setPhase('POST')
    await waitFor(
      () => cut.c.snapshot().phase === 'POST' && closed.c.snapshot().phase === 'POST',
      5_000,
      'POST',
    )
    console.info(`fleet: a follower cut from Redis ran its own monitors after ${fallbackMs.toFixed(0)} ms`)
    expect(fallbackMs).toBeLessThan(1_000)
  })
})
