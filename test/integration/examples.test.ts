import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

/**
 * The examples run as an application runs them: they import `rds-bluegreen/<entry>`, which Node resolves through
 * the package's own exports (self-reference) to the built dist/, against the machine's plain servers (no
 * Blue/Green metadata: one warning, then the plain driver's behaviour).
 */
const DB = 'bg_examples'
const admin = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' }

async function sql(text: string, database = 'postgres'): Promise<void> {
  const client = new pg.Client({ ...admin, database })
  await client.connect()
  try {
    await client.query(text)
  } finally {
    await client.end()
  }
}

beforeAll(async () => {
  if (!existsSync('dist/esm/core/index.js') || !existsSync('dist/cjs/core/index.js')) {
    execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' })
  }
  await sql(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`)
  await sql(`CREATE DATABASE ${DB}`)
  await sql(
    'CREATE TABLE "order" (id serial PRIMARY KEY, item text NOT NULL, placed_at timestamptz(3) NOT NULL DEFAULT now())',
    DB,
  )
}, 120_000)
afterAll(async () => {
  await sql(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`)
})

function run(file: string, env: Record<string, string> = {}): string {
  return execFileSync('npx', ['tsx', file], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

describe('examples', () => {
  it('type-check against the package names', () => {
    execFileSync('npx', ['tsc', '-p', 'examples/tsconfig.json', '--noEmit'], { stdio: 'inherit' })
  })

  it.each([
    ['pg', /^pg: 1 row, phase NOT_CREATED$/m],
    ['mysql2', /^mysql2: 1 row, phase NOT_CREATED$/m],
    ['knex', /^knex: 1 row, phase NOT_CREATED$/m],
    ['drizzle', /^drizzle: 1 row, phase NOT_CREATED$/m],
    ['typeorm', /^typeorm: 1 row, phase NOT_CREATED$/m],
    ['sequelize', /^sequelize: 1 row, phase NOT_CREATED$/m],
    ['kysely', /^kysely: 1 row, phase NOT_CREATED$/m],
  ])('%s runs against the local server and exits', (name, expected) => {
    expect(run(`examples/${name}/index.ts`)).toMatch(expected)
  })

  it('prisma runs against the local server and exits', () => {
    const out = run('examples/prisma/index.ts', { DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${DB}` })
    expect(out).toMatch(/^prisma: created \d+, recent coffee, 1 rows$/m)
  })
})
