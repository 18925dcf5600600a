import { BlueGreenPgPool } from '../../../integrations/pg/index.js'
import type { BlueGreenSnapshot, Phase } from '../../../core/types.js'
import type { TcpProxy } from './tcp-proxy.js'
import { startTcpProxy } from './tcp-proxy.js'
import { BLUE, BLUE_IP, GREEN, GREEN_IP, LinesLogger, tableLookup, waitFor } from './names.js'
import { PG, SCRATCH_DB, setPhase } from './pg-scratch.js'

/** Two loopback proxies (blue, green) on one port, both forwarding to the local PostgreSQL. */
export interface PgWorld {
  readonly blue: TcpProxy
  readonly green: TcpProxy
  readonly port: number
  readonly lookup: ReturnType<typeof tableLookup>
  setPhase(phase: Phase): Promise<void>
  close(): Promise<void>
}

export async function startPgWorld(): Promise<PgWorld> {
  const blue = await startTcpProxy(BLUE_IP, 0, PG)
  const green = await startTcpProxy(GREEN_IP, blue.port, PG)
  const lookup = tableLookup({ [BLUE]: BLUE_IP, [GREEN]: GREEN_IP })
  return {
    blue,
    green,
    port: blue.port,
    lookup,
    setPhase: (phase) => setPhase(BLUE, GREEN, blue.port, phase),
    close: async () => {
      await Promise.all([blue.close(), green.close()])
    },
  }
}

let counter = 0

/** A routed pool on the blue name, with fast polling; resolves once the deployment is seen as `phase`. */
export async function routedPool(
  world: PgWorld,
  extra: Record<string, unknown> = {},
  phase: Phase = 'CREATED',
): Promise<{ pool: BlueGreenPgPool; logger: LinesLogger; phases: { phase: Phase; at: number }[] }> {
  const logger = new LinesLogger()
  const phases: { phase: Phase; at: number }[] = []
  const pool = new BlueGreenPgPool({
    host: BLUE,
    port: world.port,
    user: PG.user,
    database: SCRATCH_DB,
    max: 4,
    ...extra,
    blueGreen: {
      bgdId: `pg-switch-${process.pid}-${++counter}`,
      lookup: world.lookup,
      logger,
      bgBaselineMs: 100,
      bgIncreasedMs: 100,
      bgHighMs: 50,
      bgConnectTimeoutMs: 10_000,
    },
  })
  await pool.query('SELECT 1')
  const handle = pool.blueGreen
  if (handle === undefined) throw new Error('no deployment handle')
  handle.subscribe((snapshot: BlueGreenSnapshot) =>
    phases.push({ phase: snapshot.phase, at: performance.now() }),
  )
  await waitFor(() => handle.snapshot().phase === phase, 10_000, `phase ${phase}`)
  return { pool, logger, phases }
}

/** Waits until the pool's deployment publishes `phase`. */
export async function untilPhase(pool: BlueGreenPgPool, phase: Phase, timeoutMs = 10_000): Promise<void> {
  await waitFor(() => pool.blueGreen?.snapshot().phase === phase, timeoutMs, `phase ${phase}`)
}
