import { describe, expect, it } from 'vitest'
import { startCli } from '../helpers/cli-process.js'
import { resolverMode } from './lab-lookup.js'
import { startLab } from './start-lab.js'
import type { Lab } from './start-lab.js'

/**
 * `rds-bluegreen check` against lab deployments: armed, with every blue host, its green counterpart and the IPs
 * the library would dial. Names resolve through the system resolver (see cli-watch.test.ts for why the test is
 * skipped in inject mode).
 */
function expectedPairs(lab: Lab): { blue: string; blueIp: string; green: string; greenIp: string }[] {
  const { blue, green } = lab.names
  return blue.all
    .map((name, i) => {
      const counterpart = green.all[i] ?? ''
      return {
        blue: name,
        blueIp: lab.dns.answer(name) ?? '',
        green: counterpart,
        greenIp: lab.dns.answer(counterpart) ?? '',
      }
    })
    .sort((a, b) => (a.blue < b.blue ? -1 : 1))
}

function url(lab: Lab): string {
  const scheme = lab.engine === 'pg' ? 'postgres' : 'mysql'
  return `${scheme}://${lab.app.user}@${lab.names.blue.writer}:${lab.port}/${lab.app.database}`
}

describe.skipIf(resolverMode() !== 'system')('rds-bluegreen check on a lab deployment', () => {
  it('Aurora PostgreSQL with a reader, --json: armed, every pair and IP; exit 0', async () => {
    const lab = await startLab({ engine: 'pg', topology: 'aurora', readers: 1 })
    try {
      const { code, stdout, stderr } = await startCli(
        ['check', '--url', url(lab), '--password-env', 'LAB_PW', '--json'],
        {
          LAB_PW: lab.app.password,
        },
      ).done
      expect(stderr).toBe('')
      expect(code).toBe(0)
      const verdict = JSON.parse(stdout)
      const pairs = expectedPairs(lab)
      expect(pairs).toHaveLength(4) // cluster, cluster-ro, writer instance, reader instance
      expect(verdict).toMatchObject({
        armed: true,
        code: 'armed',
        fix: null,
        phase: 'CREATED',
        engine: { name: 'postgresql', topology: 'Aurora cluster (writer cluster endpoint)' },
        target: { host: lab.names.blue.writer, port: lab.port, user: 'app' },
        polling: { nowMs: 1000, switchoverMs: 100 },
        pairs,
      })
      expect(stdout).not.toContain(lab.app.password)
    } finally {
      await lab.stop()
    }
  })

  it('MySQL (RDS instance), text: ARMED and the pair with both IPs', async () => {
    const lab = await startLab({ engine: 'mysql' })
    try {
      const { code, stdout } = await startCli(['check', '--url', url(lab), '--password-env', 'LAB_PW'], {
        LAB_PW: lab.app.password,
      }).done
      expect(code).toBe(0)
      const [pair] = expectedPairs(lab)
      expect(stdout).toMatch(/^status +CREATED \(deployment available, no switchover running\)$/m)
      expect(stdout).toMatch(/^polling +every 1000 ms now, every 100 ms during a switchover$/m)
      expect(stdout).toMatch(
        new RegExp(
          `^ {11}${pair?.blue} \\(${pair?.blueIp}\\) -> ${pair?.green} \\(${pair?.greenIp}\\)$`,
          'm',
        ),
      )
      expect(stdout).toMatch(/^ARMED: 1 blue host paired with its green counterpart$/m)
    } finally {
      await lab.stop()
    }
  })
})
