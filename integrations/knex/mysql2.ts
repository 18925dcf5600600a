import type { Knex } from 'knex'
import ClientMySQL2 from 'knex/lib/dialects/mysql2/index.js'
import { mysql2Module, mysqlMetadataSource } from '../mysql2/module.js'
import type { BlueGreenKnexConfig, DialectWiring } from './blue-green-client.js'
import {
  holdCheckout,
  knexState,
  mergeBlueGreen,
  releaseState,
  trackConnection,
  untrackConnection,
} from './blue-green-client.js'

const wiring: DialectWiring = {
  driver: mysql2Module,
  defaultPort: 3306,
  metadataSource: mysqlMetadataSource,
  remoteAddress: (connection) =>
    (connection as { stream?: { remoteAddress?: string } }).stream?.remoteAddress,
}

const Base: typeof Knex.Client = ClientMySQL2

/**
 * knex's mysql2 client over the Blue/Green routed `mysql2` driver: `knex({ client: AwsBgMysql, connection })`.
 * Behaves as {@link AwsBgPg} does for PostgreSQL.
 *
 * @example
 * ```ts
 * const db = knex({ client: AwsBgMysql, connection: { host, user, password, database }, blueGreen: { bgdId: 'shop' } })
 * ```
 */
export class AwsBgMysql extends Base {
  constructor(config: BlueGreenKnexConfig) {
    super(mergeBlueGreen(config))
  }

  _driver(): object {
    return wiring.driver
  }

  override async acquireConnection(): Promise<unknown> {
    await holdCheckout(knexState(this.config, this.connectionSettings, wiring))
    return (await super.acquireConnection()) as unknown
  }

  override async acquireRawConnection(): Promise<unknown> {
    const connection = (await super.acquireRawConnection()) as unknown
    trackConnection(knexState(this.config, this.connectionSettings, wiring), connection)
    return connection
  }

  override async destroyRawConnection(connection: unknown): Promise<void> {
    untrackConnection(this.config, connection)
    await super.destroyRawConnection(connection)
  }

  override async destroy(callback?: unknown): Promise<unknown> {
    try {
      return (await super.destroy(callback)) as unknown
    } finally {
      await releaseState(this.config)
    }
  }
}
