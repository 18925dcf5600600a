import type { ServerFacts } from '../core/metadata/diagnosis.js'
import { describeError } from '../core/monitor/monitor-health.js'
import { parseRdsHost } from '../core/host-names.js'
import type { ResolvedOptions } from '../core/options.js'
import type { Phase } from '../core/types.js'

/**
 * Everything the CLI prints goes through one {@link Printer}, which removes the password in every form it was
 * given and any `user:password@` of a URL, so a server message or an error that echoes a connection string
 * never shows a secret.
 */

/** Where the CLI writes; a test or a pipe gets plain lines. */
export interface CliStreams {
  readonly stdout: NodeJS.WritableStream & { readonly isTTY?: boolean }
  readonly stderr: NodeJS.WritableStream
}

/**
 * Writes redacted lines.
 *
 * @example
 * ```ts
 * const out = new Printer(process, ['s3cret'])
 * out.line('password s3cret') // prints "password ***"
 * ```
 */
export class Printer {
  readonly #streams: CliStreams
  readonly #secrets: string[]

  constructor(streams: CliStreams, secrets: readonly string[] = []) {
    this.#streams = streams
    this.#secrets = []
    this.addSecrets(secrets)
  }

  /** Adds secrets learnt later (the password of the URL). */
  addSecrets(secrets: readonly string[]): void {
    // Shorter ones would mangle ordinary words ("fix" for a password "x") and protect nothing: never printed anyway.
    for (const secret of secrets) {
      if (secret.length >= 4 && !this.#secrets.includes(secret)) this.#secrets.push(secret)
    }
  }

  get isTTY(): boolean {
    return this.#streams.stdout.isTTY === true
  }

  /** One line on stdout. */
  line(text: string): void {
    this.#streams.stdout.write(`${this.redact(text)}\n`)
  }

  /** Raw text on stdout (the live status line), redacted. */
  raw(text: string): void {
    this.#streams.stdout.write(this.redact(text))
  }

  /** One JSON object per line. */
  json(value: unknown): void {
    this.line(JSON.stringify(value))
  }

  /** One line on stderr. */
  error(text: string): void {
    this.#streams.stderr.write(`${this.redact(text)}\n`)
  }

  redact(text: string): string {
    let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/[^/\s:@[\]]*):[^@\s/]*@/gi, '$1:***@')
    for (const secret of this.#secrets) out = out.split(secret).join('***')
    return out
  }
}

/**
 * `PostgreSQL 15.4 (RDS)`, `MariaDB 10.11.6`, `MySQL 8.0.36 (Aurora MySQL 3.07.1)`.
 *
 * @example
 * ```ts
 * describeEngine({ engine: 'postgresql', version: '15.4', flavor: 'rds' }) // 'PostgreSQL 15.4 (RDS)'
 * ```
 */
export function describeEngine(facts: ServerFacts | undefined): string {
  if (facts === undefined) return 'unknown'
  const mariadb = facts.version?.toLowerCase().includes('mariadb') === true
  const name = facts.engine === 'postgresql' ? 'PostgreSQL' : mariadb ? 'MariaDB' : 'MySQL'
  const version =
    facts.version === undefined ? '' : ` ${facts.version.replace(/-MariaDB.*$/i, '').split(' ')[0] ?? ''}`
  const flavor =
    facts.auroraVersion !== undefined
      ? ` (Aurora MySQL ${facts.auroraVersion})`
      : facts.flavor === 'aurora'
        ? ' (Aurora)'
        : facts.flavor === 'rds'
          ? ' (RDS)'
          : ' (not recognised as RDS or Aurora)'
  return `${name}${version}${flavor}`
}

/**
 * The deployment shape, from the server and the host name: `Aurora cluster`, `RDS instance`, or `unknown`.
 *
 * @example
 * ```ts
 * describeTopology('mydb.cluster-c9akciq32.us-east-1.rds.amazonaws.com', undefined) // 'Aurora cluster (writer cluster endpoint)'
 * ```
 */
export function describeTopology(host: string, facts: ServerFacts | undefined): string {
  const parsed = parseRdsHost(host)
  const endpoint: Readonly<Record<string, string>> = {
    'cluster-writer': 'writer cluster endpoint',
    'cluster-reader': 'reader cluster endpoint',
    'cluster-custom': 'custom cluster endpoint',
    proxy: 'RDS Proxy endpoint: not supported by Blue/Green',
    'shard-group': 'shard group endpoint',
  }
  if (parsed !== undefined && parsed.kind !== 'instance') return `Aurora cluster (${endpoint[parsed.kind]})`
  if (facts?.flavor === 'aurora') return 'Aurora cluster (instance endpoint)'
  if (parsed?.kind === 'instance' || facts?.flavor === 'rds') return 'RDS instance'
  return 'unknown (not an RDS endpoint name)'
}

/**
 * The polling the library uses in `phase`, and during a switchover.
 *
 * @example
 * ```ts
 * describePolling(options, 'CREATED') // 'every 1000 ms now, every 100 ms during a switchover'
 * ```
 */
export function describePolling(options: ResolvedOptions, phase: Phase): string {
  const now =
    phase === 'NOT_CREATED' || phase === 'COMPLETED'
      ? options.baselineMs
      : phase === 'CREATED'
        ? options.increasedMs
        : options.highMs
  return `every ${now} ms now, every ${options.highMs} ms during a switchover`
}

/** `ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:5432`: code and message, never a config. */
export function errorText(err: unknown): string {
  return describeError(err)
}

/** `12:00:01.234`, local time, for event lines. */
export function clockTime(wallMs: number): string {
  const d = new Date(wallMs)
  const two = (n: number): string => String(n).padStart(2, '0')
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`
}
