import { describe, expect, it, onTestFailed } from 'vitest'
import { formatSwitchoverSummary } from '../../core/summary-log.js'
import { startCli } from '../helpers/cli-process.js'
import { resolverMode } from './lab-lookup.js'
import { startLab, type Lab } from './start-lab.js'

/**
 * `rds-bluegreen watch` as a child process through a lab switchover (fast preset). The CLI resolves names with the
 * system resolver, as an application does: inside `scripts/with-lab-dns.mjs` (system mode) the lab DNS answers
 * it. In inject mode (no mount namespace: not root) a child process cannot be pointed at the lab DNS, so the
 * test is skipped there.
 *
 * The lab keeps stale DNS answers for 500 ms after each change in the fast preset; the test sets that window to
 * 0, because the library (correctly) sees "Blue DNS updated" only when DNS answers the new address, which would
 * put the CLI 500 ms behind the lab's own log by design.
 */
const OPTIONS = ['--option', 'bgBaselineMs=200', '--option', 'bgIncreasedMs=100', '--option', 'bgHighMs=50']
const COMPARED = ['PREPARATION', 'IN_PROGRESS', 'POST', 'Blue DNS updated', 'COMPLETED'] as const

interface Event {
  readonly event: string
  readonly phase?: string
  readonly name?: string
  readonly armed?: boolean
  readonly elapsedMs: number
  readonly offsetMs?: number | null
  readonly text?: string
  readonly exitCode?: number
}

/** `rds-bluegreen watch --json --until completed` on the lab's blue writer, the password from the environment. */
function watchUntilCompleted(lab: Lab, engine: 'pg' | 'mysql'): ReturnType<typeof startCli> {
  const scheme = engine === 'pg' ? 'postgres' : 'mysql'
  const url = `${scheme}://${lab.app.user}@${lab.names.blue.writer}:${lab.port}/${lab.app.database}`
  const args = ['watch', '--url', url, '--password-env', 'LAB_PW', '--json', '--until', 'completed']
  return startCli([...args, '--timeout', '45s', ...OPTIONS], { LAB_PW: lab.app.password })
}

describe.skipIf(resolverMode() !== 'system')('rds-bluegreen watch through a lab switchover', () => {
  for (const engine of ['pg', 'mysql'] as const) {
    it(`${engine}: every phase and DNS event within 200 ms of the lab's log, and the library's summary`, async () => {
      const lab = await startLab({ engine })
      try {
        const cli = watchUntilCompleted(lab, engine)
        await cli.waitFor((line) => line.includes('"event":"armed","armed":true'))
        const result = await lab.switchover({ preset: 'fast', timeline: { dnsStaleMs: 0 } })
        expect(result.outcome).toBe('completed')
        const { code, stdout, stderr } = await cli.done
        onTestFailed(() =>
          console.log(`cli ${code}\n${stdout}\n${stderr}\nlab ${JSON.stringify(lab.events())}`),
        )
        expect(stdout).not.toContain(lab.app.password)
        expect(stderr).not.toContain(lab.app.password)
        expect(code).toBe(0)
        const events = stdout
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as Event)
        const seen = events
          .filter((e) => e.event === 'phase' || e.event === 'dns')
          .map((e) => ({ name: e.phase ?? e.name ?? '', elapsedMs: e.elapsedMs, offsetMs: e.offsetMs }))
        const compared = seen.filter((e) => (COMPARED as readonly string[]).includes(e.name))
        expect(compared.map((e) => e.name)).toEqual([...COMPARED])

        // Offsets from IN_PROGRESS, the CLI's against the lab's own event log.
        const labAt = (name: string): number => lab.events().find((e) => e.event === name)?.t ?? NaN
        const cliAt = (name: string): number => compared.find((e) => e.name === name)?.elapsedMs ?? NaN
        const measured = COMPARED.map((name) => ({
          name,
          lab: Math.round(labAt(name) - labAt('IN_PROGRESS')),
          cli: Math.round(cliAt(name) - cliAt('IN_PROGRESS')),
        }))
        console.log(`watch offsets ${engine} ${JSON.stringify(measured)}`)
        for (const m of measured)
          expect(Math.abs(m.cli - m.lab), `${m.name} ${JSON.stringify(m)}`).toBeLessThanOrEqual(200)
        // The live offsets are the library's: IN_PROGRESS is 0 and later events count from it.
        // (elapsedMs is rounded to 0.1 ms, so the truncated difference may differ by 1 ms.)
        for (const e of compared.slice(1)) {
          expect(Math.abs((e.offsetMs ?? NaN) - (e.elapsedMs - cliAt('IN_PROGRESS')))).toBeLessThanOrEqual(1)
        }

        // The summary is the library's own text: rebuilt from its rows by formatSwitchoverSummary, it is identical.
        const summary = events.find((e) => e.event === 'summary')?.text ?? ''
        const rows = summary
          .split('\n')
          .map((line) => /^\s*(\S+Z)\s+(-?\d+) ms\s+(.+)$/.exec(line))
          .filter((m): m is RegExpExecArray => m !== null)
          .map((m) => ({ name: m[3] ?? '', wallMs: Date.parse(m[1] ?? ''), monoMs: Number(m[2]) }))
        expect(rows.map((r) => r.name)).toEqual(expect.arrayContaining([...COMPARED]))
        expect(formatSwitchoverSummary({ bgdId: '1', rollback: false, events: rows, zeroMonoMs: 0 })).toBe(
          summary,
        )
        // The live offsets are the summary's (PREPARATION's is not known live: it comes before IN_PROGRESS).
        for (const e of compared) {
          if (typeof e.offsetMs === 'number')
            expect(rows.find((r) => r.name === e.name)?.monoMs).toBe(e.offsetMs)
        }
        expect(events.at(-1)).toMatchObject({ event: 'end', reason: 'until', exitCode: 0 })
      } finally {
        await lab.stop()
      }
    })
  }

  it('pg, rolled back in IN_PROGRESS: --until completed ends after the ROLLED BACK summary with exit 1', async () => {
    const lab = await startLab({ engine: 'pg' })
    try {
      const cli = watchUntilCompleted(lab, 'pg')
      await cli.waitFor((line) => line.includes('"event":"armed","armed":true'))
      expect((await lab.switchover({ preset: 'fast', rollbackAt: 'IN_PROGRESS' })).outcome).toBe(
        'rolled-back',
      )
      const { code, stdout, stderr } = await cli.done
      onTestFailed(() =>
        console.log(`cli ${code}\n${stdout}\n${stderr}\nlab ${JSON.stringify(lab.events())}`),
      )
      expect(code).toBe(1)
      const events = stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Event)
      expect(events.find((e) => e.event === 'summary')?.text).toMatch(
        /Blue\/Green Deployment Switchover ROLLED BACK\n/,
      )
      expect(events.some((e) => e.event === 'phase' && e.phase === 'IN_PROGRESS')).toBe(true)
      expect(events.at(-1)).toMatchObject({ event: 'end', reason: 'until', exitCode: 1 })
    } finally {
      await lab.stop()
    }
  })
})
