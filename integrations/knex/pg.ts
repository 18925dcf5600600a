import ClientPG from 'knex/lib/dialects/postgres/index.js'
import { pgMetadataSource, pgModule } from '../pg/module.js'
import { withBlueGreen } from './blue-green-client.js'

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
export class AwsBgPg extends withBlueGreen(ClientPG, {
  driver: pgModule,
  defaultPort: 5432,
  metadataSource: pgMetadataSource,
  remoteAddress: (connection) =>
    (connection as { connection?: { stream?: { remoteAddress?: string } } }).connection?.stream
      ?.remoteAddress,
}) {}
