import { PrismaBlueGreenPg } from '../../../integrations/prisma/index.js'
import { prismaLabSession } from '../../integration/prisma/lab-session.js'
import { labBlueGreen } from './blue-green-options.js'
import type { LabClient, LabClientTarget, LabSession } from './types.js'

export const engines = ['pg'] as const

const INSTANCE_SQL = "SELECT current_setting('lab.instance') AS i, (SELECT count(*) FROM lab_writes) AS n"

/**
 * Prisma 7 over `PrismaBlueGreenPg` (Prisma's PrismaPg adapter on a routed BlueGreenPgPool): one PrismaClient
 * for the whole run, shared by every worker, as an application has.
 */
export function session(target: LabClientTarget): LabSession {
  return prismaLabSession(
    'lab-pg',
    () =>
      new PrismaBlueGreenPg({
        host: target.host,
        port: target.port,
        user: target.user,
        password: target.password,
        database: target.database,
        max: target.poolSize ?? 16,
        connectionTimeoutMillis: target.connectTimeoutMs,
        query_timeout: 5000,
        blueGreen: labBlueGreen(target, 'lab-prisma-pg'),
      }),
    INSTANCE_SQL,
  )
}

/** Without a session (a lone worker): a session of its own. */
export default function prismaPg(target: LabClientTarget): LabClient {
  const own = session(target)
  const view = own.client()
  return { ...view, close: () => own.close() }
}
