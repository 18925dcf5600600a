import { existsSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import { LabError } from './errors.js'
import { systemUser } from './lab-root.js'
import { spawnServer, type ServerProcess } from './server-process.js'
import { copyTemplate, ensureTemplate, ownedDir, runTool } from './templates.js'

/** The PostgreSQL bin folder: `RDS_BG_LAB_PG_BIN`, else the newest /usr/lib/postgresql/<n>/bin. */
export function pgBinDir(): string {
  const fromEnv = process.env['RDS_BG_LAB_PG_BIN']
  if (fromEnv !== undefined) return fromEnv
  const base = '/usr/lib/postgresql'
  const versions = existsSync(base)
    ? readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'postgres')))
    : []
  const newest = versions.sort((a, b) => Number(a) - Number(b)).pop()
  if (newest === undefined) throw new LabError('BINARY_MISSING', 'no PostgreSQL under /usr/lib/postgresql')
  return join(base, newest, 'bin')
}

// Superuser (lab admin, replication) is trusted on loopback; everyone else, including `app`, needs a password.
const HBA = `local all all trust
host all postgres 127.0.0.0/8 trust
host replication postgres 127.0.0.0/8 trust
host all all 127.0.0.0/8 scram-sha-256
`

async function pgTemplate(): Promise<string> {
  const bin = pgBinDir()
  const version = (await runTool(join(bin, 'postgres'), ['--version'])).trim()
  const user = systemUser('postgres')
  return ensureTemplate('pg', version, async (data, scratch) => {
    ownedDir(scratch, user)
    const args = ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8']
    await runTool(join(bin, 'initdb'), [...args, '--wal-segsize=1'], user)
    writeFileSync(join(data, 'pg_hba.conf'), HBA)
  })
}

export interface PgServerOptions {
  readonly name: string
  readonly labDir: string
  readonly ip: string
  readonly port: number
  /** Reported by `current_setting('lab.instance')`: which instance served a query. */
  readonly instance: string
}

/** Admin connection settings for a lab PG server (superuser over the private address). */
export function pgAdminConfig(ip: string, port: number): pg.ClientConfig {
  return { host: ip, port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 2000 }
}

async function pgReady(ip: string, port: number): Promise<void> {
  const c = new pg.Client(pgAdminConfig(ip, port))
  c.on('error', () => undefined)
  try {
    await c.connect()
    await c.query('SELECT 1')
  } finally {
    await c.end().catch(() => undefined)
  }
}

/**
 * Copies the cached template and starts one PostgreSQL server on a private loopback address, as the
 * `postgres` user, with logical replication enabled and a 10 ms WAL writer (apply lag ~10 ms instead of ~200).
 */
export async function startPgServer(opts: PgServerOptions): Promise<ServerProcess> {
  const template = await pgTemplate()
  const user = systemUser('postgres')
  const data = join(opts.labDir, opts.name)
  const sock = ownedDir(join(opts.labDir, `${opts.name}-run`), user)
  await copyTemplate(template, data)
  const settings: Record<string, string> = {
    listen_addresses: opts.ip,
    port: String(opts.port),
    unix_socket_directories: sock,
    wal_level: 'logical',
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    wal_writer_delay: '10ms',
    max_connections: '300',
    shared_buffers: '32MB',
    max_wal_senders: '10',
    max_replication_slots: '10',
    'lab.instance': opts.instance,
  }
  const args = ['-D', data, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])]
  return spawnServer({
    name: `${opts.name}-${process.pid}`,
    command: join(pgBinDir(), 'postgres'),
    args,
    user,
    logFile: join(sock, 'server.log'),
    dir: data,
    stopSignal: 'SIGINT',
    ready: () => pgReady(opts.ip, opts.port),
  })
}
