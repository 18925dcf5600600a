import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mysql from 'mysql2/promise'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startCli } from '../helpers/cli-process.js'
import { pgAdmin } from './helpers/pg-admin.js'

/**
 * `rds-bluegreen check` and `watch` as child processes against the machine's PostgreSQL and MariaDB, which have
 * no Blue/Green metadata: the verdict, the exact fix, the GRANT for a user without it (throwaway role and user,
 * dropped afterwards), the exit codes, and that no password ever reaches the output.
 */

const PG_URL = 'postgres://postgres@127.0.0.1:5432/postgres'
const MY_URL = 'mysql://root@127.0.0.1:3306/mysql'
const ROLE = `bg_cli_${process.pid}`
const DB = `bg_cli_${process.pid}`
const SECRET = `S3cret-${process.pid}-pw`

async function myAdmin(sql: string): Promise<void> {
  const conn = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root' })
  try {
    await conn.query(sql)
  } finally {
    await conn.end()
  }
}

async function run(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{
  code: number | null
  stdout: string
  stderr: string
}> {
  return startCli(args, env, 30_000).done
}

describe('check against servers without Blue/Green metadata', () => {
  it('PostgreSQL: not armed, no metadata, fix CREATE EXTENSION rds_tools; exit 1', async () => {
    const { code, stdout } = await run(['check', '--url', PG_URL])
    expect(code).toBe(1)
    expect(stdout).toMatch(/^NOT ARMED: no metadata$/m)
    expect(stdout).toMatch(
      /^reason +no Blue\/Green metadata function on this server: the rds_tools extension/m,
    )
    expect(stdout).toMatch(/^fix +CREATE EXTENSION rds_tools;$/m)
    expect(stdout).toMatch(/^engine +PostgreSQL 15\.\d+ \(not recognised as RDS or Aurora\)/m)
  })

  it('MariaDB, --json: one object with armed, reason, fix, engine, pairs; exit 1', async () => {
    const { code, stdout } = await run(['check', '--url', MY_URL, '--json'])
    expect(code).toBe(1)
    const lines = stdout.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      armed: false,
      code: 'no-metadata',
      reason: 'no Blue/Green metadata: mysql.rds_topology does not exist on this server',
      fix: expect.stringMatching(/^no Blue\/Green deployment exists for this database/),
      engine: { name: 'mysql', description: expect.stringMatching(/^MariaDB 10\./) },
      pairs: [],
    })
  })
})

describe('check with a user that lacks the grant', () => {
  beforeAll(async () => {
    await pgAdmin('postgres', async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`)
      await c.query(`DROP ROLE IF EXISTS ${ROLE}`)
      await c.query(`CREATE DATABASE ${DB}`)
      await c.query(`CREATE ROLE ${ROLE} LOGIN`)
    })
    // The RDS function's shape, owned by the superuser (as rdsadmin owns it on RDS), not usable by the new role.
    await pgAdmin(DB, (c) =>
      c.query(`CREATE SCHEMA rds_tools;
        CREATE FUNCTION rds_tools.show_topology(client_id text DEFAULT NULL)
          RETURNS TABLE (id text, endpoint text, port int, role text, status text, version text)
          LANGUAGE sql AS 'SELECT NULL::text, NULL::text, NULL::int, NULL::text, NULL::text, NULL::text WHERE false';`),
    )
    await myAdmin(`DROP USER IF EXISTS '${ROLE}'@'%'`)
    await myAdmin(`CREATE USER '${ROLE}'@'%' IDENTIFIED BY '${SECRET}'`)
  })
  afterAll(async () => {
    await pgAdmin('postgres', async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`)
      await c.query(`DROP ROLE IF EXISTS ${ROLE}`)
    })
    await myAdmin(`DROP USER IF EXISTS '${ROLE}'@'%'`)
  })

  it('PostgreSQL: the GRANT statements for that role; once run, the verdict moves on to "no deployment"', async () => {
    const url = `postgres://${ROLE}@127.0.0.1:5432/${DB}`
    const denied = await run(['check', '--url', url])
    expect(denied.code).toBe(1)
    expect(denied.stdout).toMatch(/^NOT ARMED: not permitted$/m)
    const fix = `GRANT USAGE ON SCHEMA rds_tools TO ${ROLE}; GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA rds_tools TO ${ROLE};`
    expect(denied.stdout).toContain(`fix        ${fix}\n`)
    await pgAdmin(DB, (c) => c.query(fix))
    const granted = await run(['check', '--url', url, '--json'])
    expect(granted.code).toBe(1)
    expect(JSON.parse(granted.stdout)).toMatchObject({
      armed: false,
      code: 'no-deployment',
      reason: 'no Blue/Green deployment exists for this database',
    })
  })

  it('MariaDB: the GRANT for that account, password from --password-env, never printed', async () => {
    const { code, stdout, stderr } = await run(
      ['check', '--host', '127.0.0.1', '--engine', 'mysql', '--user', ROLE, '--password-env', 'CLI_TEST_PW'],
      { CLI_TEST_PW: SECRET },
    )
    expect(code).toBe(1)
    expect(stdout).toMatch(/^NOT ARMED: not permitted$/m)
    expect(stdout).toContain(`fix        GRANT SELECT ON mysql.rds_topology TO '${ROLE}'@'%';\n`)
    expect(stdout + stderr).not.toContain(SECRET)
  })

  it('MariaDB, wrong password: cannot connect, exit 2, the password appears nowhere', async () => {
    const wrong = `${SECRET}-wrong`
    const { code, stdout, stderr } = await run([
      'check',
      '--url',
      `mysql://${ROLE}:${encodeURIComponent(wrong)}@127.0.0.1:3306/mysql`,
    ])
    expect(code).toBe(2)
    expect(stderr).toMatch(/^cannot connect: 127\.0\.0\.1:3306: ER_ACCESS_DENIED_ERROR/m)
    expect(stderr).toMatch(/^fix: check the user, the password/m)
    expect(stdout + stderr).not.toContain(wrong)
  })
})

