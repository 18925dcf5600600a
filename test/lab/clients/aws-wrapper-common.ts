import { createRequire } from 'node:module'
import { LabError } from '../errors.js'
import type { LabClientTarget } from './types.js'

/**
 * Why the AWS wrapper cannot run here, or undefined. Its `bg` plugin factory imports `@aws-sdk/rds-signer`
 * (IAM helpers), which the wrapper does not declare; without it every connect fails.
 */
export function awsWrapperUnavailable(): string | undefined {
  const require = createRequire(import.meta.url)
  for (const dep of ['@aws-sdk/rds-signer', '@aws-sdk/credential-providers']) {
    try {
      require.resolve(dep)
    } catch {
      return `aws-advanced-nodejs-wrapper's bg plugin needs ${dep}, which is not installed`
    }
  }
  return undefined
}

/** Throws at client load time, so the CLI fails with the reason instead of counting hundreds of failed ops. */
export function assertAwsWrapperUsable(): void {
  const reason = awsWrapperUnavailable()
  if (reason !== undefined) throw new LabError('UNKNOWN_CLIENT', reason)
}

/** The AWS wrapper's dialect for a lab target; set explicitly, since detection needs `rds.extensions` (spec E8). */
export function awsDialect(target: LabClientTarget): string {
  const aurora = target.names.topology === 'aurora'
  if (target.engine === 'pg') return aurora ? 'aurora-pg' : 'rds-pg'
  return aurora ? 'aurora-mysql' : 'rds-mysql'
}

/** Wrapper settings shared by both engines: the bg plugin, with intervals short enough for lab timelines. */
export function awsWrapperConfig(target: LabClientTarget): Record<string, unknown> {
  if (target.lookup !== undefined) {
    // The wrapper resolves host names itself (IP collection) with dns.lookup; only the system resolver mode works.
    throw new LabError(
      'BAD_OPTION',
      'aws-wrapper clients need the system resolver (run under with-lab-dns.mjs)',
    )
  }
  return {
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: target.database,
    plugins: 'bg',
    dialect: awsDialect(target),
    bgBaselineMs: 1000,
    bgIncreasedMs: 500,
    bgHighMs: 100,
    bgConnectTimeoutMs: 10_000,
    wrapperQueryTimeout: 5000,
  }
}

/** Runs a promise but gives up after `ms` (the wrapper's end() may wait on monitors). */
export async function settle(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  await Promise.race([
    p.catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms)
      timer.unref()
    }),
  ])
  clearTimeout(timer)
}
