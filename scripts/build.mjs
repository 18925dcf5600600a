// Builds two module formats from one source: ESM (dist/esm) and CommonJS (dist/cjs), each with declarations.
// Two tsc runs keep the toolchain to TypeScript itself; a nested package.json marks dist/cjs as CommonJS.
import { execFileSync } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'

const tsc = (args) =>
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', ...args], { stdio: 'inherit' })

rmSync('dist', { recursive: true, force: true })
tsc(['-p', 'tsconfig.build.json'])
tsc([
  '-p',
  'tsconfig.build.json',
  '--module',
  'commonjs',
  '--moduleResolution',
  'node10',
  '--outDir',
  'dist/cjs',
])
mkdirSync('dist/cjs', { recursive: true })
writeFileSync('dist/cjs/package.json', JSON.stringify({ type: 'commonjs' }) + '\n')
writeFileSync('dist/esm/package.json', JSON.stringify({ type: 'module' }) + '\n')