describe('exit codes', () => {
  it('2 when nothing listens, with the URL password redacted', async () => {
    const { code, stdout, stderr } = await run([
      'check',
      '--url',
      `postgres://postgres:${SECRET}@127.0.0.1:1/x`,
      '--json',
    ])
    expect(code).toBe(2)
    expect(JSON.parse(stdout)).toMatchObject({ armed: false, code: 'cannot-connect' })
    expect(stdout).toContain('ECONNREFUSED')
    expect(stdout + stderr).not.toContain(SECRET)
  })

  it('2 for a bad command line, naming the option', async () => {
    expect((await run([])).stderr).toContain('a command is needed: check or watch')
    const bad = await run(['check', '--url', PG_URL, '--port', '99999'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain("--port must be 1..65535, got '99999'")
    const option = await run(['check', '--url', PG_URL, '--option', 'bgHighMs=-5'])
    expect(option.code).toBe(2)
    expect(option.stderr).toContain('bgHighMs')
  })

  it('2 with a clear message when the driver is not installed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rds-bg-cli-'))
    try {
      // A loader hook that makes 'pg' unresolvable, as in an application that only has mysql2.
      writeFileSync(
        join(dir, 'hooks.mjs'),
        `export async function resolve(specifier, context, next) {
          if (specifier === 'pg') throw Object.assign(new Error("Cannot find package 'pg' imported from " + context.parentURL), { code: 'ERR_MODULE_NOT_FOUND' })
          return next(specifier, context)
        }`,
      )
      writeFileSync(
        join(dir, 'register.mjs'),
        `import { register } from 'node:module'\nregister('./hooks.mjs', import.meta.url)\n`,
      )
      const { code, stderr } = await run(['check', '--url', PG_URL], {
        NODE_OPTIONS: `--import ${join(dir, 'register.mjs')}`,
      })
      expect(code).toBe(2)
      expect(stderr).toContain('the pg driver is not installed here')
      expect(stderr).toContain('npm install pg')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('watch: --timeout alone ends with 0, with --until not reached 3, SIGTERM 0; each within a second', async () => {
    const started = Date.now()
    const plain = await run(['watch', '--url', PG_URL, '--timeout', '1s'])
    expect(plain.code).toBe(0)
    expect(plain.stdout).toMatch(/NOT ARMED: no metadata/)
    expect(plain.stdout).toMatch(/watch ended \(timeout\)$/m)
    const until = await run(['watch', '--url', PG_URL, '--timeout', '1s', '--until', 'completed', '--json'])
    expect(until.code).toBe(3)
    expect(JSON.parse(until.stdout.trim().split('\n').at(-1) ?? '')).toMatchObject({
      event: 'end',
      reason: 'timeout',
      exitCode: 3,
    })
    const cli = startCli(['watch', '--url', PG_URL, '--json'])
    await cli.waitFor((line) => line.includes('"event":"armed"'))
    const signalled = Date.now()
    cli.kill('SIGTERM')
    const ended = await cli.done
    expect(ended.code).toBe(0)
    expect(Date.now() - signalled).toBeLessThan(1_500)
    expect(ended.stdout).toContain('"event":"end","reason":"signal","exitCode":0')
    expect(Date.now() - started).toBeLessThan(20_000)
  })
})
