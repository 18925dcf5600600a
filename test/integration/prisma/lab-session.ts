import type { SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils'
import { blueGreenCodeOf } from '../../../integrations/prisma/index.js'
import type { LabClient, LabInstance, LabSession } from '../../lab/clients/types.js'
import { generatePrismaClient } from './generate.js'

type Args = Record<string, unknown>

/** The slice of the generated lab client (`lab-pg.prisma` / `lab-mysql.prisma`) the lab clients use. */
export interface LabPrisma {
  readonly labWrite: {
    create(args: Args): Promise<{ instance: string }>
    count(args?: Args): Promise<number>
  }
  $queryRawUnsafe(sql: string): Promise<{ i: string }[]>
  $transaction<T>(fn: (tx: LabPrisma) => Promise<T>, options?: Args): Promise<T>
  $disconnect(): Promise<void>
}

type LabPrismaClass = new (options: {
  adapter: SqlDriverAdapterFactory
  transactionOptions?: Args
}) => LabPrisma

/**
 * A write rejected as "reached the old blue" did not commit (the statement failed on a read-only server), so
 * running it once more is safe; Prisma reports it as P2034 and `blueGreenCodeOf` names it.
 */
async function retryOnce<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    if (blueGreenCodeOf(err) === 'READ_ONLY_CONNECTION') return fn()
    throw err
  }
}

/**
 * One PrismaClient for the whole lab run (as an application has), shared by every worker: `client()` is a view
 * whose `close()` does nothing; the session's `close()` disconnects. `instanceSql` returns column `i`.
 *
 * @example
 * export const session = (target) => prismaLabSession('lab-pg', () => new PrismaBlueGreenPg({...}), SQL)
 */
export function prismaLabSession(
  schema: 'lab-pg' | 'lab-mysql',
  adapter: () => SqlDriverAdapterFactory,
  instanceSql: string,
): LabSession {
  let opened: Promise<LabPrisma> | undefined
  const open = (): Promise<LabPrisma> =>
    (opened ??= (async () => {
      const { PrismaClient } = (await import(generatePrismaClient(schema))) as {
        PrismaClient: LabPrismaClass
      }
      return new PrismaClient({ adapter: adapter(), transactionOptions: { maxWait: 5000, timeout: 10_000 } })
    })())
  const instance = async (prisma: LabPrisma): Promise<LabInstance> =>
    (await prisma.$queryRawUnsafe(instanceSql))[0]?.i
  const client = (): LabClient => ({
    connect: async () => retryOnce(async () => instance(await open())),
    write: async (name, seq) =>
      retryOnce(async () => {
        const row = await (
          await open()
        ).labWrite.create({ data: { client: name, seq }, select: { instance: true } })
        return row.instance
      }),
    read: async () => retryOnce(async () => instance(await open())),
    writeTx: async (name, seq) =>
      retryOnce(async () =>
        (await open()).$transaction(async (tx) => {
          await tx.labWrite.count({ where: { client: name } })
          const row = await tx.labWrite.create({ data: { client: name, seq }, select: { instance: true } })
          return row.instance
        }),
      ),
    close: async () => undefined,
  })
  return {
    client,
    close: async () => {
      if (opened !== undefined) await (await opened).$disconnect().catch(() => undefined)
    },
  }
}
