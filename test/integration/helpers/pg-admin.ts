import pg from 'pg'

/**
 * Runs `fn` on a short-lived superuser connection to the local PostgreSQL's `database`, closing it afterwards.
 *
 * @example
 * ```ts
 * await pgAdmin('postgres', (client) => client.query('SELECT 1'))
 * ```
 */
export async function pgAdmin<T>(database: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database })
  client.on('error', () => undefined)
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}
