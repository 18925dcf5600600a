#!/usr/bin/env node
// Runs a TypeScript entry point of the lab (through tsx) under with-lab-dns.mjs, so the drivers resolve the lab's
// AWS names with no configuration:
//   npm run lab -- --engine pg --preset default --client plain-pg [--json]   (test/lab/cli.ts)
//   npm run demo                                                             (examples/demo.ts)
import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const [entry, ...rest] = process.argv.slice(2)
if (entry === undefined) {
  console.error('usage: node scripts/run-in-lab.mjs <entry.ts> [args...]')
  process.exit(2)
}
const args = [
  join(root, 'scripts', 'with-lab-dns.mjs'),
  process.execPath,
  '--import',
  'tsx',
  join(root, entry),
  ...rest,
]
const child = spawn(process.execPath, args, { stdio: 'inherit', cwd: root })
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig))
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)))
