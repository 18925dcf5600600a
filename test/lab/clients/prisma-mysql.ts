import { PrismaBlueGreenMysql } from '../../../integrations/prisma/index.js'
import { prismaLabSession } from '../../integration/prisma/lab-session.js'
import { labBlueGreen } from './blue-green-options.js'
import type { LabClient, LabClientTarget, LabSession } from './types.js'

export const engines = ['mysql'] as const

const INSTANCE_SQL =
  "SELECT IF(@@server_id = 1, 'blue', 'green') AS i, (SELECT count(*) FROM lab_writes) AS n"

/**
 * Prisma 7 over `PrismaBlueGreenMysql` (Prisma's own mysql2 adapter on a routed mysql2 pool): one PrismaClient
 * for the whole run, shared by every worker, as an application has.
 */
export function session(target: LabClientTarget): LabSession {
  return prismaLabSession(
    'lab-mysql',
    () =>
      new PrismaBlueGreenMysql({
        host: target.host,
        port: target.port,
        user: target.user,
        password: target.password,
        database: target.database,
        connectionLimit: target.poolSize ?? 16,
        connectTimeout: target.connectTimeoutMs,
        blueGreen: labBlueGreen(target, 'lab-prisma-mysql'),
      }),
    INSTANCE_SQL,
  )
}

/** Without a session (a lone worker): a session of its own. */
export default function prismaMysql(target: LabClientTarget): LabClient {
  const own = session(target)
  const view = own.client()
  return { ...view, close: () => own.close() }
}
