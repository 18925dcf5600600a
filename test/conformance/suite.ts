import { describe, expect, it } from 'vitest'
import type { LabEngineName } from '../lab/address-plan.js'
import { errorCode } from '../lab/clients/errors.js'
import { openLabClients } from '../lab/clients/registry.js'
import { labTarget, runScenario, type ScenarioOptions, type ScenarioResult } from '../lab/scenario.js'
import { startLab } from '../lab/start-lab.js'
import { startWorkload } from '../lab/workload.js'

/** One integration under test: a lab client name (a file in test/lab/clients/) and its engine. */
export interface ConformanceTarget {
  readonly client: string
  readonly engine: LabEngineName
  /**
   * Error codes (as the lab's `errorCode()` reports them) by which this integration refuses a new connection to
   * a green name. Default: the library's own `GREEN_REJECTED`.
   */
  readonly rejectCodes?: readonly string[]
  /** How to read an error's code (default: the lab's `errorCode`); ORMs that wrap errors expose ours their way. */
  readonly codeOf?: (err: unknown) => string
  /**
   * How much longer than the IN_PROGRESS window one op may take (default 1000 ms, the drivers' bound). An ORM
   * whose own per-op cost under 16 workers on 2 cores is high adds it on top of the hold.
   */
  readonly holdSlackMs?: number
}

/**
 * What every integration guarantees through a switchover: nothing lost, nothing acknowledged by the old blue,
 * no read-only errors, nothing failing after COMPLETED, and no op longer than IN_PROGRESS plus `holdSlackMs`.
 */
export function expectProtected(r: ScenarioResult, holdSlackMs = 1000): void {
  const figures = {
    client: r.client,
    preset: r.preset,
    ops: r.ops,
    failedOps: r.failedOps,
    errorsByCode: r.errorsByCode,
    lostWrites: r.lostWrites,
    oldBlueWritesAfterCut: r.oldBlueWritesAfterCut,
    readOnlyErrors: r.readOnlyErrors,
    failedAfterCompleted: r.failedAfterCompleted,
    maxOpMs: r.maxOpMs,
    maxWorkerGapMs: r.maxWorkerGapMs,
  }
  console.log(`conformance ${JSON.stringify(figures)}`)
  expect(r.ackedWrites).toBeGreaterThan(0)
  expect(r.lostWrites).toBe(0)
  expect(r.oldBlueWritesAfterCut).toBe(0)
  expect(r.readOnlyErrors).toBe(0)
  expect(r.doubleApplied).toBe(0)
  expect(r.failedAfterCompleted).toBe(0)
  const at = new Map(r.phases.map((p) => [p.event, p.offsetMs]))
  const window = (at.get('POST') ?? 0) - (at.get('IN_PROGRESS') ?? 0)
  expect(r.maxOpMs).toBeLessThanOrEqual(window + holdSlackMs)
}

/** The scenarios where the monitors do not see the deployment in time (issue 12). */
export const NO_METADATA_SCENARIOS: readonly (readonly [string, Partial<ScenarioOptions>])[] = [
  ['late-metadata', { profile: 'late-metadata' }],
  ['permission-denied', { profile: 'permission-denied' }],
  ['in-progress-visible-0', { timeline: { inProgressVisibleMs: 0 } }],
]

/**
 * Read-only errors allowed through in a scenario without timely metadata: the bound is 5 % of the
 * plain driver's in the same run (100-400 there), so at most 5; the target is 0 for autocommit statements.
 */
export const NO_METADATA_READ_ONLY_BUDGET = 5

/** What every integration guarantees when the metadata is late, unreadable, or IN_PROGRESS is never seen. */
export function expectProtectedWithoutMetadata(r: ScenarioResult, scenario: string): void {
  const figures = {
    client: r.client,
    scenario,
    ops: r.ops,
    failedOps: r.failedOps,
    errorsByCode: r.errorsByCode,
    lostWrites: r.lostWrites,
    oldBlueWritesAfterCut: r.oldBlueWritesAfterCut,
    readOnlyErrors: r.readOnlyErrors,
    failedAfterCompleted: r.failedAfterCompleted,
    maxWorkerGapMs: r.maxWorkerGapMs,
  }
  console.log(`conformance no-metadata ${JSON.stringify(figures)}`)
  expect(r.ackedWrites).toBeGreaterThan(0)
  expect(r.lostWrites).toBe(0)
  expect(r.oldBlueWritesAfterCut).toBe(0)
  expect(r.doubleApplied).toBe(0)
  expect(r.unresolvedOps).toBe(0)
  expect(r.failedAfterCompleted).toBe(0)
  expect(r.readOnlyErrors).toBeLessThanOrEqual(NO_METADATA_READ_ONLY_BUDGET)
}

