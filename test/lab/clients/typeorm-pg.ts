import { blueGreenDataSourceOptions } from '../../../integrations/typeorm/index.js'
import { labDataSource, labWriteSchema } from '../../integration/typeorm/lab-data-source.js'
import { labBlueGreen } from './blue-green-options.js'
import { withTimeout } from './errors.js'
import type { LabClient, LabClientTarget, LabSession } from './types.js'

export const engines = ['pg'] as const

const LabWrite = labWriteSchema("current_setting('lab.instance')")
const INSTANCE = "SELECT current_setting('lab.instance') AS i, (SELECT count(*) FROM lab_writes) AS n"

/**
 * TypeORM over `blueGreenDataSourceOptions` as an application uses it: one DataSource (one routed pool) shared by
 * every worker; writes are query-builder inserts `RETURNING instance`, transactional writes run in
 * `dataSource.transaction`. No retries.
 */
export function session(target: LabClientTarget): LabSession {
  const lab = labDataSource(
    blueGreenDataSourceOptions({
      type: 'postgres',
      host: target.host,
      port: target.port,
      username: target.user,
      password: target.password,
      database: target.database,
      entities: [LabWrite],
      poolSize: target.poolSize ?? 16,
      connectTimeoutMS: target.connectTimeoutMs,
      extra: { query_timeout: 5000 },
      // The lab's pool errors (every connection is cut) are expected; TypeORM would log each one.
      poolErrorHandler: () => undefined,
      blueGreen: labBlueGreen(target, 'lab-typeorm-pg'),
    }),
  )
  const instance = async (): Promise<string | undefined> =>
    (await (await lab.get()).query<{ i: string }[]>(INSTANCE))[0]?.i
  const client = (): LabClient => ({
    connect: instance,
    write: async (name, seq) => {
      const result = await (
        await lab.get()
      )
        .createQueryBuilder()
        .insert()
        .into(LabWrite)
        .values({ client: name, seq })
        .returning('instance')
        .execute()
      return (result.raw as { instance: string }[])[0]?.instance
    },
    read: instance,
    writeTx: async (name, seq) =>
      (await lab.get()).transaction(async (manager) => {
        await manager.count(LabWrite, { where: { client: name } })
        const result = await manager
          .createQueryBuilder()
          .insert()
          .into(LabWrite)
          .values({ client: name, seq })
          .returning('instance')
          .execute()
        return (result.raw as { instance: string }[])[0]?.instance
      }),
    close: async () => undefined,
  })
  return {
    client,
    close: async () =>
      void (await withTimeout(
        lab.close().catch(() => undefined),
        2000,
      )),
  }
}

/** One worker on its own DataSource (the per-worker form of the lab's client contract). */
export default function typeormPg(target: LabClientTarget): LabClient {
  const own = session(target)
  return { ...own.client(), close: () => own.close() }
}
