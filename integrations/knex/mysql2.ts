import ClientMySQL2 from 'knex/lib/dialects/mysql2/index.js'
import { mysql2Module, mysqlMetadataSource } from '../mysql2/module.js'
import { withBlueGreen } from './blue-green-client.js'

/**
 * knex's mysql2 client over the Blue/Green routed `mysql2` driver: `knex({ client: AwsBgMysql, connection })`.
 * Behaves as {@link AwsBgPg} does for PostgreSQL.
 *
 * @example
 * ```ts
 * const db = knex({ client: AwsBgMysql, connection: { host, user, password, database }, blueGreen: { bgdId: 'shop' } })
 * ```
 */
export class AwsBgMysql extends withBlueGreen(ClientMySQL2, {
  driver: mysql2Module,
  defaultPort: 3306,
  metadataSource: mysqlMetadataSource,
  remoteAddress: (connection) =>
    (connection as { stream?: { remoteAddress?: string } }).stream?.remoteAddress,
}) {}
