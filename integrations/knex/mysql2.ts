import ClientMySQL2 from 'knex/lib/dialects/mysql2/index.js'
import { createConnection } from '../mysql2/connection.js'
import { mysqlMetadataSource, mysqlModule } from '../mysql2/module.js'
import { copyConfig } from '../shared/driver-config.js'
import { attachMembership } from '../shared/pool-member.js'
import { withBlueGreen } from './blue-green-client.js'

/**
 * knex's mysql2 client over the Blue/Green routed `mysql2` driver: `knex({ client: AwsBgMysql, connection, blueGreen })`.
 * Behaves as {@link AwsBgPg} does for PostgreSQL.
 *
 * @throws {BlueGreenConfigError} from `knex()` for an invalid `blueGreen` option.
 * @example
 * ```ts
 * const db = knex({ client: AwsBgMysql, connection: { host, user, password, database }, blueGreen: { bgdId: 'shop' } })
 * ```
 */
export class AwsBgMysql extends withBlueGreen(ClientMySQL2, {
  driver: (member) => ({
    ...mysqlModule,
    createConnection: (settings: object) => {
      const membership = member(settings)
      const config = copyConfig(settings)
      return createConnection(membership === undefined ? config : attachMembership(config, membership))
    },
  }),
  defaultPort: 3306,
  metadataSource: mysqlMetadataSource,
}) {}