/**
 * The lab conformance suite, run unchanged against every integration: concurrent reads, writes and
 * transactions through a switchover (two presets), a rollback, the refusal of green names once the green hosts
 * were renamed, and plain behaviour on a database without Blue/Green metadata.
 *
 * @example
 * defineConformanceSuite({ client: 'knex-pg', engine: 'pg' })
 */
export function defineConformanceSuite(target: ConformanceTarget): void {
  const { client, engine } = target
  describe(`conformance: ${client} (${engine})`, () => {
    for (const preset of ['fast', 'default'] as const) {
      it(`reads, writes and transactions of 16 workers through a ${preset} switchover`, async () => {
        expectProtected(await runScenario({ engine, client, preset, workers: 16 }), target.holdSlackMs)
      })
    }

    // Issue 12: the metadata is seen late, never (the app user may not read it), or IN_PROGRESS is never seen.
    // The plain drivers fail 100-400 operations with read-only errors in such runs. The fast preset keeps CI
    // short; the default preset gives the same figures (reported in the closing note).
    for (const [name, options] of NO_METADATA_SCENARIOS) {
      it(`protects without the metadata in time: ${name}`, async () => {
        expectProtectedWithoutMetadata(
          await runScenario({ engine, client, preset: 'fast', workers: 16, ...options }),
          name,
        )
      })
    }

    it('a rollback during IN_PROGRESS loses nothing and traffic stays on blue', async () => {
      const r = await runScenario({ engine, client, preset: 'fast', workers: 8, rollbackAt: 'IN_PROGRESS' })
      console.log(
        `conformance rollback ${JSON.stringify({ client, failedOps: r.failedOps, errorsByCode: r.errorsByCode })}`,
      )
      expect(r.outcome).toBe('rolled-back')
      expect(r.lostWrites).toBe(0)
      expect(r.readOnlyErrors).toBe(0)
      expect(r.ackedByInstance['green'] ?? 0).toBe(0)
      expect(r.failedAfterCompleted).toBe(0)
    })

    it('refuses new connections to green names once the green hosts were renamed', async () => {
      const lab = await startLab({ engine })
      const codes: { t: number; code: string }[] = []
      let stop = false
      try {
        const base = labTarget(lab)
        const clients = await openLabClients(client, engine, { ...base, host: lab.names.green.writer })
        const reader = (async () => {
          while (!stop) {
            const c = clients.client()
            try {
              await c.read()
              codes.push({ t: lab.clock.now(), code: 'ok' })
            } catch (err) {
              codes.push({ t: lab.clock.now(), code: (target.codeOf ?? errorCode)(err) })
            }
            await new Promise((r) => setTimeout(r, 20))
          }
        })()
        await new Promise((r) => setTimeout(r, 1000))
        await lab.switchover({ preset: 'fast' })
        stop = true
        await reader
        await clients.close()
        const rejectCodes = target.rejectCodes ?? ['GREEN_REJECTED']
        const rejected = codes.filter((c) => rejectCodes.includes(c.code))
        const seen = [...new Set(codes.map((c) => c.code))]
        console.log(
          `conformance reject ${JSON.stringify({ client, rejected: rejected.length, codes: seen })}`,
        )
        // Before the switchover the green name serves reads; after the rename new connections are refused.
        expect(codes.find((c) => c.code === 'ok')).toBeDefined()
        expect(rejected.length).toBeGreaterThan(0)
        expect(codes.filter((c) => ['25006', 'ER_OPTION_PREVENTS_STATEMENT'].includes(c.code))).toEqual([])
      } finally {
        stop = true
        await lab.stop()
      }
    })

    it('behaves as the plain driver on a database without Blue/Green metadata', async () => {
      const lab = await startLab({ engine, profile: 'late-metadata', metadataAfterMs: null })
      try {
        const clients = await openLabClients(client, engine, labTarget(lab))
        const workload = startWorkload({
          factory: () => clients.client(),
          target: labTarget(lab),
          clock: lab.clock,
          workers: 4,
        })
        await new Promise((r) => setTimeout(r, 1500))
        const ops = await workload.stop()
        await clients.close()
        expect(ops.length).toBeGreaterThan(20)
        expect(ops.filter((o) => !o.ok)).toEqual([])
        expect(new Set(ops.map((o) => o.instance))).toEqual(new Set(['blue']))
      } finally {
        await lab.stop()
      }
    })
  })
}
