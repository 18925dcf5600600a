import type pg from 'pg'
import type { Phase } from '../../../core/types.js'
import { createFenceRole, dropFenceRole, FENCE_ROLE } from './pg-fence.js'
import { pgAdmin } from './pg-admin.js'

export const PG = { host: '127.0.0.1', port: 5432, user: 'postgres' } as const
export const SCRATCH_DB = 'bg_driver_test'

const STATUS: Readonly<Record<Exclude<Phase, 'NOT_CREATED'>, string>> = {
  CREATED: 'AVAILABLE',
  PREPARATION: 'SWITCHOVER_INITIATED',
  IN_PROGRESS: 'SWITCHOVER_IN_PROGRESS',
  POST: 'SWITCHOVER_IN_POST_PROCESSING',
  COMPLETED: 'SWITCHOVER_COMPLETED',
}

/** Runs SQL in the scratch database as the superuser. */
export function scratchSql(sql: string, values: unknown[] = []): Promise<pg.QueryResult> {
  return pgAdmin(SCRATCH_DB, (client) => client.query(sql, values))
}

/**
 * Creates the scratch database with a fake `rds_tools.show_topology(text)` over a table we control, and a
 * role `bg_driver_ro` whose sessions are read-only. Everything lives inside the scratch database (plus the role).
 */
export async function createScratch(): Promise<void> {
  await dropScratch()
  await pgAdmin('postgres', async (client) => {
    await client.query(`CREATE DATABASE ${SCRATCH_DB}`)
    await client.query(`DROP ROLE IF EXISTS bg_driver_ro`)
    await client.query(`CREATE ROLE bg_driver_ro LOGIN`)
    await client.query(`ALTER ROLE bg_driver_ro SET default_transaction_read_only = on`)
  })
  await scratchSql(`CREATE SCHEMA rds_tools;
    CREATE TABLE rds_tools.bg_rows (endpoint text, port int, role text, status text, version text);
    CREATE FUNCTION rds_tools.show_topology(client_id text)
      RETURNS TABLE (endpoint text, port int, role text, status text, version text)
      LANGUAGE sql AS 'SELECT endpoint, port, role, status, version FROM rds_tools.bg_rows';
    CREATE TABLE writes (id serial primary key, v int);
    GRANT USAGE ON SCHEMA rds_tools TO bg_driver_ro;
    GRANT SELECT ON rds_tools.bg_rows TO bg_driver_ro;
    GRANT ALL ON writes TO bg_driver_ro;
    GRANT ALL ON SEQUENCE writes_id_seq TO bg_driver_ro;`)
  await createFenceRole(
    SCRATCH_DB,
    `GRANT USAGE ON SCHEMA rds_tools TO ${FENCE_ROLE}; GRANT SELECT ON rds_tools.bg_rows TO ${FENCE_ROLE};`,
  )
}

/** Drops the scratch database and role. */
export async function dropScratch(): Promise<void> {
  await pgAdmin('postgres', async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${SCRATCH_DB} WITH (FORCE)`)
    await client.query(`DROP ROLE IF EXISTS bg_driver_ro`)
  })
  await dropFenceRole()
}

/** Sets the fake metadata: one row per side at `phase` (no rows for NOT_CREATED). */
export async function setPhase(blue: string, green: string, port: number, phase: Phase): Promise<void> {
  await scratchSql('DELETE FROM rds_tools.bg_rows')
  if (phase === 'NOT_CREATED') return
  const status = STATUS[phase]
  await scratchSql(
    `INSERT INTO rds_tools.bg_rows VALUES ($1, $3, 'BLUE_GREEN_DEPLOYMENT_SOURCE', $4, '1.0'),
      ($2, $3, 'BLUE_GREEN_DEPLOYMENT_TARGET', $4, '1.0')`,
    [blue, green, port, status],
  )
}

/** Backend rows of monitoring connections (application_name set by the pg metadata source). */
export async function monitorBackends(): Promise<number> {
  const result = await pgAdmin('postgres', (client) =>
    client.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'rds-bluegreen-monitor'`,
    ),
  )
  return Number(result.rows[0]?.n ?? 0)
}
