import { pgAdmin } from './pg-admin.js'

/**
 * A login role whose new sessions can be made read-only and writable again, the way RDS fences the old blue
 * (`default_transaction_read_only` for every new session; existing ones are cut there). The shared server's own
 * roles and settings are never touched.
 */
export const FENCE_ROLE = 'bg_fence_app'

/** Creates the role (if needed) with every right on `database`'s public tables and sequences, and `extra` SQL. */
export async function createFenceRole(database: string, extra = ''): Promise<void> {
  await pgAdmin('postgres', async (client) => {
    const exists = await client.query(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [FENCE_ROLE])
    if (exists.rowCount === 0) await client.query(`CREATE ROLE ${FENCE_ROLE} LOGIN`)
    await client.query(`ALTER ROLE ${FENCE_ROLE} RESET default_transaction_read_only`)
  })
  await pgAdmin(database, (client) =>
    client.query(`GRANT ALL ON ALL TABLES IN SCHEMA public TO ${FENCE_ROLE};
      GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO ${FENCE_ROLE}; ${extra}`),
  )
}

/** New sessions of the role start read-only (`on`) or writable again. */
export async function fence(on: boolean): Promise<void> {
  const sql = on
    ? `ALTER ROLE ${FENCE_ROLE} SET default_transaction_read_only = on`
    : `ALTER ROLE ${FENCE_ROLE} RESET default_transaction_read_only`
  await pgAdmin('postgres', (client) => client.query(sql))
}

/** Drops the role; the databases it has rights in must be dropped first. */
export async function dropFenceRole(): Promise<void> {
  await pgAdmin('postgres', (client) => client.query(`DROP ROLE IF EXISTS ${FENCE_ROLE}`))
}
