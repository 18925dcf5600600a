import { spawn } from 'node:child_process'
import { performance } from 'node:perf_hooks'

/** A running `rds-bluegreen` child process (the source CLI through tsx, as `npx rds-bluegreen` runs the build). */
export interface CliProcess {
  /** stdout lines so far, each with the parent's `performance.now()` when it arrived. */
  readonly lines: { readonly text: string; readonly at: number }[]
  /** Resolves with the first stdout line matching `test` (rejects after `timeoutMs`). */
  waitFor(test: (line: string) => boolean, timeoutMs?: number): Promise<string>
  /** Resolves when the process exited: its code, stdout and stderr. */
  readonly done: Promise<{ readonly code: number | null; readonly stdout: string; readonly stderr: string }>
  kill(signal?: NodeJS.Signals): void
}

/**
 * Starts `node --import tsx cli/bin.ts ...args` with `env` added; killed after `killAfterMs` (a test must never
 * hang on it).
 *
 * @example
 * ```ts
 * const cli = startCli(['check', '--url', 'postgres://postgres@127.0.0.1/postgres', '--json'])
 * const { code, stdout } = await cli.done
 * ```
 */
export function startCli(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
  killAfterMs = 60_000,
): CliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/bin.ts', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const lines: { text: string; at: number }[] = []
  const waiters = new Set<() => void>()
  let stdout = ''
  let stderr = ''
  let partial = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
    partial += chunk
    const parts = partial.split('\n')
    partial = parts.pop() ?? ''
    const at = performance.now()
    for (const text of parts) lines.push({ text, at })
    for (const wake of [...waiters]) wake()
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs)
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(killer)
      for (const wake of [...waiters]) wake()
      resolve({ code, stdout, stderr })
    }),
  )
  let exited = false
  void done.then(() => (exited = true))
  return {
    lines,
    done,
    kill: (signal = 'SIGTERM') => child.kill(signal),
    waitFor: (test, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        const look = (): void => {
          const hit = lines.find((line) => test(line.text))
          if (hit !== undefined) finish(() => resolve(hit.text))
          else if (exited) finish(() => reject(new Error(`CLI exited first; stderr: ${stderr}`)))
        }
        const timer = setTimeout(
          () => finish(() => reject(new Error(`no matching line in ${timeoutMs} ms; stdout: ${stdout}`))),
          timeoutMs,
        )
        const finish = (then: () => void): void => {
          clearTimeout(timer)
          waiters.delete(look)
          then()
        }
        waiters.add(look)
        look()
      }),
  }
}
