import { readFileSync } from 'node:fs'
import type { MetadataSource } from '../core/metadata/source.js'
import type { ResolvedOptions } from '../core/options.js'
import type { Logger } from '../core/runtime.js'
import type { ConnectTarget } from '../core/types.js'
import { splitDriverConfig } from '../integrations/shared/driver-config.js'
import type { CliArgs, CliEngine } from './args.js'
import { UsageError } from './args.js'

/**
 * What the CLI connects to, built the way an application's driver config is: a URL (with Blue/Green options as
 * query parameters) or host/user/database, the password from the URL or an environment variable, and the
 * library's own metadata source for the engine, loaded only now so that the CLI needs just the driver the
 * application already has.
 */

/** The engine, the target, the validated options, and the metadata source the monitors use. */
export interface CliTarget {
  readonly engine: CliEngine
  readonly target: ConnectTarget
  readonly user: string | undefined
  readonly options: ResolvedOptions
  readonly source: MetadataSource
  /** Every form of the password, for redaction of whatever is printed. */
  readonly secrets: readonly string[]
}

/** The driver the engine needs is not installed where the CLI runs; exit code 2. */
export class DriverMissingError extends Error {
  override readonly name = 'DriverMissingError'
  constructor(readonly driver: string) {
    super(
      `the ${driver} driver is not installed here: the CLI uses your application's driver (npm install ${driver}), ` +
        'run it from the application folder or install it next to rds-bluegreen',
    )
  }
}

/**
 * Builds the target from the command line and `env` (the password variable).
 *
 * @throws {UsageError} for a bad URL, a missing password variable or an invalid Blue/Green option.
 * @throws {DriverMissingError} when `pg` / `mysql2` cannot be loaded.
 * @example
 * ```ts
 * const { source, target, options } = await openTarget(args, process.env, logger)
 * ```
 */
export async function openTarget(
  args: CliArgs,
  env: Readonly<Record<string, string | undefined>>,
  logger: Logger,
): Promise<CliTarget> {
  const url = targetUrl(args, env)
  const engine: CliEngine = url.protocol === 'mysql:' ? 'mysql' : 'pg'
  const password = decodeURIComponent(url.password)
  const secrets = password === '' ? [] : [password, url.password, encodeURIComponent(password)]
  const blueGreen: Record<string, unknown> = { ...args.options, logger }
  if (args.bgdId !== undefined) blueGreen['bgdId'] = args.bgdId
  const ssl = tlsOptions(args)
  const config = {
    ...(engine === 'pg' ? { connectionString: url.toString() } : { uri: url.toString() }),
    ...(ssl === undefined ? {} : { ssl }),
    blueGreen,
  }
  let split
  try {
    split = splitDriverConfig(config)
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err))
  }
  const driverConfig = split.driverConfig as Readonly<Record<string, unknown>>
  const monitoring = split.options.monitoring
  const user = url.username === '' ? undefined : decodeURIComponent(url.username)
  if (engine === 'pg') {
    const [{ pgMetadataSource }, { pgTarget }] = await load('pg', () =>
      Promise.all([import('../integrations/pg/metadata-source.js'), import('../integrations/pg/config.js')]),
    )
    const source = pgMetadataSource(driverConfig, monitoring)
    return { engine, target: pgTarget(driverConfig), user, options: split.options, source, secrets }
  }
  const [{ mysqlMetadataSource }, { mysqlTarget }] = await load('mysql2', () =>
    Promise.all([
      import('../integrations/mysql2/metadata-source.js'),
      import('../integrations/mysql2/config.js'),
    ]),
  )
  const source = mysqlMetadataSource(driverConfig, monitoring)
  return { engine, target: mysqlTarget(driverConfig), user, options: split.options, source, secrets }
}

/** The connection URL with the password from `--password-env` put in (and redacted from every output). */
function targetUrl(args: CliArgs, env: Readonly<Record<string, string | undefined>>): URL {
  let url: URL
  if (args.url !== undefined) {
    try {
      url = new URL(args.url)
    } catch {
      // Never echo the URL: it may carry a password.
      throw new UsageError(
        '--url is not a valid URL (postgres://user@host:5432/db or mysql://user@host:3306/db)',
      )
    }
  } else {
    url = new URL(args.engine === 'mysql' ? 'mysql://localhost' : 'postgres://localhost')
    url.hostname = args.host ?? 'localhost'
  }
  const scheme = url.protocol.replace(/:$/, '')
  if (!['postgres', 'postgresql', 'mysql', 'mariadb'].includes(scheme)) {
    throw new UsageError(`--url scheme '${scheme}' is not postgres, postgresql, mysql or mariadb`)
  }
  if (scheme === 'mariadb') url = new URL(`mysql:${url.href.slice(url.protocol.length)}`)
  const engine = url.protocol === 'mysql:' ? 'mysql' : 'pg'
  if (args.url !== undefined && args.engine !== undefined && args.engine !== engine) {
    throw new UsageError(`--engine ${args.engine} contradicts the URL's scheme '${scheme}'`)
  }
  if (args.host !== undefined) url.hostname = args.host
  if (args.port !== undefined) url.port = String(args.port)
  if (args.user !== undefined) url.username = encodeURIComponent(args.user)
  if (args.database !== undefined) url.pathname = `/${encodeURIComponent(args.database)}`
  if (args.passwordEnv !== undefined) {
    const password = env[args.passwordEnv]
    if (password === undefined) throw new UsageError(`environment variable ${args.passwordEnv} is not set`)
    url.password = encodeURIComponent(password)
  }
  return url
}

function tlsOptions(args: CliArgs): Record<string, unknown> | undefined {
  if (!args.ssl && args.sslCa === undefined) return undefined
  if (args.sslCa === undefined) return { rejectUnauthorized: true }
  try {
    return { ca: readFileSync(args.sslCa, 'utf8'), rejectUnauthorized: true }
  } catch (err) {
    const code = (err as { code?: unknown }).code
    throw new UsageError(
      `--ssl-ca ${args.sslCa} cannot be read (${typeof code === 'string' ? code : 'error'})`,
    )
  }
}

/** Imports a driver-backed module; a missing driver becomes {@link DriverMissingError}. */
async function load<T>(driver: string, importer: () => Promise<T>): Promise<T> {
  try {
    return await importer()
  } catch (err) {
    const { code, message } = err as { code?: unknown; message?: unknown }
    const missing = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND'
    if (missing && typeof message === 'string' && message.includes(`'${driver}'`))
      throw new DriverMissingError(driver)
    throw err
  }
}
