import { AwsMySQLClient } from 'aws-advanced-nodejs-wrapper/mysql'
import { assertAwsWrapperUsable, awsWrapperConfig, settle } from './aws-wrapper-common.js'
import type { LabClient, LabClientTarget } from './types.js'

assertAwsWrapperUsable()

export const engines = ['mysql'] as const

interface MysqlLike {
  connect(): Promise<void>
  query(options: { sql: string; values?: unknown[] }): Promise<unknown>
  end(): Promise<void>
}

const instanceOf = (rows: unknown): string | undefined => {
  const first = (Array.isArray(rows) ? (rows[0] as unknown[] | undefined)?.[0] : undefined) as
    Record<string, unknown> | undefined
  if (first === undefined) return undefined
  return Number(first['id']) === 1 ? 'blue' : 'green'
}

/** The reference client: `AwsMySQLClient` with the `bg` plugin (aws-advanced-nodejs-wrapper 2.0.1). */
export default function awsWrapperMysql(target: LabClientTarget): LabClient {
  let client: MysqlLike | undefined
  let instance: string | undefined
  const need = (): MysqlLike => {
    if (client === undefined) throw new Error('aws-wrapper-mysql: not connected')
    return client
  }
  return {
    async connect() {
      const c = new AwsMySQLClient({ ...awsWrapperConfig(target), connectTimeout: target.connectTimeoutMs })
      ;(c as unknown as { on?: (e: string, f: () => void) => void }).on?.('error', () => undefined)
      const live: MysqlLike = c
      client = live
      await live.connect()
      instance = instanceOf(await live.query({ sql: 'SELECT @@server_id AS id' }))
      return instance
    },
    async write(name, seq) {
      await need().query({ sql: 'INSERT INTO lab_writes (client, seq) VALUES (?, ?)', values: [name, seq] })
      return instance
    },
    async read() {
      return instanceOf(await need().query({ sql: 'SELECT @@server_id AS id' }))
    },
    async close() {
      const c = client
      client = undefined
      if (c !== undefined) await settle(c.end(), 500)
    },
  }
}
