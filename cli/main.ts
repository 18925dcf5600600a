import { LIBRARY_VERSION } from '../core/metadata/queries.js'
import type { Logger } from '../core/runtime.js'
import { USAGE, UsageError, parseCliArgs } from './args.js'
import { runCheck } from './check.js'
import type { CliStreams } from './output.js'
import { Printer, errorText } from './output.js'
import { DriverMissingError, openTarget } from './target.js'
import { runWatch } from './watch.js'

/**
 * The `rds-bluegreen` command: parses the command line, builds the target and runs `check` or `watch`.
 * Resolves with the exit code; never throws (an unexpected error is printed, redacted, with code 2).
 *
 * @example
 * ```ts
 * process.exitCode = await main(process.argv.slice(2), process.env, process)
 * ```
 */
export async function main(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  streams: CliStreams,
): Promise<number> {
  const out = new Printer(streams)
  try {
    const args = parseCliArgs(argv)
    if (args.command === 'help') {
      out.line(USAGE)
      return 0
    }
    if (args.command === 'version') {
      out.line(LIBRARY_VERSION)
      return 0
    }
    if (args.passwordEnv !== undefined) out.addSecrets([env[args.passwordEnv] ?? ''])
    // Option warnings (values outside the documented ranges) go to stderr; nothing else of the library's logs.
    const logger: Logger = {
      debug: () => undefined,
      info: () => undefined,
      warn: (message) => out.error(`warning: ${message}`),
      error: (message) => out.error(`error: ${message}`),
    }
    const target = await openTarget(args, env, logger)
    out.addSecrets(target.secrets)
    return args.command === 'check' ? await runCheck(args, target, out) : await runWatch(args, target, out)
  } catch (err) {
    if (err instanceof UsageError) {
      out.error(`rds-bluegreen: ${err.message} (rds-bluegreen --help shows the usage)`)
      return 2
    }
    if (err instanceof DriverMissingError) {
      out.error(`rds-bluegreen: ${err.message}`)
      return 2
    }
    out.error(`rds-bluegreen: unexpected error: ${errorText(err)}`)
    return 2
  }
}
