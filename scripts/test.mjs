// `npm test`: type check, lint, build, then every vitest project. The lab project runs inside a private mount
// namespace whose /etc/resolv.conf points at the lab's DNS server (scripts/with-lab-dns.mjs). Ends with one
// plain "N passed, N failed" line summed over all projects.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const reports = mkdtempSync(join(tmpdir(), 'rds-bluegreen-test-'))
let failedSteps = 0

// Each step runs in its own process group under a deadline: a test that blocks its worker's event loop (a
// synchronous spin no vitest timeout can interrupt) fails its step with a message instead of hanging CI.
const STEP_DEADLINE_MS = { lab: 30 * 60_000, integration: 12 * 60_000, default: 10 * 60_000 }

async function run(title, command, args, env = process.env, deadlineMs = STEP_DEADLINE_MS.default) {
  console.log(`\n=== ${title}: ${[command, ...args].join(' ')}`)
  const child = spawn(command, args, { stdio: 'inherit', env, detached: true })
  // The step's own group does not see a Ctrl-C or CI's SIGTERM: pass them on.
  const forward = (signal) => {
    try {
      process.kill(-child.pid, signal)
    } catch {
      // already gone
    }
  }
  process.on('SIGINT', forward).on('SIGTERM', forward)
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    console.log(`=== ${title}: no end after ${deadlineMs / 60_000} min, killing its process group`)
    try {
      process.kill(-child.pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }, deadlineMs)
  const status = await new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)))
  clearTimeout(timer)
  process.off('SIGINT', forward).off('SIGTERM', forward)
  if (status !== 0 || timedOut) {
    failedSteps++
    console.log(`=== ${title} FAILED (${timedOut ? 'deadline' : `exit ${status}`})`)
  }
  return status === 0 && !timedOut
}

async function vitest(project, wrapper = []) {
  const out = join(reports, `${project}.json`)
  const args = [
    'vitest',
    'run',
    '--project',
    project,
    '--passWithNoTests',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${out}`,
  ]
  const [command, ...rest] = [...wrapper, 'npx', ...args]
  await run(
    `tests (${project})`,
    command,
    rest,
    process.env,
    STEP_DEADLINE_MS[project] ?? STEP_DEADLINE_MS.default,
  )
  return out
}

const skipLab = process.env.RDS_BG_SKIP_LAB === '1'
// The Prisma example imports its generated client; generation runs offline (no schema engine download).
await run(
  'prisma generate (example)',
  'npx',
  ['prisma', 'generate', '--schema', 'examples/prisma/schema.prisma'],
  {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: process.execPath,
    CHECKPOINT_DISABLE: '1',
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
  },
)
await run('type check', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit'])
await run('lint', 'npx', ['eslint', '.'])
await run('format', 'npx', ['prettier', '--check', '.'])
await run('build', 'node', ['scripts/build.mjs'])
const files = [await vitest('unit'), await vitest('integration')]
if (skipLab) console.log('\n=== lab tests skipped: RDS_BG_SKIP_LAB=1')
else files.push(await vitest('lab', ['node', 'scripts/with-lab-dns.mjs']))

let passed = 0
let failed = 0
for (const file of files) {
  try {
    const report = JSON.parse(readFileSync(file, 'utf8'))
    passed += report.numPassedTests
    failed += report.numFailedTests
  } catch {
    failed++
    console.log(`no test report at ${file}`)
  }
}
rmSync(reports, { recursive: true, force: true })
if (failedSteps > 0) console.log(`${failedSteps} step(s) failed`)
console.log(`${passed} passed, ${failed} failed`)
process.exit(failedSteps > 0 || failed > 0 ? 1 : 0)
