import type { Pool } from 'mysql2'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { BlueGreenReadOnlyError, isBlueGreenError } from '../../core/errors.js'
import { createPool } from '../../integrations/mysql2/index.js'
import { labBlueGreen } from './clients/blue-green-options.js'
import { sleep } from './clock.js'
import { labTarget } from './scenario.js'
import type { Lab } from './start-lab.js'
import { startLab } from './start-lab.js'

/**
 * Issue 12 items 1 and 2 on MariaDB, without readable metadata (the app user may not read it): the lab's own
 * blue server turns read-only (`SET GLOBAL read_only`, the fence RDS puts on the old blue), and the driver alone
 * must evict, retry autocommit statements once the server accepts writes, never retry inside a transaction or
 * after a lost connection, and leave a server read-only since first seen (green before a switchover) alone.
 */
let lab: Lab
const pools: Pool[] = []
let counter = 0

beforeAll(async () => {
  lab = await startLab({ engine: 'mysql', profile: 'permission-denied' })
  await lab.sql('blue', `CREATE TABLE ${lab.app.database}.ro_test (k VARCHAR(32) PRIMARY KEY)`)
})
afterEach(async () => {
  await lab.sql('blue', 'SET GLOBAL read_only = 0')
  await Promise.all(pools.splice(0).map((p) => p.promise().end()))
})
afterAll(async () => {
  await lab.stop()
})

function pool(host: string): Pool {
  const created = createPool({
    host,
    port: lab.port,
    user: lab.app.user,
    password: lab.app.password,
    database: lab.app.database,
    connectionLimit: 2,
    blueGreen: {
      ...labBlueGreen(labTarget(lab), `ro-my-${process.pid}-${++counter}`),
      bgConnectTimeoutMs: 5000,
    },
  })
  pools.push(created)
  return created
}

async function rows(key: string): Promise<number> {
  return (await lab.sql('blue', `SELECT k FROM ${lab.app.database}.ro_test WHERE k = ?`, [key])).length
}

const fenceBlue = (on: boolean): Promise<unknown> => lab.sql('blue', `SET GLOBAL read_only = ${on ? 1 : 0}`)

describe('mysql2 without metadata: a server that turns read-only', () => {
  it('an autocommit statement it refused (text and prepared) is sent again on fresh connections, applied once', async () => {
    const p = pool(lab.names.blue.writer).promise()
    await p.query('INSERT INTO ro_test VALUES (?)', ['before']) // seen writable
    await fenceBlue(true)
    const started = performance.now()
    const text = p.query('INSERT INTO ro_test VALUES (?)', ['k1'])
    const prepared = p.execute('INSERT INTO ro_test VALUES (?)', ['k2'])
    await sleep(400)
    await fenceBlue(false)
    await Promise.all([text, prepared])
    expect(performance.now() - started).toBeGreaterThanOrEqual(400)
    expect(await rows('k1')).toBe(1)
    expect(await rows('k2')).toBe(1)
  })

  it('never inside a transaction: the statement fails at once, typed and retryable, and nothing is applied', async () => {
    const p = pool(lab.names.blue.writer).promise()
    const connection = await p.getConnection()
    await connection.beginTransaction()
    await fenceBlue(true)
    const started = performance.now()
    const err: unknown = await connection
      .query('INSERT INTO ro_test VALUES (?)', ['k3'])
      .catch((e: unknown) => e)
    expect(performance.now() - started).toBeLessThan(300)
    expect(err).toBeInstanceOf(BlueGreenReadOnlyError)
    expect((err as Error).cause).toMatchObject({ errno: 1290 })
    connection.release()
    await fenceBlue(false)
    await sleep(300)
    expect(await rows('k3')).toBe(0)
  })

  it('never after a lost connection: a statement cut mid-flight reaches the application, and is not sent again', async () => {
    const p = pool(lab.names.blue.writer).promise()
    const connection = await p.getConnection()
    const id = connection.threadId
    const write = connection.query("INSERT INTO ro_test SELECT 'k4' FROM (SELECT SLEEP(0.5)) AS t").then(
      () => 'applied',
      (e: unknown) => e,
    )
    await sleep(150)
    await lab.sql('blue', `KILL ${id}`)
    const err = await write
    expect(isBlueGreenError(err)).toBe(false)
    expect(err).toBeInstanceOf(Error)
    connection.release()
    await sleep(700)
    expect(await rows('k4')).toBe(0)
  })

  it('a server read-only since first seen (green before the switchover) is left alone: the raw error, the same connection', async () => {
    const p = pool(lab.names.green.writer).promise()
    const connection = await p.getConnection()
    const id = connection.threadId
    const err: unknown = await connection
      .query('INSERT INTO ro_test VALUES (?)', ['k5'])
      .catch((e: unknown) => e)
    expect(isBlueGreenError(err)).toBe(false)
    expect(err).toMatchObject({ errno: 1290 })
    connection.release()
    const again = await p.getConnection()
    expect(again.threadId).toBe(id)
    again.release()
  })
})
