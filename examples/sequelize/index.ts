// A Sequelize application protected through a Blue/Green switchover. Against the switchover lab (needs root):
//   node scripts/with-lab-dns.mjs npx tsx examples/sequelize/index.ts
// or against any PostgreSQL: DATABASE_HOST=... DATABASE_USER=... DATABASE_PASSWORD=... npx tsx examples/sequelize/index.ts
import { DataTypes, QueryTypes, Sequelize } from 'sequelize'
import { getStatus } from '../../core/index.js'
import { blueGreenSequelizeOptions } from '../../integrations/sequelize/index.js'
import { labTarget, startLab } from '../../test/lab/index.js'

const DDL = 'CREATE TABLE IF NOT EXISTS example_notes (id serial PRIMARY KEY, body text NOT NULL)'
// The lab creates the table on blue and green before replication starts (DDL is not replicated).
const lab =
  process.env['DATABASE_HOST'] === undefined ? await startLab({ engine: 'pg', schema: [DDL] }) : undefined
const target = lab === undefined ? undefined : labTarget(lab)

// The one change: blueGreenSequelizeOptions({ ... }) around the options, with Blue/Green options.
const sequelize = new Sequelize(
  blueGreenSequelizeOptions({
    dialect: 'postgres',
    host: target?.host ?? process.env['DATABASE_HOST'] ?? 'localhost',
    username: target?.user ?? process.env['DATABASE_USER'] ?? 'postgres',
    password: target?.password ?? process.env['DATABASE_PASSWORD'] ?? '',
    database: target?.database ?? process.env['DATABASE_NAME'] ?? 'postgres',
    logging: false,
    blueGreen: { bgdId: 'example', bgIncreasedMs: 100, bgHighMs: 50 },
  }),
)
const Note = sequelize.define(
  'Note',
  { body: { type: DataTypes.TEXT, allowNull: false } },
  {
    tableName: 'example_notes',
    timestamps: false,
  },
)
try {
  await sequelize.query(DDL)
  const switchover = lab?.switchover({ preset: 'fast' })
  for (let i = 0; i < 40; i++) {
    // A managed transaction stays on one connection; it waits while the switchover is in progress.
    const served = await sequelize.transaction(async (transaction) => {
      await Note.create({ body: `note ${i}` }, { transaction })
      const [row] = await sequelize.query<{ i: string | null }>(
        "SELECT current_setting('lab.instance', true) AS i",
        { type: QueryTypes.SELECT, transaction },
      )
      return row?.i ?? 'the database'
    })
    console.log(`write ${i}: phase ${getStatus('example')?.phase ?? '-'}, served by ${served}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  await switchover
  await sequelize.query('DROP TABLE example_notes')
} finally {
  await sequelize.close() // closes the connections; the monitors stop shortly after
  await lab?.stop()
}
