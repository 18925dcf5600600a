import type { SqlDriverAdapter, SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BlueGreenConnectRejectedError } from '../../core/errors.js'
import { getStatus } from '../../core/registry.js'
import { silentLogger } from '../../core/runtime.js'
import type { Phase } from '../../core/types.js'
import { createPool } from '../../integrations/mysql2/index.js'
import { BlueGreenPgPool } from '../../integrations/pg/index.js'
import { decorateAdapter } from '../../integrations/prisma/decorate.js'
import { blueGreenCodeOf, PrismaBlueGreenMysql, PrismaBlueGreenPg } from '../../integrations/prisma/index.js'
import { BLUE, GREEN, tableLookup, waitFor } from './helpers/names.js'
import { createFenceRole, dropFenceRole, fence, FENCE_ROLE } from './helpers/pg-fence.js'
import { RowsSource } from './helpers/rows-source.js'
import { dropScratch, MY_SCRATCH, PG_SCRATCH, resetMysqlScratch, resetPgScratch } from './prisma/fixtures.js'
import { generatePrismaClient } from './prisma/generate.js'
import type { PrismaLike } from './prisma/model-suite.js'

type ClientClass = new (options: { adapter: SqlDriverAdapterFactory }) => PrismaLike
let PgClient: ClientClass
let MyClient: ClientClass
let counter = 0

// The blue name and the green name resolve to the local server (after the switch, held calls go to "green"); the deployment's metadata comes from an in-memory source.
const lookup = tableLookup({ [BLUE.toLowerCase()]: '127.0.0.1', [GREEN.toLowerCase()]: '127.0.0.1' })

function deployment(port: number, extra: Record<string, unknown> = {}) {
  const source = new RowsSource(BLUE, GREEN, port)
  source.setPhase('CREATED')
  const bgdId = `prisma-bg-${process.pid}-${++counter}`
  const blueGreen = {
    bgdId,
    lookup,
    metadataSource: source,
    logger: silentLogger,
    bgBaselineMs: 50,
    bgHighMs: 20,
    ...extra,
  }
  const phase = async (next: Phase): Promise<void> => {
    source.setPhase(next)
    await waitFor(() => getStatus(bgdId)?.phase === next, 5000, `phase ${next}`)
  }
  return { source, blueGreen, phase }
}

beforeAll(async () => {
  await resetPgScratch()
  await resetMysqlScratch()
  PgClient = ((await import(generatePrismaClient('diff-pg'))) as { PrismaClient: ClientClass }).PrismaClient
  MyClient = ((await import(generatePrismaClient('diff-mysql'))) as { PrismaClient: ClientClass })
    .PrismaClient
})
afterAll(async () => {
  await dropScratch()
  await dropFenceRole()
})

/** What an application sees when a Prisma call fails. */
async function failure(call: Promise<unknown>): Promise<{ code: unknown; message: string; bg: unknown }> {
  const err = (await call.then(
    () => new Error('no error'),
    (e: unknown) => e,
  )) as Error & { code?: unknown }
  return { code: err.code, message: err.message, bg: blueGreenCodeOf(err) }
}

