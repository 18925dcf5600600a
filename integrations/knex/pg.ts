import type { Knex } from 'knex'
import ClientPG from 'knex/lib/dialects/postgres/index.js'
import { pgMetadataSource, pgModule } from '../pg/module.js'
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
  driver: pgModule,
  defaultPort: 5432,
  metadataSource: pgMetadataSource,
  remoteAddress: (connection) =>
    (connection as { connection?: { stream?: { remoteAddress?: string } } }).connection?.stream
      ?.remoteAddress,
}

const Base: typeof Knex.Client = ClientPG

/**
 * knex's PostgreSQL client over the Blue/Green routed `pg` driver: `knex({ client: AwsBgPg, connection })`.
 * New connections are routed (held, sent to the right IP, green names refused), statements and checkouts are
 * held while the switchover is in progress, and connections left on the old blue server are replaced.
 * Everything else (query builder, transactions, migrations, streams) is knex's own.
 *
 * @example
 * ```ts
 * const db = knex({
 *   client: AwsBgPg,
 *   connection: { host: 'mydb.c9akciq32.us-east-1.rds.amazonaws.com', user, password, database },
 *   blueGreen: { bgdId: 'orders' },
 * })
 * ```
 */
export class AwsBgPg extends Base {
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
