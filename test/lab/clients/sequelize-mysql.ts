import type { Transaction } from 'sequelize'
import { DataTypes, QueryTypes, Sequelize } from 'sequelize'
import { blueGreenSequelizeOptions } from '../../../integrations/sequelize/index.js'
import { labBlueGreen } from './blue-green-options.js'
import { withTimeout } from './errors.js'
import { sequelizeUnwrapped as unwrapped } from './sequelize-errors.js'
import type { LabClient, LabClientTarget, LabSession } from './types.js'

export const engines = ['mysql'] as const

const instanceOf = (serverId: unknown): string => (Number(serverId) === 1 ? 'blue' : 'green')

/**
 * Sequelize over `blueGreenSequelizeOptions` (dialect `mariadb`, served by mysql2) as an application uses it: one
 * instance (Sequelize's own pool of 16) shared by every worker. The instance must come from the connection that
 * wrote: a write is `Model.create` plus `@@server_id` in one managed transaction (one connection); the
 * transactional write also reads first. No retries.
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
      dialect: 'mariadb',
      host: target.host,
      port: target.port,
      username: target.user,
      password: target.password,
      database: target.database,
      logging: false,
      pool: { max: 16, min: 0, acquire: 10_000 },
      dialectOptions: { connectTimeout: target.connectTimeoutMs },
      blueGreen: labBlueGreen(target, `lab-sequelize-mysql-${++sessions}`),
    }),
  )
  const LabWrite = sequelize.define(
    'LabWrite',
    {
      client: { type: DataTypes.STRING(64), primaryKey: true },
      seq: { type: DataTypes.INTEGER, primaryKey: true },
    },
    { tableName: 'lab_writes', timestamps: false },
  )
  const serverId = async (transaction?: Transaction): Promise<string> => {
    const rows = await sequelize.query<{ id: number }>('SELECT @@server_id AS id', {
      type: QueryTypes.SELECT,
      ...(transaction === undefined ? {} : { transaction }),
    })
    return instanceOf(rows[0]?.id)
  }
  const insert = (name: string, seq: number, read: boolean): Promise<string> =>
    unwrapped(() =>
      sequelize.transaction(async (transaction) => {
        if (read) await LabWrite.count({ where: { client: name }, transaction })
        await LabWrite.create({ client: name, seq }, { transaction })
        return serverId(transaction)
      }),
    )
  const client = (): LabClient => ({
    connect: () => unwrapped(() => serverId()),
    write: (name, seq) => insert(name, seq, false),
    read: () =>
      unwrapped(async () => {
        await LabWrite.count()
        return serverId()
      }),
    writeTx: (name, seq) => insert(name, seq, true),
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
export default function sequelizeMysql(target: LabClientTarget): LabClient {
  const own = session(target)
  return { ...own.client(), close: () => own.close() }
}
