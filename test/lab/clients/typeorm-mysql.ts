import type { EntityManager } from 'typeorm'
import { blueGreenDataSourceOptions } from '../../../integrations/typeorm/index.js'
import { labDataSource, labWriteSchema } from '../../integration/typeorm/lab-data-source.js'
import { labBlueGreen } from './blue-green-options.js'
import { withTimeout } from './errors.js'
import type { LabClient, LabClientTarget, LabSession } from './types.js'

export const engines = ['mysql'] as const

const LabWrite = labWriteSchema("''")
const INSTANCE = "SELECT IF(@@server_id = 1, 'blue', 'green') AS i, (SELECT count(*) FROM lab_writes) AS n"
const instanceOf = (rows: unknown): string =>
  Number((rows as { id: number }[])[0]?.id) === 1 ? 'blue' : 'green'

/** Inserts and asks `@@server_id` through one manager, so both run on the same connection. */
async function insert(manager: EntityManager, name: string, seq: number): Promise<string> {
  await manager.insert(LabWrite, { client: name, seq })
  return instanceOf(await manager.query('SELECT @@server_id AS id'))
}

/**
 * TypeORM over `blueGreenDataSourceOptions` (`type: 'mariadb'`, the lab's server) as an application uses it: one
 * DataSource (one routed pool) shared by every worker. A write runs on a query runner so that the insert and
 * `@@server_id` share a connection; a transactional write runs in `dataSource.transaction`. No retries.
 */
export function session(target: LabClientTarget): LabSession {
  const lab = labDataSource(
    blueGreenDataSourceOptions({
      type: 'mariadb',
      host: target.host,
      port: target.port,
      username: target.user,
      password: target.password,
      database: target.database,
      entities: [LabWrite],
      poolSize: target.poolSize ?? 16,
      connectTimeout: target.connectTimeoutMs,
      blueGreen: labBlueGreen(target, 'lab-typeorm-mysql'),
    }),
  )
  const instance = async (): Promise<string | undefined> =>
    (await (await lab.get()).query<{ i: string }[]>(INSTANCE))[0]?.i
  const client = (): LabClient => ({
    connect: instance,
    write: async (name, seq) => {
      const runner = (await lab.get()).createQueryRunner()
      try {
        return await insert(runner.manager, name, seq)
      } finally {
        await runner.release()
      }
    },
    read: instance,
    writeTx: async (name, seq) =>
      (await lab.get()).transaction(async (manager) => {
        await manager.count(LabWrite, { where: { client: name } })
        return insert(manager, name, seq)
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
export default function typeormMysql(target: LabClientTarget): LabClient {
  const own = session(target)
  return { ...own.client(), close: () => own.close() }
}
