// A knex application protected through a Blue/Green switchover. Against the switchover lab:
//   node scripts/run-in-lab.mjs examples/knex/index.ts
// or against your own database: DATABASE_HOST=... DATABASE_USER=... DATABASE_PASSWORD=... npx tsx examples/knex/index.ts
import knex from 'knex'
import { getStatus } from '../../core/index.js'
import { AwsBgPg } from '../../integrations/knex/index.js'
import type { BlueGreenKnexConfig } from '../../integrations/knex/index.js'
import { labTarget, startLab } from '../../test/lab/index.js'

const lab = process.env['DATABASE_HOST'] === undefined ? await startLab({ engine: 'pg' }) : undefined
const target = lab === undefined ? undefined : labTarget(lab)

const config: BlueGreenKnexConfig = {
  client: AwsBgPg, // the one line that changes: instead of client: 'pg'
  connection: {
    host: target?.host ?? process.env['DATABASE_HOST'] ?? 'localhost',
    user: target?.user ?? process.env['DATABASE_USER'] ?? 'postgres',
    password: target?.password ?? process.env['DATABASE_PASSWORD'] ?? '',
    database: target?.database ?? process.env['DATABASE_NAME'] ?? 'postgres',
  },
  blueGreen: { bgdId: 'example', bgIncreasedMs: 100, bgHighMs: 50 },
}
const db = knex(config)
try {
  await db.raw('SELECT 1') // starts the monitors; let them see the deployment before the switchover begins
  await new Promise((resolve) => setTimeout(resolve, 500))
  const switchover = lab?.switchover({ preset: 'fast' })
  for (let i = 0; i < 40; i++) {
    const { rows } = await db.raw<{ rows: { i: string }[] }>(
      "SELECT current_setting('lab.instance', true) AS i",
    )
    console.log(
      `query ${i}: phase ${getStatus('example')?.phase ?? '-'}, served by ${rows[0]?.i ?? 'the database'}`,
    )
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  await switchover
} finally {
  await db.destroy()
  await lab?.stop()
}
