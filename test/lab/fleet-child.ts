/**
 * One process of a fleet for `fleet.test.ts`: a routed pg pool on the lab's blue writer name with the Redis status
 * channel, and a small write workload. Configured by the `RDSBG_FLEET` environment variable (JSON); prints
 * `{"type":"ready"}` after its first acknowledged write, and on `stop` (stdin) stops, prints
 * `{"type":"done","ops":[...]}` and exits. Run with tsx.
 */
import { createInterface } from 'node:readline'
import { createClient } from 'redis'
import { silentLogger } from '../../core/runtime.js'
import { createPool } from '../../integrations/mysql2/index.js'
import { BlueGreenPgPool } from '../../integrations/pg/index.js'
import { redisStatusChannel } from '../../integrations/redis/index.js'
import { errorCode } from './clients/errors.js'
import { createLabLookup } from './lab-lookup.js'

interface FleetChildConfig {
  readonly engine: 'pg' | 'mysql'
  readonly host: string
  readonly port: number
  readonly user: string
  readonly password: string
  readonly database: string
  /** Set in inject mode: the lab DNS to ask. */
  readonly dnsIp?: string
  readonly redis: { readonly host: string; readonly port: number }
  readonly bgdId: string
  readonly name: string
  readonly workers: number
}

/** One write: wall-clock times (ms since the epoch), so the parent can compare them with its own. */
export interface FleetOp {
  readonly worker: number
  readonly seq: number
  readonly t0: number
  readonly t1: number
  readonly ok: boolean
  readonly code?: string
}

const config = JSON.parse(process.env['RDSBG_FLEET'] ?? '{}') as FleetChildConfig
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

const redis = createClient({ socket: { ...config.redis, reconnectStrategy: () => 200 } })
redis.on('error', () => undefined)
await redis.connect()
const statusChannel = redisStatusChannel(redis, { prefix: 'lab-fleet' })
const lookup = config.dnsIp === undefined ? undefined : createLabLookup(() => config.dnsIp ?? '')
// Untyped like the lab's other clients' options: the lab lookup is a dns.lookup look-alike.
const blueGreen: Record<string, unknown> = {
  bgdId: config.bgdId,
  bgBaselineMs: 200,
  bgIncreasedMs: 100,
  bgHighMs: 50,
  logger: silentLogger,
  statusChannel,
  ...(lookup === undefined ? {} : { lookup }),
}
/** The routed pool of this engine, reduced to one insert and its end. */
function openPool(): { insert(name: string, seq: number): Promise<unknown>; end(): Promise<void> } {
  const common = { host: config.host, port: config.port, user: config.user, password: config.password }
  if (config.engine === 'mysql') {
    const pool = createPool({
      ...common,
      database: config.database,
      connectionLimit: config.workers + 2,
      connectTimeout: 1000,
      blueGreen,
    }).promise()
    const sql = 'INSERT INTO lab_writes (client, seq) VALUES (?, ?)'
    return {
      insert: (name, seq) => pool.query({ sql, values: [name, seq], timeout: 5000 }),
      end: () => pool.end(),
    }
  }
  const pool = new BlueGreenPgPool({
    ...common,
    database: config.database,
    max: config.workers + 2,
    connectionTimeoutMillis: 1000,
    query_timeout: 5000,
    blueGreen,
  })
  pool.on('error', () => undefined)
  const sql = 'INSERT INTO lab_writes (client, seq) VALUES ($1, $2)'
  return { insert: (name, seq) => pool.query(sql, [name, seq]), end: () => pool.end() }
}
const pool = openPool()

const ops: FleetOp[] = []
let stopped = false
let ready = false

async function worker(n: number): Promise<void> {
  let seq = 0
  while (!stopped) {
    seq++
    const t0 = Date.now()
    try {
      await pool.insert(`${config.name}-w${n}`, seq)
      ops.push({ worker: n, seq, t0, t1: Date.now(), ok: true })
      if (!ready) {
        ready = true
        process.stdout.write(JSON.stringify({ type: 'ready' }) + '\n')
      }
      await sleep(10)
    } catch (err) {
      const code = errorCode(err) ?? 'unknown'
      ops.push({ worker: n, seq, t0, t1: Date.now(), ok: false, code })
      await sleep(20)
    }
  }
}

// Test-only peek at this process's part in the fleet (the registry is a global keyed by a well-known symbol).
type Registry = Map<string, { coordinator: { fleetRole?: string } }>
let role: string | undefined
const roles = setInterval(() => {
  const registry = (globalThis as Record<symbol, unknown>)[Symbol.for('rds-bluegreen.registry.v1')] as
    Registry | undefined
  const now = registry?.get(config.bgdId)?.coordinator.fleetRole
  if (now === role) return
  role = now
  process.stdout.write(JSON.stringify({ type: 'role', role }) + '\n')
}, 25)
roles.unref()

const running = Array.from({ length: config.workers }, (_, i) => worker(i + 1))
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() !== 'stop') continue
  stopped = true
  await Promise.all(running)
  process.stdout.write(JSON.stringify({ type: 'done', ops }) + '\n')
  await pool.end().catch(() => undefined)
  await statusChannel.close()
  if (redis.isOpen) redis.destroy()
  process.exit(0)
}
