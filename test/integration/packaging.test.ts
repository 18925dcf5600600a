import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'

/** These tests load the built package (dist/), as an application would, in fresh Node processes. */
beforeAll(() => {
  if (!existsSync('dist/esm/core/index.js') || !existsSync('dist/cjs/core/index.js')) {
    execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' })
  }
}, 120_000)

function node(args: string[]): string {
  return execFileSync(process.execPath, args, { encoding: 'utf8', timeout: 30_000 })
}

describe('package', () => {
  it('loads with require() and import() from the package root', () => {
    expect(node(['-e', "console.log(typeof require('rds-bluegreen').getStatus)"]).trim()).toBe('function')
    expect(
      node(['-e', "console.log(typeof require('rds-bluegreen/internal').acquireDeployment)"]).trim(),
    ).toBe('function')
    expect(
      node([
        '--input-type=module',
        '-e',
        "const m = await import('rds-bluegreen'); console.log(typeof m.getStatus)",
      ]).trim(),
    ).toBe('function')
  })

  it('an ESM copy and a CommonJS copy share one registry: one coordinator per deployment per process', () => {
    const script = `
      import { createRequire } from 'node:module'
      const esm = await import('rds-bluegreen/internal')
      const cjs = createRequire(process.cwd() + '/')('rds-bluegreen/internal')
      const root = await import('rds-bluegreen')
      if (esm.acquireDeployment === cjs.acquireDeployment) throw new Error('expected two module copies')
      let connects = 0
      const source = { name: 'count', connect: () => { connects++; return new Promise(() => {}) } }
      const init = (copy) => ({
        options: copy.resolveOptions({ bgdId: 'shared' }),
        source,
        initialHost: { host: 'localhost', port: 1 },
        resolver: { resolve: async () => '127.0.0.1' },
        logger: copy.silentLogger,
      })
      const a = esm.acquireDeployment(init(esm))
      const b = cjs.acquireDeployment(init(cjs))
      await new Promise((r) => setTimeout(r, 200))
      const err = new cjs.BlueGreenConnectRejectedError({})
      console.log(JSON.stringify({
        esmCount: esm.activeDeployments(),
        cjsCount: cjs.activeDeployments(),
        sameSnapshot: a.snapshot() === b.snapshot() && root.getStatus('shared') === cjs.getStatus('shared'),
        connects,
        crossRealmError: root.isBlueGreenError(err),
      }))
      await a.release(); await b.release()
      console.log(JSON.stringify({ after: esm.activeDeployments() }))
    `
    const [first, second] = node(['--input-type=module', '-e', script]).trim().split('\n')
    expect(JSON.parse(first ?? '')).toEqual({
      esmCount: 1,
      cjsCount: 1,
      sameSnapshot: true,
      connects: 2,
      crossRealmError: true,
    })
    expect(JSON.parse(second ?? '')).toEqual({ after: 0 })
  })

  it('the bin runs from the build, and rds-bluegreen/otel loads with require() and import()', () => {
    const pkg = JSON.parse(node(['-e', "process.stdout.write(JSON.stringify(require('./package.json')))"]))
    expect(pkg.bin).toEqual({ 'rds-bluegreen': 'dist/esm/cli/bin.js' })
    expect(node([pkg.bin['rds-bluegreen'], '--version']).trim()).toBe(pkg.version)
    expect(
      node(['-e', "console.log(typeof require('rds-bluegreen/otel').registerBlueGreenMetrics)"]).trim(),
    ).toBe('function')
    const esm = "const m = await import('rds-bluegreen/otel'); console.log(typeof m.registerBlueGreenMetrics)"
    expect(node(['--input-type=module', '-e', esm]).trim()).toBe('function')
  })

  it('rds-bluegreen/redis loads with require() and import(), without redis installed (it only takes a client)', () => {
    const hide = `
      const Module = require('node:module')
      const original = Module._resolveFilename
      Module._resolveFilename = function (request, ...rest) {
        if (request === 'redis' || request.startsWith('@redis/')) throw new Error('peer not installed: ' + request)
        return original.call(this, request, ...rest)
      }
    `
    expect(
      node(['-e', `${hide}; console.log(typeof require('rds-bluegreen/redis').redisStatusChannel)`]).trim(),
    ).toBe('function')
    const esm = "const m = await import('rds-bluegreen/redis'); console.log(typeof m.redisStatusChannel)"
    expect(node(['--input-type=module', '-e', esm]).trim()).toBe('function')
  })

  it('the root and internal entries load without pg, mysql2, @opentelemetry/api or redis (they are optional peers)', () => {
    const out = node([
      '-e',
      `
      const Module = require('node:module')
      const original = Module._resolveFilename
      Module._resolveFilename = function (request, ...rest) {
        if (request === 'pg' || request === 'mysql2' || request.startsWith('mysql2/') || request.startsWith('@opentelemetry/') || request === 'redis' || request.startsWith('@redis/')) throw new Error('peer not installed: ' + request)
        return original.call(this, request, ...rest)
      }
      console.log(Object.keys(require('rds-bluegreen')).length > 10 && Object.keys(require('rds-bluegreen/internal')).length > 50)
    `,
    ])
    expect(out.trim()).toBe('true')
  })
})
