import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Everything the lab writes lives under this folder (templates, per-lab data, pidfiles, slot locks). */
export function labRoot(): string {
  return join(process.env['TMPDIR'] ?? tmpdir(), 'rds-bluegreen-lab')
}

/** uid/gid of a system user, or undefined when it does not exist. */
export interface SystemUser {
  readonly uid: number
  readonly gid: number
}

/**
 * Looks a user up in /etc/passwd. Servers run as `postgres` / `mysql` only when we are root; otherwise they
 * run as ourselves (postgres refuses uid 0, which is why root must drop privileges).
 */
export function systemUser(name: string): SystemUser | undefined {
  if (process.getuid?.() !== 0) return undefined
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`))
  const parts = line?.split(':')
  if (parts === undefined || parts.length < 4) return undefined
  return { uid: Number(parts[2]), gid: Number(parts[3]) }
}
