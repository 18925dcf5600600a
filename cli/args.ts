import { parseArgs } from 'node:util'

/**
 * The command line of `rds-bluegreen`: `node:util`'s `parseArgs`, strict, with errors that name the option. No
 * secret is ever taken from an argument (it would show in `ps` and shell history): passwords come from the URL
 * or from an environment variable named by `--password-env`.
 */

/** Which engine the target runs, as the drivers name it. */
export type CliEngine = 'pg' | 'mysql'

/** A parsed, validated command line. */
export interface CliArgs {
  readonly command: 'check' | 'watch' | 'help' | 'version'
  readonly url: string | undefined
  readonly engine: CliEngine | undefined
  readonly host: string | undefined
  readonly port: number | undefined
  readonly user: string | undefined
  readonly database: string | undefined
  /** The name of the environment variable that holds the password (never the password). */
  readonly passwordEnv: string | undefined
  readonly bgdId: string | undefined
  readonly json: boolean
  readonly ssl: boolean
  readonly sslCa: string | undefined
  /** `check`: longest wait for a verdict; `watch`: end after this long. Milliseconds. */
  readonly timeoutMs: number | undefined
  /** `watch --until completed`: end once the switchover summary is out. */
  readonly untilCompleted: boolean
  /** Blue/Green options (`--option bgHighMs=50`), as the library's `bg*` keys. */
  readonly options: Readonly<Record<string, string>>
}

/** A bad command line: the message names the option; exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

/** `--help`. */
export const USAGE = `Usage:
  rds-bluegreen check --url <postgres://...|mysql://...> [options]
  rds-bluegreen watch --url <postgres://...|mysql://...> [--until completed] [--timeout 30m] [options]

check   connects as the library's monitors do and prints one verdict: armed (every blue host with its green
        counterpart and the IPs the library would dial) or not armed, with the reason and the exact fix.
        Exit 0 armed, 1 not armed, 2 cannot connect or bad usage.
watch   follows the deployment as the library does: each phase with its offset from IN_PROGRESS, the DNS
        events, and the library's switchover summary. Ctrl-C ends it (exit 0); --until completed ends it after
        the summary (exit 0 completed, 1 rolled back); --timeout ends it (exit 3 if --until was not reached).

Connection (run it from where the application runs: it resolves names as the application does):
  --url URL              postgres://user@host:port/db or mysql://user@host:port/db (a password in the URL
                         works but shows in ps and shell history; prefer --password-env); Blue/Green options
                         may be query parameters, as in the application (?bgdId=orders&bgHighMs=50)
  --engine pg|mysql      with --host instead of --url
  --host, --port, --user, --database
  --password-env VAR     read the password from environment variable VAR (never from an argument)
  --ssl                  require TLS (verified against the system CAs, or --ssl-ca FILE)
  --ssl-ca FILE          CA bundle for TLS (e.g. the RDS global bundle)

Options:
  --bgd-id ID            the deployment id (default "1", or bgdId in the URL)
  --option KEY=VALUE     a Blue/Green option (bgHighMs=50, bgIncreasedMs=500, ...); repeatable
  --json                 check: one JSON object; watch: one JSON object per event
  --timeout DURATION     check: longest wait for a verdict (default 15s); watch: end after this long
                         (500ms, 90s, 30m, 2h; a bare number is seconds)
  --until completed      watch: end once the switchover completed or rolled back
  --help, --version`

const OPTIONS = {
  url: { type: 'string' },
  engine: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  user: { type: 'string' },
  database: { type: 'string' },
  'password-env': { type: 'string' },
  'bgd-id': { type: 'string' },
  option: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  ssl: { type: 'boolean' },
  'ssl-ca': { type: 'string' },
  timeout: { type: 'string' },
  until: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const

/**
 * Parses `argv` (without `node` and the script).
 *
 * @throws {UsageError} naming the option.
 * @example
 * ```ts
 * parseCliArgs(['check', '--url', 'postgres://app@db:5432/app', '--json']).command // 'check'
 * ```
 */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  let parsed
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true })
  } catch (err) {
    // parseArgs names the option; it never echoes a value, so no secret can leak through here.
    throw new UsageError(err instanceof Error ? err.message : String(err))
  }
  const { values, positionals } = parsed
  const command = values.version === true ? 'version' : values.help === true ? 'help' : positionals[0]
  if (command !== 'check' && command !== 'watch' && command !== 'help' && command !== 'version') {
    throw new UsageError(
      command === undefined ? 'a command is needed: check or watch' : `unknown command '${command}'`,
    )
  }
  if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1] ?? ''}'`)
  const engine = values.engine
  if (engine !== undefined && engine !== 'pg' && engine !== 'mysql') {
    throw new UsageError(`--engine must be pg or mysql, got '${engine}'`)
  }
  if (values.until !== undefined && values.until !== 'completed') {
    throw new UsageError(`--until takes 'completed', got '${values.until}'`)
  }
  const args: CliArgs = {
    command,
    url: values.url,
    engine,
    host: values.host,
    port: values.port === undefined ? undefined : parsePort(values.port),
    user: values.user,
    database: values.database,
    passwordEnv: values['password-env'],
    bgdId: values['bgd-id'],
    json: values.json === true,
    ssl: values.ssl === true,
    sslCa: values['ssl-ca'],
    timeoutMs: values.timeout === undefined ? undefined : parseDuration(values.timeout, '--timeout'),
    untilCompleted: values.until === 'completed',
    options: parseOptionPairs(values.option ?? []),
  }
  if (command === 'check' || command === 'watch') requireTarget(args)
  return args
}

function requireTarget(args: CliArgs): void {
  if (args.url === undefined && args.host === undefined) throw new UsageError('--url or --host is needed')
  if (args.url === undefined && args.engine === undefined)
    throw new UsageError('--engine is needed with --host')
  if (args.passwordEnv !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(args.passwordEnv)) {
    throw new UsageError('--password-env takes the name of an environment variable')
  }
}

function parsePort(text: string): number {
  const port = Number(text)
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new UsageError(`--port must be 1..65535, got '${text}'`)
  }
  return port
}

/**
 * `500ms`, `90s`, `30m`, `2h`, or a bare number of seconds, in milliseconds.
 *
 * @throws {UsageError} naming `option`.
 * @example
 * ```ts
 * parseDuration('90s', '--timeout') // 90000
 * ```
 */
export function parseDuration(text: string, option: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim())
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }
  if (match === null)
    throw new UsageError(`${option} takes a duration like 500ms, 90s, 30m or 2h, got '${text}'`)
  const ms = Number(match[1]) * unit[(match[2] ?? 's') as keyof typeof unit]
  if (!(ms > 0)) throw new UsageError(`${option} must be positive`)
  return ms
}

function parseOptionPairs(pairs: readonly string[]): Record<string, string> {
  const options: Record<string, string> = {}
  for (const pair of pairs) {
    const at = pair.indexOf('=')
    const key = at < 0 ? '' : pair.slice(0, at).trim()
    if (!/^bg[A-Za-z]+$/.test(key)) {
      throw new UsageError(
        `--option takes KEY=VALUE with a Blue/Green key such as bgHighMs=50, got '${pair}'`,
      )
    }
    options[key] = pair.slice(at + 1).trim()
  }
  return options
}
