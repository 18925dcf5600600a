// Sequelize 6 through an RDS Blue/Green switchover: blueGreenSequelizeOptions routes Sequelize's own driver.
//   npm run build && DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx examples/sequelize/index.ts
// Without Blue/Green metadata (a local server) Sequelize behaves as usual, after one warning.
import { DataTypes, Sequelize } from 'sequelize'
import { getStatus } from 'rds-bluegreen'
import { blueGreenSequelizeOptions } from 'rds-bluegreen/sequelize'

const url = new URL(process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres')
// The one change: blueGreenSequelizeOptions({ ... }) around the options, with Blue/Green options.
const sequelize = new Sequelize(
  blueGreenSequelizeOptions({
    dialect: 'postgres',
    host: url.hostname,
    port: Number(url.port || 5432),
    username: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: url.pathname.slice(1),
    logging: false,
    blueGreen: { bgdId: 'notes', bgConnectTimeoutMs: 30_000 },
  }),
)
const Note = sequelize.define(
  'Note',
  { body: DataTypes.TEXT },
  { tableName: 'example_sequelize_notes', timestamps: false },
)
try {
  await Note.sync()
  // A managed transaction stays on one connection; it waits while the switchover is in progress.
  await sequelize.transaction(async (transaction) => Note.create({ body: 'hello' }, { transaction }))
  const rows = await Note.count({ where: { body: 'hello' } })
  console.log(`sequelize: ${rows > 0 ? 1 : 0} row, phase ${getStatus('notes')?.phase ?? '-'}`)
  await Note.drop()
} finally {
  await sequelize.close() // closes the connections; the monitors stop shortly after
}