describe('Prisma clients through a Blue/Green switchover', () => {
  it('pg: a call held past the timeout is P1001 "Can\'t reach database server"; a held call resumes after the switch', async () => {
    const { blueGreen, phase } = deployment(5432, { bgConnectTimeoutMs: 400 })
    const prisma = new PgClient({
      adapter: new PrismaBlueGreenPg({ ...PG_SCRATCH, host: BLUE, max: 2, blueGreen }),
    })
    try {
      expect(await prisma.sample.count()).toBe(0)
      await phase('IN_PROGRESS')
      const started = performance.now()
      expect(await failure(prisma.sample.count())).toEqual({
        code: 'P1001',
        message: expect.stringContaining(`Can't reach database server at ${BLUE}:5432`) as unknown,
        bg: 'SWITCHOVER_TIMEOUT',
      })
      expect(performance.now() - started).toBeGreaterThanOrEqual(350)
      const held = prisma.sample.count()
      await new Promise((resolve) => setTimeout(resolve, 100))
      await phase('POST')
      expect(await held).toBe(0)
    } finally {
      await prisma.$disconnect()
    }
  })

  it('pg: a write that reaches a fenced server is P2034 (retry) named READ_ONLY_CONNECTION; the retry succeeds', async () => {
    // bgRetryReadOnly off: the connection to the fenced server is accepted, so the write meets it.
    const { blueGreen, phase } = deployment(5432, { bgRetryReadOnly: false })
    await createFenceRole(PG_SCRATCH.database)
    const pool = new BlueGreenPgPool({ ...PG_SCRATCH, user: FENCE_ROLE, host: BLUE, max: 1, blueGreen })
    pool.on('error', () => undefined)
    const prisma = new PgClient({ adapter: new PrismaBlueGreenPg(pool) })
    try {
      expect(await prisma.sample.count()).toBe(0) // seen writable
      await fence(true)
      const writable = await pool.connect() // opened before the fence: retire it
      writable.release(true)
      await phase('PREPARATION')
      const write = (): Promise<unknown> => prisma.author.create({ data: { name: `ro-${counter}` } })
      expect(await failure(write())).toMatchObject({ code: 'P2034', bg: 'READ_ONLY_CONNECTION' })
      await fence(false)
      // the connection was discarded; the same write runs on a fresh (writable) one
      expect(await write()).toMatchObject({ name: `ro-${counter}` })
    } finally {
      await fence(false)
      await prisma.$disconnect()
      await pool.end()
    }
  })

  it('mysql: a call held past the timeout is P1001 too, through our mysql2 adapter', async () => {
    const { blueGreen, phase } = deployment(3306, { bgConnectTimeoutMs: 400 })
    const prisma = new MyClient({
      adapter: new PrismaBlueGreenMysql({ ...MY_SCRATCH, host: BLUE, connectionLimit: 2, blueGreen }),
    })
    try {
      expect(await prisma.sample.count()).toBe(0)
      await phase('IN_PROGRESS')
      expect(await failure(prisma.sample.count())).toEqual({
        code: 'P1001',
        message: expect.stringContaining(`Can't reach database server at ${BLUE}:3306`) as unknown,
        bg: 'SWITCHOVER_TIMEOUT',
      })
      const held = prisma.author.count()
      await new Promise((resolve) => setTimeout(resolve, 100))
      await phase('POST')
      expect(await held).toBeGreaterThanOrEqual(0)
    } finally {
      await prisma.$disconnect()
    }
  })

  it('a refused green connection reaches the application as P1001 naming GREEN_REJECTED', async () => {
    const rejecting: SqlDriverAdapter = {
      provider: 'postgres',
      adapterName: 'stub',
      queryRaw: () => Promise.reject(new BlueGreenConnectRejectedError({ bgdId: 'x', phase: 'POST' })),
      executeRaw: () => Promise.reject(new BlueGreenConnectRejectedError({})),
      executeScript: () => Promise.resolve(),
      startTransaction: () => Promise.reject(new BlueGreenConnectRejectedError({})),
      dispose: () => Promise.resolve(),
    }
    const factory: SqlDriverAdapterFactory = {
      provider: 'postgres',
      adapterName: 'stub',
      connect: () =>
        Promise.resolve(
          decorateAdapter(rejecting, 'stub', { host: GREEN, port: 5432 }, () => Promise.resolve()),
        ),
    }
    const prisma = new PgClient({ adapter: factory })
    expect(await failure(prisma.sample.findMany())).toEqual({
      code: 'P1001',
      message: expect.stringContaining(`Can't reach database server at ${GREEN}:5432`) as unknown,
      bg: 'GREEN_REJECTED',
    })
    await prisma.$disconnect()
  })

  it('$disconnect ends the routed pool the adapter created and releases its monitors; a given pool stays open', async () => {
    const owned = deployment(5432)
    const prisma = new PgClient({
      adapter: new PrismaBlueGreenPg({ ...PG_SCRATCH, host: BLUE, blueGreen: owned.blueGreen }),
    })
    await prisma.sample.count()
    expect(owned.source.opened).toBeGreaterThan(0)
    await prisma.$disconnect()
    await waitFor(() => owned.source.closed === owned.source.opened, 5000, 'monitor connections closed')
    expect(getStatus(owned.blueGreen.bgdId)).toBeUndefined()

    const given = deployment(3306)
    const pool = createPool({ ...MY_SCRATCH, host: BLUE, connectionLimit: 1, blueGreen: given.blueGreen })
    const other = new MyClient({ adapter: new PrismaBlueGreenMysql(pool) })
    await other.sample.count()
    await other.$disconnect()
    const [rows] = await pool.promise().query('SELECT 1 AS one')
    expect(rows).toEqual([{ one: 1 }])
    await pool.promise().end()
    await waitFor(() => given.source.closed === given.source.opened, 5000, 'monitor connections closed')
  })
})
