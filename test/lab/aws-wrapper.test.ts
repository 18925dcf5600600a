import { describe, expect, it } from 'vitest'
import { awsWrapperUnavailable } from './clients/aws-wrapper-common.js'
import { runScenario } from './scenario.js'

// The reference client needs @aws-sdk/rds-signer (undeclared by the wrapper) and resolves names itself, so it
// runs only with the system resolver (inside with-lab-dns.mjs). Skipped, with the reason, otherwise.
const reason =
  awsWrapperUnavailable() ??
  (process.env['RDS_BG_LAB_RESOLVER'] === 'system'
    ? undefined
    : 'needs the system resolver (with-lab-dns.mjs)')

describe.skipIf(reason !== undefined)(
  `AWS wrapper reference clients${reason ? ` (skipped: ${reason})` : ''}`,
  () => {
    for (const [engine, client] of [
      ['pg', 'aws-wrapper-pg'],
      ['mysql', 'aws-wrapper-mysql'],
    ] as const) {
      it(`${client} goes through a fast switchover without lost writes`, async () => {
        const r = await runScenario({ engine, client, preset: 'fast' })
        expect(r.outcome).toBe('completed')
        expect(r.ackedWrites).toBeGreaterThan(0)
        expect(r.lostWrites).toBe(0)
      })
    }
  },
)
