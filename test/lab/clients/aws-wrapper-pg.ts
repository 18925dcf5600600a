import { AwsPGClient } from 'aws-advanced-nodejs-wrapper/pg'
import { assertAwsWrapperUsable, awsWrapperConfig, settle } from './aws-wrapper-common.js'
import type { LabClient, LabClientTarget } from './types.js'

assertAwsWrapperUsable()

export const engines = ['pg'] as const

interface PgLike {
  connect(): Promise<void>
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>
  end(): Promise<void>
}

/** The reference client: `AwsPGClient` with the `bg` plugin (aws-advanced-nodejs-wrapper 2.0.1). */
export default function awsWrapperPg(target: LabClientTarget): LabClient {
  let client: PgLike | undefined
  const need = (): PgLike => {
    if (client === undefined) throw new Error('aws-wrapper-pg: not connected')
    return client
  }
  return {
    async connect() {
      const c = new AwsPGClient({
        ...awsWrapperConfig(target),
        connectionTimeoutMillis: target.connectTimeoutMs,
      })
      ;(c as unknown as { on?: (e: string, f: () => void) => void }).on?.('error', () => undefined)
      const live: PgLike = c
      client = live
      await live.connect()
      const r = await live.query("SELECT current_setting('lab.instance') AS i")
      return r.rows[0]?.['i'] as string | undefined
    },
    async write(name, seq) {
      const r = await need().query(
        'INSERT INTO lab_writes (client, seq) VALUES ($1, $2) RETURNING instance',
        [name, seq],
      )
      return r.rows[0]?.['instance'] as string | undefined
    },
    async read() {
      const r = await need().query("SELECT current_setting('lab.instance') AS i")
      return r.rows[0]?.['i'] as string | undefined
    },
    async close() {
      const c = client
      client = undefined
      if (c !== undefined) await settle(c.end(), 500)
    },
  }
}
