import { describe, expect, it } from 'vitest'
import { runScenario } from './scenario.js'
import { startLab } from './start-lab.js'

const PG_CLIENTS = [
  'pg',
  'knex-pg',
  'drizzle-pg',
  'typeorm-pg',
  'prisma-pg',
  'sequelize-pg',
  'kysely-pg',
  'objection-pg',
] as const

describe('Aurora PG with 2 readers per side', () => {
  it('every instance has DNS, metadata rows and a replica-status row; readers replicate and are read-only', async () => {
    const lab = await startLab({ engine: 'pg', topology: 'aurora', readers: 2 })
    try {
      expect(lab.names.blue.readerInstances).toHaveLength(2)
      expect(lab.dns.answer(lab.names.blue.reader ?? '')).toBe(lab.ips.readers.public.blue[0])
      expect(lab.dns.answer(lab.names.green.readerInstances[1] ?? '')).toBe(lab.ips.readers.public.green[1])
      const rows = await lab.sql(
        'green',
        "SELECT endpoint, role FROM pg_catalog.get_blue_green_fast_switchover_metadata('lab')",
      )
      const endpoints = rows.map((r) => String(r['endpoint']))
      for (const n of [...lab.names.blue.all, ...lab.names.green.all]) expect(endpoints).toContain(n)
      const status = await lab.sql(
        'blue',
        'SELECT server_id, session_id FROM pg_catalog.aurora_replica_status()',
      )
      expect(status.map((r) => r['server_id'])).toEqual([
        'mydb-instance-1',
        'mydb-instance-2',
        'mydb-instance-3',
      ])
      expect(status.filter((r) => r['session_id'] === 'MASTER_SESSION_ID')).toHaveLength(1)
      // A write on the green writer reaches green's readers (blue → green → green readers).
      await lab.sql('blue', "INSERT INTO lab_writes (client, seq) VALUES ('probe', 1)")
      const pg = await import('pg')
      const reader = new pg.default.Client({
        host: lab.ips.readers.public.green[1],
        port: lab.port,
        ...lab.app,
      })
      reader.on('error', () => undefined)
      await reader.connect()
      try {
        // Two hops of logical replication: well under a second on a quiet machine, a few on a loaded one.
        let seen = 0
        for (const deadline = Date.now() + 5000; seen === 0 && Date.now() < deadline;) {
          seen = (await reader.query("SELECT 1 FROM lab_writes WHERE client = 'probe'")).rowCount ?? 0
          if (seen === 0) await new Promise((r) => setTimeout(r, 20))
        }
        expect(seen).toBe(1)
        await expect(
          reader.query("INSERT INTO lab_writes (client, seq) VALUES ('probe', 2)"),
        ).rejects.toThrow(/read-only/)
      } finally {
        await reader.end()
      }
    } finally {
      await lab.stop()
    }
  })

  for (const client of PG_CLIENTS) {
    it(`${client}: 0 reader-endpoint failures and 0 old-blue reader connects after COMPLETED`, async () => {
      const r = await runScenario({
        engine: 'pg',
        client,
        topology: 'aurora',
        readers: 2,
        readerWorkers: 3,
        workers: 4,
        preset: 'fast',
      })
      const completed = r.events.find((e) => e.event === 'COMPLETED')?.t ?? Infinity
      const readerOps = r.opLog.filter((o) => o.endpoint === 'reader')
      const after = readerOps.filter((o) => o.t0 >= completed)
      console.log(
        `readers ${JSON.stringify({ client, endpoints: r.endpoints, oldBlueReader: r.oldBlueReaderConnectsAfterCompleted, afterInstances: [...new Set(after.map((o) => o.instance))] })}`,
      )
      expect(r.outcome).toBe('completed')
      expect(r.endpoints['reader']?.ops ?? 0).toBeGreaterThan(20)
      expect(r.endpoints['reader']?.failedAfterCompleted).toBe(0)
      expect(r.oldBlueReaderConnectsAfterCompleted).toBe(0)
      expect(r.failedAfterCompleted).toBe(0)
      expect(r.lostWrites).toBe(0)
      // Reads went to the blue readers before and to green's readers after: the reader endpoint was routed.
      expect(readerOps.some((o) => o.ok && o.instance?.startsWith('blue-reader'))).toBe(true)
      expect(after.length).toBeGreaterThan(0)
      expect(after.filter((o) => o.ok).every((o) => o.instance?.startsWith('green-reader'))).toBe(true)
    })
  }
})
