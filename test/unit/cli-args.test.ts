import { describe, expect, it } from 'vitest'
import { UsageError, parseCliArgs, parseDuration } from '../../cli/args.js'
import { Printer, describePolling, describeTopology } from '../../cli/output.js'
import { resolveOptions } from '../../core/options.js'

function capture(secrets: string[] = []): { out: Printer; text: () => string } {
  let text = ''
  const sink = { write: (chunk: string) => ((text += chunk), true) } as unknown as NodeJS.WritableStream
  return { out: new Printer({ stdout: sink, stderr: sink }, secrets), text: () => text }
}

describe('rds-bluegreen command line', () => {
  it('parses check and watch with their options', () => {
    const args = parseCliArgs([
      'watch',
      '--url',
      'postgres://app@db.example:5432/app',
      '--password-env',
      'APP_PW',
      '--until',
      'completed',
      '--timeout',
      '30m',
      '--option',
      'bgHighMs=50',
      '--json',
    ])
    expect(args).toMatchObject({
      command: 'watch',
      passwordEnv: 'APP_PW',
      untilCompleted: true,
      timeoutMs: 1_800_000,
      options: { bgHighMs: '50' },
      json: true,
    })
  })

  it.each([
    [[], 'a command is needed: check or watch'],
    [['check'], '--url or --host is needed'],
    [['check', '--host', 'db'], '--engine is needed with --host'],
    [['check', '--url', 'x', '--engine', 'oracle'], "--engine must be pg or mysql, got 'oracle'"],
    [['watch', '--url', 'x', '--until', 'later'], "--until takes 'completed', got 'later'"],
    [
      ['check', '--url', 'x', '--password-env', 'not a name'],
      '--password-env takes the name of an environment variable',
    ],
    [['check', '--url', 'x', '--option', 'host=evil'], '--option takes KEY=VALUE with a Blue/Green key'],
    [['check', '--url', 'x', '--password', 'secret'], "Unknown option '--password'"],
  ])('%j is refused: %s', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(UsageError)
    expect(() => parseCliArgs(argv)).toThrow(message)
  })

  it.each([
    ['500ms', 500],
    ['90s', 90_000],
    ['30m', 1_800_000],
    ['2h', 7_200_000],
    ['15', 15_000],
  ])('duration %s is %d ms', (text, ms) => {
    expect(parseDuration(text, '--timeout')).toBe(ms)
  })

  it('redacts the password in every form, and any URL userinfo; short secrets are not substituted', () => {
    const { out, text } = capture(['p@ss w0rd', 'p%40ss%20w0rd', 'x'])
    out.line('failed for postgres://app:p%40ss%20w0rd@db:5432/app with p@ss w0rd; fix it')
    out.line('mysql://root:other@host/db')
    expect(text()).toBe(
      'failed for postgres://app:***@db:5432/app with ***; fix it\nmysql://root:***@host/db\n',
    )
  })

  it('describes topology from the endpoint name and polling from the options', () => {
    expect(describeTopology('mydb.cluster-ro-c9akciq32.us-east-1.rds.amazonaws.com', undefined)).toBe(
      'Aurora cluster (reader cluster endpoint)',
    )
    expect(describeTopology('mydb.c9akciq32.us-east-1.rds.amazonaws.com', undefined)).toBe('RDS instance')
    expect(
      describePolling(
        resolveOptions({ bgIncreasedMs: 500 }, () => undefined),
        'CREATED',
      ),
    ).toBe('every 500 ms now, every 100 ms during a switchover')
  })
})
