import { PostgreSqlKnexDialect } from '@mikro-orm/knex'
import type { BlueGreenPgClientConfig } from '../pg/index.js'
import { BlueGreenPgClient, pgModule } from '../pg/index.js'

/** Blue/Green options plus the routed driver's extras (`lookup`, `logger`, `metadataSource`). */
export type BlueGreenMikroOrmSettings = NonNullable<BlueGreenPgClientConfig['blueGreen']>

/**
 * What {@link blueGreenPgDriverOptions} returns: MikroORM's `driverOptions` (knex options) whose `client` is
 * MikroORM's own PostgreSQL knex dialect over the routed `pg`.
 *
 * @example
 * ```ts
 * const driverOptions: BlueGreenMikroOrmDriverOptions = blueGreenPgDriverOptions({ bgdId: 'orders' })
 * ```
 */
export interface BlueGreenMikroOrmDriverOptions {
  readonly client: typeof PostgreSqlKnexDialect
}

/**
 * MikroORM 6 (`@mikro-orm/postgresql`) over the Blue/Green routed pg driver, through MikroORM's documented
 * `driverOptions` (merged into the knex config it builds): `client` becomes a subclass of MikroORM's own
 * `PostgreSqlKnexDialect` (so its query, table and column compilers and its knex patches stay) whose driver is the
 * routed `pg`. Every physical connection is then a `BlueGreenPgClient`: new connections are routed, statements are
 * held while the switchover is in progress, read-only errors from the old blue close the connection. The entity
 * manager, unit of work, `em.transactional`, the schema generator and migrations are MikroORM's; errors are
 * MikroORM's exceptions (`UniqueConstraintViolationException`, ...) around the driver's error. Options travel with
 * the class, because MikroORM copies plain option objects.
 *
 * @example
 * ```ts
 * const orm = await MikroORM.init({
 *   driver: PostgreSqlDriver,
 *   host: 'mydb.c9akciq32.us-east-1.rds.amazonaws.com', user, password, dbName,
 *   entities: [Order],
 *   driverOptions: blueGreenPgDriverOptions({ bgdId: 'orders' }),
 * })
 * ```
 */
export function blueGreenPgDriverOptions(
  blueGreen: BlueGreenMikroOrmSettings = {},
): BlueGreenMikroOrmDriverOptions {
  class MikroOrmBlueGreenPgClient extends BlueGreenPgClient {
    constructor(config?: string | BlueGreenPgClientConfig) {
      const base: object = typeof config === 'string' ? { connectionString: config } : (config ?? {})
      // Copy descriptors: knex hides the password as a non-enumerable property.
      const copy = Object.defineProperties(
        {},
        Object.getOwnPropertyDescriptors(base),
      ) as BlueGreenPgClientConfig
      copy.blueGreen = { ...blueGreen, ...copy.blueGreen }
      super(copy)
    }
  }
  const driver = Object.freeze({ ...pgModule, Client: MikroOrmBlueGreenPgClient })
  class BlueGreenPostgreSqlKnexDialect extends PostgreSqlKnexDialect {
    // knex's dialects load their driver module here (`require('pg')`); ours is the routed one.
    _driver(): typeof driver {
      return driver
    }
  }
  return { client: BlueGreenPostgreSqlKnexDialect }
}
