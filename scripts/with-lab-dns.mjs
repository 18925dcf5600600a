#!/usr/bin/env node
// Runs a command so that every DNS lookup in it (getaddrinfo, c-ares) goes to the switchover lab's DNS server:
// inside a private mount namespace, a temporary resolv.conf is bind-mounted over /etc/resolv.conf. The host's
// files are never changed. The lab rewrites that file in place when it starts (its DNS address depends on the
// lab slot it gets), so the namespace can be created before any lab exists.
//
// Where unshare is not allowed (not root), the command runs unchanged with RDS_BG_LAB_RESOLVER=inject and the
// lab hands its clients an injected lookup instead.
//
//   node scripts/with-lab-dns.mjs npx vitest run --project lab
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const command = process.argv.slice(2)
if (command.length === 0) {
  console.error('usage: node scripts/with-lab-dns.mjs <command> [args...]')
  process.exit(2)
}

// Slot 0's DNS address; the lab points the file at its own slot when it starts (test/lab/address-plan.ts).
const SLOT0_DNS = '127.10.0.53'

function run(cmd, args, env, onExit) {
  const child = spawn(cmd, args, { stdio: 'inherit', env })
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig))
  child.on('exit', (code, signal) => {
    onExit?.()
    process.exit(code ?? (signal ? 128 : 1))
  })
}

const mode = process.env.RDS_BG_LAB_RESOLVER
const inside = mode === 'system' && process.env.RDS_BG_LAB_RESOLV_CONF
const canUnshare =
  !inside &&
  mode !== 'inject' &&
  process.getuid?.() === 0 &&
  spawnSync('unshare', ['-m', '--propagation', 'private', 'true'], { stdio: 'ignore' }).status === 0

if (inside) {
  run(command[0], command.slice(1), process.env)
} else if (!canUnshare) {
  if (mode !== 'inject')
    console.error('with-lab-dns: cannot unshare a mount namespace; using the injected lookup')
  run(command[0], command.slice(1), { ...process.env, RDS_BG_LAB_RESOLVER: 'inject' })
} else {
  const dir = join(process.env.TMPDIR ?? tmpdir(), 'rds-bluegreen-lab', 'resolv')
  mkdirSync(dir, { recursive: true })
  const file = join(dir, `resolv-${process.pid}.conf`)
  writeFileSync(file, `nameserver ${SLOT0_DNS}\noptions timeout:1 attempts:1\n`)
  const script = 'mount --bind "$0" /etc/resolv.conf && exec "$@"'
  run(
    'unshare',
    ['-m', '--propagation', 'private', 'sh', '-c', script, file, ...command],
    { ...process.env, RDS_BG_LAB_RESOLVER: 'system', RDS_BG_LAB_RESOLV_CONF: file },
    () => rmSync(file, { force: true }),
  )
}
