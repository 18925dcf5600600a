// `npm test`: type check, lint, build, then every vitest project. The lab project runs inside a private mount
// namespace whose /etc/resolv.conf points at the lab's DNS server (scripts/with-lab-dns.mjs). Ends with one
// plain "N passed, N failed" line summed over all projects.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const reports = mkdtempSync(join(tmpdir(), 'rds-bluegreen-test-'))
let failedSteps = 0

function run(title, command, args, env = process.env) {
  console.log(`\n=== ${title}: ${[command, ...args].join(' ')}`)
  const result = spawnSync(command, args, { stdio: 'inherit', env })
  if (result.status !== 0) {
    failedSteps++
    console.log(`=== ${title} FAILED (exit ${result.status ?? result.signal})`)
  }
  return result.status === 0
}

function vitest(project, wrapper = []) {
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
  run(`tests (${project})`, command, rest)
  return out
}

const skipLab = process.env.RDS_BG_SKIP_LAB === '1'
// The Prisma example imports its generated client; generation runs offline (no schema engine download).
run('prisma generate (example)', 'npx', ['prisma', 'generate', '--schema', 'examples/prisma/schema.prisma'], {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.execPath,
  CHECKPOINT_DISABLE: '1',
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
})
run('type check', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit'])
run('lint', 'npx', ['eslint', '.'])
run('format', 'npx', ['prettier', '--check', '.'])
run('build', 'node', ['scripts/build.mjs'])
const files = [vitest('unit'), vitest('integration')]
if (skipLab) console.log('\n=== lab tests skipped: RDS_BG_SKIP_LAB=1')
else files.push(vitest('lab', ['node', 'scripts/with-lab-dns.mjs']))

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
