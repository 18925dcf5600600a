import { existsSync } from 'node:fs'
import { join } from 'node:path'
import mysql from 'mysql2/promise'
import { LabError } from './errors.js'
import { systemUser } from './lab-root.js'
import { spawnServer, type ServerProcess } from './server-process.js'
import { copyTemplate, ensureTemplate, ownedDir, runTool } from './templates.js'

function findBinary(name: string): string {
  for (const dir of ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin']) {
    if (existsSync(join(dir, name))) return join(dir, name)
  }
  throw new LabError('BINARY_MISSING', `${name} not found (apt-get install -y mariadb-server)`)
}

// Small InnoDB files keep the template at ~24 MB (copy in ~30 ms); the same values must be used at runtime.
const INNODB = ['--innodb-log-file-size=8M', '--innodb-data-file-path=ibdata1:10M:autoextend']

async function mariaTemplate(): Promise<string> {
  const version = (await runTool(findBinary('mariadbd'), ['--version'])).trim()
  const user = systemUser('mysql')
  return ensureTemplate('mariadb', version, async (data, scratch) => {
    ownedDir(scratch, user)
    // --no-defaults: never read /etc/mysql, which belongs to the machine's own MariaDB service.
    await runTool(findBinary('mariadb-install-db'), [
      '--no-defaults',
      ...(user === undefined ? [] : ['--user=mysql']),
      `--datadir=${data}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      ...INNODB,
    ])
  })
}

export interface MariaServerOptions {
  readonly name: string
  readonly labDir: string
  readonly ip: string
  readonly port: number
  readonly serverId: number
}

/** The unix socket of a lab MariaDB server; the lab's root session uses it (root has no TCP account). */
export function mariaSocket(labDir: string, name: string): string {
  return join(labDir, `${name}-run`, 'mysqld.sock')
}

async function mariaReady(socketPath: string): Promise<void> {
  const c = await mysql.createConnection({ socketPath, user: 'root', connectTimeout: 2000 })
  await c.end()
}

/** Copies the cached template and starts one mariadbd (as `mysql`) with a binlog for GTID replication. */
export async function startMariaServer(opts: MariaServerOptions): Promise<ServerProcess> {
  const template = await mariaTemplate()
  const user = systemUser('mysql')
  const data = join(opts.labDir, opts.name)
  const run = ownedDir(join(opts.labDir, `${opts.name}-run`), user)
  await copyTemplate(template, data)
  const args = [
    '--no-defaults',
    ...(user === undefined ? [] : ['--user=mysql']),
    `--datadir=${data}`,
    `--bind-address=${opts.ip}`,
    `--port=${opts.port}`,
    `--socket=${mariaSocket(opts.labDir, opts.name)}`,
    `--pid-file=${join(run, 'mysqld.pid')}`,
    `--log-error=${join(run, 'error.log')}`,
    `--server-id=${opts.serverId}`,
    `--log-bin=${join(data, 'binlog')}`,
    '--binlog-format=ROW',
    '--innodb-flush-log-at-trx-commit=0',
    '--sync-binlog=0',
    '--innodb-buffer-pool-size=64M',
    '--skip-name-resolve',
    '--skip-slave-start',
    '--performance-schema=OFF',
    '--max-connections=500',
    ...INNODB,
  ]
  return spawnServer({
    name: `${opts.name}-${process.pid}`,
    command: findBinary('mariadbd'),
    args,
    user: undefined,
    logFile: join(run, 'stdout.log'),
    dir: data,
    stopSignal: 'SIGTERM',
    ready: () => mariaReady(mariaSocket(opts.labDir, opts.name)),
  })
}
