import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import type { DeploymentHandle } from '../../core/registry.js'
import { BlueGreenPgClient } from '../../integrations/pg/index.js'
import type { DeploymentBinding } from '../../integrations/shared/deployment-binding.js'
import { attachMembership } from '../../integrations/shared/pool-member.js'

/**
 * pg-pool gives up on a slow connect by destroying the client's socket. When that happens in the very moment the
 * hold ends (both on timers), the client must not dial the destroyed socket: Node reopens a destroyed socket on
 * connect(), so the abandoned client connected after all (a server session nobody ends, a second connect
 * callback) and pg's own connect timer could later destroy a socket with no listener (an uncaught "timeout
 * expired" crashed a CI run).
 */
const admin = new pg.Pool({ host: '127.0.0.1', user: 'postgres', database: 'postgres', max: 1 })
afterAll(() => admin.end())

async function sessions(name: string): Promise<number> {
  const result = await admin.query<{ n: string }>(
    'SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1',
    [name],
  )
  return Number(result.rows[0]?.n ?? 0)
}

/** A pool member whose deployment destroys the socket while deciding, then lets the connect through. */
function memberDestroyedWhileHeld(name: string): BlueGreenPgClient {
  const ref: { client?: BlueGreenPgClient } = {}
  const handle = {
    routeConnect: () => {
      const stream = (ref.client as unknown as { connection: { stream: { destroy(): void } } }).connection
        .stream
      stream.destroy() // as pg-pool's connectionTimeoutMillis does
      return Promise.resolve({ kind: 'substitute', address: '127.0.0.1', port: 5432 })
    },
    snapshot: () => ({ bgdId: 'held-connect', phase: 'IN_PROGRESS' }),
    options: { retryReadOnly: true, connectTimeoutMs: 1000, highMs: 50 },
  } as unknown as DeploymentHandle
  const binding = {
    init: { lookup: undefined },
    handle: () => handle,
    current: () => handle,
    release: () => Promise.resolve(),
  } as unknown as DeploymentBinding
  const config = attachMembership(
    { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres', application_name: name },
    { binding, discard: () => undefined },
  )
  ref.client = new BlueGreenPgClient(config)
  return ref.client
}

describe('a held connect whose socket pg-pool destroyed as the hold ended', () => {
  it('fails once with HOLD_ABORTED and never opens a server session', async () => {
    const name = `held-destroyed-${process.pid}`
    const client = memberDestroyedWhileHeld(name)
    const outcomes: string[] = []
    const errors: Error[] = []
    client.on('error', (err) => errors.push(err))
    await new Promise<void>((resolve) => {
      client.connect((err: Error | null) => {
        outcomes.push(err === null ? 'connected' : ((err as { code?: string }).code ?? err.message))
        resolve()
      })
    })
    // Long enough for a dial that should not happen to reach the server and authenticate.
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(await sessions(name)).toBe(0)
    expect(outcomes).toEqual(['HOLD_ABORTED'])
    expect(errors).toEqual([])
  })
})
