import pg from 'pg'
import { DataSource } from 'typeorm'
import { afterAll, describe, expect, it } from 'vitest'
import { silentLogger } from '../../core/runtime.js'
import { BlueGreenPgPool } from '../../integrations/pg/index.js'
import { blueGreenDataSourceOptions } from '../../integrations/typeorm/index.js'
import { waitFor } from './helpers/names.js'

/**
 * A checked-out client whose connection dies is handed back by the pool's guard; the release the application
 * kept from the checkout callback must then do nothing. pg-pool's own release throws on a second call, which
 * left TypeORM's query runner registered as connected and made `DataSource.destroy()` spin forever (CI hung).
 */
const admin = new pg.Pool({ host: '127.0.0.1', user: 'postgres', database: 'postgres', max: 1 })
const config = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' }
let counter = 0
const blueGreen = (): { bgdId: string; logger: typeof silentLogger } => ({
  bgdId: `release-${process.pid}-${++counter}`,
  logger: silentLogger,
})

afterAll(() => admin.end())

async function kill(pid: number): Promise<void> {
  await admin.query('SELECT pg_terminate_backend($1)', [pid])
}

describe('a client cut while checked out', () => {
  it('the release from the checkout callback does nothing after the guard handed the client back', async () => {
    const pool = new BlueGreenPgPool({ ...config, max: 2, blueGreen: blueGreen() })
    try {
      const { client, done } = await new Promise<{ client: pg.PoolClient; done: (err?: Error) => void }>(
        (resolve, reject) =>
          pool.connect((err, c, release) =>
            err != null || c === undefined
              ? reject(err ?? new Error('no client'))
              : resolve({ client: c, done: release }),
          ),
      )
      const errors: Error[] = []
      client.on('error', (err) => errors.push(err))
      const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid ?? 0
      await kill(pid)
      await waitFor(() => errors.length > 0, 5000, 'the client error')
      expect(() => done()).not.toThrow()
      expect(() => done(new Error('again'))).not.toThrow()
      await waitFor(() => pool.totalCount === 0, 5000, 'the broken client removed')
      const rows = (await pool.query<{ one: number }>('SELECT 1 AS one')).rows
      expect(rows).toEqual([{ one: 1 }])
    } finally {
      await pool.end()
    }
  })

  it('the guard, made once per client, is attached at every checkout and only while checked out', async () => {
    const pool = new BlueGreenPgPool({ ...config, max: 1, blueGreen: blueGreen() })
    try {
      const first = await pool.connect()
      const idleListeners = (): number => first.listenerCount('error')
      const checkedOut = idleListeners()
      first.release()
      const idle = idleListeners()
      expect(idle).toBe(checkedOut) // pg-pool's idle listener replaces the guard
      for (let i = 0; i < 5; i++) (await pool.connect()).release()
      expect(idleListeners()).toBe(idle) // nothing piles up over checkouts
      // The same client again (max 1): cut on its sixth checkout, the guard still hands it back.
      const again = await new Promise<{ client: pg.PoolClient; done: (err?: Error) => void }>(
        (resolve, reject) =>
          pool.connect((err, c, release) =>
            err != null || c === undefined
              ? reject(err ?? new Error('no client'))
              : resolve({ client: c, done: release }),
          ),
      )
      expect(again.client).toBe(first)
      const pid = (await again.client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid
      await kill(pid ?? 0)
      await waitFor(() => pool.totalCount === 0, 5000, 'the broken client handed back')
      expect(() => again.done()).not.toThrow()
      expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }])
    } finally {
      await pool.end()
    }
  })

  it('TypeORM: a transaction cut on the server leaves no query runner behind, and destroy() returns', async () => {
    const dataSource = new DataSource(
      blueGreenDataSourceOptions({
        type: 'postgres',
        host: config.host,
        port: config.port,
        username: config.user,
        database: config.database,
        poolSize: 2,
        poolErrorHandler: () => undefined,
        blueGreen: blueGreen(),
      }),
    )
    await dataSource.initialize()
    const driver = dataSource.driver as unknown as { connectedQueryRunners: unknown[]; master: pg.Pool }
    const runner = dataSource.createQueryRunner()
    await runner.startTransaction()
    const pid = ((await runner.query('SELECT pg_backend_pid() AS pid')) as { pid: number }[])[0]?.pid ?? 0
    await kill(pid)
    // TypeORM releases the runner itself on the connection's 'error' event (idle in transaction: no query to fail).
    await waitFor(() => runner.isReleased, 5000, 'TypeORM to release the runner')
    await runner.release()
    const left = driver.connectedQueryRunners.length
    // destroy() loops while a runner is listed; with one left behind it would never return, so end the pool instead.
    if (left > 0) await driver.master.end()
    else await dataSource.destroy()
    expect(left).toBe(0)
  })
})
