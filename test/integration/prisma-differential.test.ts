import { PrismaMariaDb } from '@prisma/adapter-mariadb'
import type { SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils'
import mysql from 'mysql2/promise'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { silentLogger } from '../../core/runtime.js'
import { PrismaBlueGreenMysql, PrismaBlueGreenPg } from '../../integrations/prisma/index.js'
import { dropScratch, MY_SCRATCH, PG_SCRATCH, resetMysqlScratch, resetPgScratch } from './prisma/fixtures.js'
import { generatePrismaClient } from './prisma/generate.js'
import type { PrismaLike, Provider } from './prisma/model-suite.js'
import { EDGE, normalize, runModelSuite } from './prisma/model-suite.js'

type ClientClass = new (options: { adapter: SqlDriverAdapterFactory }) => PrismaLike

let MysqlClient: ClientClass
let PgClient: ClientClass

async function runThrough(Client: ClientClass, adapter: SqlDriverAdapterFactory, provider: Provider) {
  if (provider === 'mysql') await resetMysqlScratch()
  else await resetPgScratch()
  const prisma = new Client({ adapter })
  try {
    return await runModelSuite(prisma, provider)
  } finally {
    await prisma.$disconnect()
  }
}

const blueGreen = { bgdId: 'prisma-diff-mysql', logger: silentLogger }

beforeAll(async () => {
  MysqlClient = ((await import(generatePrismaClient('diff-mysql'))) as { PrismaClient: ClientClass })
    .PrismaClient
  PgClient = ((await import(generatePrismaClient('diff-pg'))) as { PrismaClient: ClientClass }).PrismaClient
})

afterAll(async () => {
  await dropScratch()
})

describe('Prisma over mysql2 (PrismaBlueGreenMysql) versus Prisma over mariadb (PrismaMariaDb)', () => {
  let reference: Record<string, unknown>

  beforeAll(async () => {
    reference = await runThrough(
      MysqlClient,
      new PrismaMariaDb({ ...MY_SCRATCH, connectionLimit: 4 }),
      'mysql',
    )
  })

  it('the reference run itself succeeded where it should (guards against comparing two broken runs)', () => {
    expect(reference['findUnique.edge']).toMatchObject({ i64: '9007199254740993n', u32: 4294967295, zf: 42 })
    expect(reference['tx.rollback.check']).toBe(0)
    expect(reference['error.unique']).toMatchObject({ error: { code: 'P2002' } })
    expect(reference['error.fk']).toMatchObject({ error: { code: 'P2003' } })
  })

  it('routed pool from a config: every output is identical', async () => {
    const ours = await runThrough(
      MysqlClient,
      new PrismaBlueGreenMysql({ ...MY_SCRATCH, connectionLimit: 4, blueGreen }),
      'mysql',
    )
    for (const key of Object.keys(reference)) expect({ [key]: ours[key] }).toEqual({ [key]: reference[key] })
    expect(Object.keys(ours)).toEqual(Object.keys(reference))
  })

  it('plain mysql2/promise pool, text protocol: every output is identical', async () => {
    const pool = mysql.createPool({ ...MY_SCRATCH, connectionLimit: 4, jsonStrings: true })
    const ours = await runThrough(
      MysqlClient,
      new PrismaBlueGreenMysql(pool, { useTextProtocol: true }),
      'mysql',
    )
    await pool.end()
    for (const key of Object.keys(reference)) expect({ [key]: ours[key] }).toEqual({ [key]: reference[key] })
  })
})

describe('Prisma over pg (PrismaBlueGreenPg)', () => {
  it('runs the same suite on PostgreSQL with the edge values intact', async () => {
    const out = await runThrough(
      PgClient,
      new PrismaBlueGreenPg({ ...PG_SCRATCH, max: 4, blueGreen: { ...blueGreen, bgdId: 'prisma-diff-pg' } }),
      'postgres',
    )
    const errors = Object.entries(out).filter(
      ([key, value]) => !key.startsWith('error.') && key !== 'tx.rollback' && hasError(value),
    )
    expect(errors).toEqual([])
    expect(out['findUnique.edge']).toEqual({
      ...(normalize({ id: 1, ...EDGE, u32: BigInt(EDGE.u32) }) as object),
      num: `decimal:${EDGE.num.replace(/0+$/, '')}`,
    })
    expect(out['filter.bigint.exact']).toBe(0)
    expect(out['tx.rollback.check']).toBe(0)
    expect(out['error.unique']).toMatchObject({ error: { code: 'P2002' } })
    expect(out['error.fk']).toMatchObject({ error: { code: 'P2003' } })
    expect(out['error.notFound']).toMatchObject({ error: { code: 'P2025' } })
  })
})

function hasError(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'error' in value
}
