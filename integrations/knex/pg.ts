import ClientPG from 'knex/lib/dialects/postgres/index.js'
import { attachMembership } from '../shared/pool-member.js'
import { copyConfig } from '../shared/driver-config.js'
import { BlueGreenPgClient } from '../pg/client.js'
import { pgMetadataSource, pgModule } from '../pg/module.js'
import { withBlueGreen } from './blue-green-client.js'

/**
 * knex's PostgreSQL client over the Blue/Green routed `pg` driver: `knex({ client: AwsBgPg, connection, blueGreen })`.
 * New connections are routed (held, sent to the right IP, green names refused), statements and checkouts are
 * held while the switchover is in progress, and connections left on the old blue server are replaced.
 * Everything else (query builder, transactions, migrations, streams) is knex's own.
 *
 * @throws {BlueGreenConfigError} from `knex()` for an invalid `blueGreen` option.
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
  driver: (member) => ({
    ...pgModule,
    Client: class KnexPgClient extends BlueGreenPgClient {
      constructor(settings?: object) {
        const membership = member(settings)
        const config = copyConfig(settings ?? {})
        super(membership === undefined ? config : attachMembership(config, membership))
      }
    },
  }),
  defaultPort: 5432,
  metadataSource: pgMetadataSource,
}) {}
