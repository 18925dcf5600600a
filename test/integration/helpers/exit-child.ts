/**
 * A child process for the process-lifetime tests (issue 11 item 5): it uses the library the way an application
 * does, prints `LAST <epoch ms>` after its last action, and then must exit on its own. Run with tsx:
 * `tsx exit-child.ts <pool|switchover|hung> <proxy port>`.
 */
import { createServer } from 'node:net'
import { createClient } from 'redis'
import { resolveOptions } from '../../../core/options.js'
import { acquireDeployment, getStatus } from '../../../core/registry.js'
import { pgMetadataSource } from '../../../integrations/pg/metadata-source.js'
import { BlueGreenPgClient, BlueGreenPgPool } from '../../../integrations/pg/index.js'
import { redisStatusChannel } from '../../../integrations/redis/index.js'
import { BLUE, BLUE_IP, GREEN, GREEN_IP, tableLookup, waitFor } from './names.js'
import { PG, SCRATCH_DB, setPhase } from './pg-scratch.js'

const [mode, portText] = process.argv.slice(2)
const port = Number(portText)
const lookup = tableLookup({ [BLUE]: BLUE_IP, [GREEN]: GREEN_IP })
const silent = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
}
const blueGreen = (bgdId: string) => ({ bgdId, lookup, logger: silent, bgIncreasedMs: 100, bgHighMs: 50 })
const created = (bgdId: string) =>
  waitFor(
    () => getStatus(bgdId)?.phase === 'CREATED' && getStatus(bgdId)?.roleByHost.has(GREEN) === true,
    10_000,
    'CREATED',
  )

if (mode === 'pool') {
  // Queries once (and waits until both monitors are connected and polling), never calls end().
  const pool = new BlueGreenPgPool({
    host: BLUE,
    port,
    user: PG.user,
    database: SCRATCH_DB,
    idleTimeoutMillis: 200,
    blueGreen: blueGreen('exit-pool'),
  })
  await pool.query('SELECT 1')
  await created('exit-pool')
  await pool.query('SELECT 1')
  console.log(`LAST ${Date.now()}`)
} else if (mode === 'end') {
  // end() with both monitors connected: the await must settle (unref'd sockets must not let the loop drain first).
  const pool = new BlueGreenPgPool({
    host: BLUE,
    port,
    user: PG.user,
    database: SCRATCH_DB,
    blueGreen: blueGreen('exit-end'),
  })
  await pool.query('SELECT 1')
  await created('exit-end')
  await pool.end()
  console.log(`LAST ${Date.now()}`)
} else if (mode === 'switchover') {
  // A standalone client ended while the switchover is in progress (its deployment lingers, unref'd).
  const client = new BlueGreenPgClient({
    host: BLUE,
    port,
    user: PG.user,
    database: SCRATCH_DB,
    blueGreen: blueGreen('exit-switchover'),
  })
  await client.connect()
  await client.query('SELECT 1')
  await created('exit-switchover')
  await setPhase(BLUE, GREEN, port, 'IN_PROGRESS')
  await waitFor(() => getStatus('exit-switchover')?.phase === 'IN_PROGRESS', 10_000, 'IN_PROGRESS')
  await client.end()
  console.log(`LAST ${Date.now()}`)
} else if (mode === 'hung') {
  // A server that accepts and never answers; the monitors' connects hang in it until release() aborts them.
  const server = createServer((socket) => socket.unref())
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  server.unref()
  const address = server.address()
  const hungPort = typeof address === 'object' && address !== null ? address.port : 0
  const handle = acquireDeployment({
    options: resolveOptions({ bgdId: 'exit-hung' }, () => undefined),
    source: pgMetadataSource({ host: '127.0.0.1', port: hungPort, user: 'postgres' }),
    initialHost: { host: '127.0.0.1', port: hungPort },
    logger: silent,
  })
  await new Promise((resolve) => setTimeout(resolve, 500))
  const started = Date.now()
  await handle.release()
  console.log(`RELEASED ${Date.now() - started}`)
  console.log(`LAST ${Date.now()}`)
} else if (mode === 'fleet') {
  // The fleet's leader (Redis status channel): the application closes its Redis client and never calls end();
  // the channel's own subscriber connection and timers must not keep the process alive.
  const redis = createClient({ socket: { host: '127.0.0.1', port: 6379 } })
  redis.on('error', () => undefined)
  await redis.connect()
  const pool = new BlueGreenPgPool({
    host: BLUE,
    port,
    user: PG.user,
    database: SCRATCH_DB,
    idleTimeoutMillis: 200,
    blueGreen: {
      ...blueGreen('exit-fleet'),
      statusChannel: redisStatusChannel(redis, { prefix: `rdsbg-exit-${process.pid}` }),
    },
  })
  await pool.query('SELECT 1')
  await created('exit-fleet')
  await pool.query('SELECT 1')
  const leftover = await redis.keys(`rdsbg-exit-${process.pid}:*`)
  await redis.del(leftover)
  await redis.close()
  console.log(`LAST ${Date.now()}`)
} else {
  throw new Error(`unknown mode ${String(mode)}`)
}
