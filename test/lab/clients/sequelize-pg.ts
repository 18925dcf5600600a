import { DataTypes, QueryTypes, Sequelize } from 'sequelize'
import { blueGreenSequelizeOptions } from '../../../integrations/sequelize/index.js'
import { labBlueGreen } from './blue-green-options.js'
import { withTimeout } from './errors.js'
import { sequelizeUnwrapped as unwrapped } from './sequelize-errors.js'
import type { LabClient, LabClientTarget, LabSession } from './types.js'

export const engines = ['pg'] as const

/**
 * Sequelize over `blueGreenSequelizeOptions` as an application uses it: one instance (Sequelize's own pool of
 * 16) shared by every worker; writes are `Model.create` returning the row (with the `instance` the server
 * filled in), transactional writes run in a managed `sequelize.transaction`. No retries.
 */
/**
 * Sequelize's connections are standalone routed connections, which keep their deployment's monitors 10 s after
 * the last one closed (they all close at once when a switchover cuts them). The lab starts a fresh deployment
 * for every test within those 10 s, so each session names its own.
 */
let sessions = 0

export function session(target: LabClientTarget): LabSession {
  const sequelize = new Sequelize(
    blueGreenSequelizeOptions({
      dialect: 'postgres',
      host: target.host,
      port: target.port,
      username: target.user,
      password: target.password,
      database: target.database,
      logging: false,
      pool: { max: 16, min: 0, acquire: 10_000 },
      dialectOptions: { connectionTimeoutMillis: target.connectTimeoutMs, query_timeout: 5000 },
      blueGreen: labBlueGreen(target, `lab-sequelize-pg-${++sessions}`),
    }),
  )
  const LabWrite = sequelize.define(
    'LabWrite',
    {
      client: { type: DataTypes.TEXT, primaryKey: true },
      seq: { type: DataTypes.INTEGER, primaryKey: true },
      instance: { type: DataTypes.TEXT },
    },
    { tableName: 'lab_writes', timestamps: false },
  )
  const instance = async (): Promise<string | undefined> => {
    const rows = await sequelize.query<{ i: string }>(
      "SELECT current_setting('lab.instance') AS i, (SELECT count(*) FROM lab_writes) AS n",
      { type: QueryTypes.SELECT },
    )
    return rows[0]?.i
  }
  const client = (): LabClient => ({
    connect: () => unwrapped(instance),
    write: (name, seq) =>
      unwrapped(async () => {
        const row = await LabWrite.create({ client: name, seq }, { returning: ['instance'] })
        return row.get('instance') as string | undefined
      }),
    read: () => unwrapped(instance),
    writeTx: (name, seq) =>
      unwrapped(() =>
        sequelize.transaction(async (transaction) => {
          await LabWrite.count({ where: { client: name }, transaction })
          const row = await LabWrite.create({ client: name, seq }, { transaction, returning: ['instance'] })
          return row.get('instance') as string | undefined
        }),
      ),
    close: async () => undefined,
  })
  return {
    client,
    close: async () =>
      void (await withTimeout(
        sequelize.close().catch(() => undefined),
        3000,
      )),
  }
}

/** One worker on its own Sequelize instance (the per-worker form of the lab's client contract). */
export default function sequelizePg(target: LabClientTarget): LabClient {
  const own = session(target)
  return { ...own.client(), close: () => own.close() }
}
