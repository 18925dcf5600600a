import type { ServerFacts } from '../core/metadata/diagnosis.js'
import { isNetworkError } from '../core/metadata/errors.js'
import { describeError } from '../core/monitor/monitor-health.js'
import type { CliTarget } from './target.js'

/** The target cannot be reached or refuses the user; exit code 2. The message never carries a secret. */
export class ConnectError extends Error {
  override readonly name = 'ConnectError'
  constructor(
    message: string,
    /** What to check, when the error says. */
    readonly fix: string | undefined,
  ) {
    super(message)
  }
}

/**
 * Opens one monitoring connection the way the monitors do (same source, same routed socket, names resolved by
 * the system resolver), asks the server to describe itself, and closes it. A failure is a {@link ConnectError}.
 *
 * @example
 * ```ts
 * const facts = await probeServer(target, 10_000) // { engine: 'postgresql', version: '15.4', user: 'app' }
 * ```
 */
export async function probeServer(target: CliTarget, timeoutMs: number): Promise<ServerFacts | undefined> {
  const { host, port } = target.target
  const attempt = new AbortController()
  // Ref'd: while the CLI waits for this connect nothing else keeps the process alive (monitor sockets are unref'd).
  const timer = setTimeout(() => attempt.abort(), timeoutMs)
  let connection
  try {
    connection = await target.source.connect({
      host,
      port,
      address: host,
      connectTimeoutMs: timeoutMs,
      signal: attempt.signal,
    })
  } catch (err) {
    const what = attempt.signal.aborted ? `no answer within ${timeoutMs} ms` : describeError(err)
    throw new ConnectError(`${host}:${port}: ${what}`, hintFor(err, attempt.signal.aborted))
  } finally {
    clearTimeout(timer)
  }
  try {
    return await connection.describeServer?.()
  } finally {
    await connection.close()
  }
}

function hintFor(err: unknown, timedOut: boolean): string | undefined {
  if (timedOut || isNetworkError(err)) {
    return 'check the host name resolves here and the port is reachable from here (security groups, network ACLs, VPN)'
  }
  return 'check the user, the password (--password-env or the URL), the database name and TLS (--ssl, --ssl-ca)'
}
