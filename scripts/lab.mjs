#!/usr/bin/env node
// `npm run lab -- --engine pg --preset default --client plain-pg [--json]`: one switchover with a workload.
// Re-runs the TypeScript CLI (test/lab/cli.ts, through tsx) under with-lab-dns.mjs so the drivers resolve the
// lab's AWS names with no configuration.
import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const args = [
  join(root, 'scripts', 'with-lab-dns.mjs'),
  process.execPath,
  '--import',
  'tsx',
  join(root, 'test', 'lab', 'cli.ts'),
  ...process.argv.slice(2),
]
const child = spawn(process.execPath, args, { stdio: 'inherit', cwd: root })
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig))
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)))
