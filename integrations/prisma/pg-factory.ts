import { randomUUID } from 'node:crypto'
import { PrismaPg } from '@prisma/adapter-pg'
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils'
import pg from 'pg'
import { withoutBlueGreenKeys } from '../../core/options.js'
import type { BlueGreenPgPoolConfig } from '../pg/index.js'
import { BlueGreenPgPool } from '../pg/index.js'
import { pgTarget } from '../pg/config.js'
import { decorateAdapter } from './decorate.js'
import type { AdapterEndpoint } from './errors.js'

/** Options of Prisma's own `PrismaPg` adapter (schema, error callbacks, type parser, statement names...). */
export type PrismaBlueGreenPgOptions = NonNullable<ConstructorParameters<typeof PrismaPg>[1]>

/** The adapter name Prisma shows in its messages. */
export const PG_ADAPTER_NAME = 'rds-bluegreen/prisma-pg'

/**
 * A Prisma 7 driver adapter factory for PostgreSQL that follows an RDS Blue/Green switchover: Prisma's own
 * `PrismaPg` adapter running over a routed {@link BlueGreenPgPool} (connections and statements are held while the
 * switchover is in progress and routed to the right server), with our errors reported as Prisma error kinds: a
 * hold that timed out or a refused green connection is P1001 "Can't reach database server", a statement that
 * reached the old read-only blue server is P2034 (retry). Give it a pg pool config (Blue/Green options in
 * `blueGreen`) and it creates and owns one routed pool per `connect()`, ended by `dispose()` (`$disconnect()`);
 * give it an existing `BlueGreenPgPool` and you end the pool yourself (unless `disposeExternalPool`).
 *
 * @example
 * ```ts
 * import { PrismaClient } from './generated/prisma/client.js'
 * import { PrismaBlueGreenPg } from 'rds-bluegreen/prisma'
 *
 * const adapter = new PrismaBlueGreenPg({
 *   connectionString: process.env.DATABASE_URL,
 *   max: 10,
 *   blueGreen: { bgdId: 'orders' },
 * })
 * const prisma = new PrismaClient({ adapter })
 * await prisma.user.findMany()
 * await prisma.$disconnect()
 * ```
 */
export class PrismaBlueGreenPg implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = 'postgres'
  readonly adapterName = PG_ADAPTER_NAME
  readonly #config: BlueGreenPgPoolConfig | undefined
  readonly #pool: pg.Pool | undefined
  readonly #options: PrismaBlueGreenPgOptions | undefined

  constructor(
    poolOrConfig: BlueGreenPgPool | BlueGreenPgPoolConfig | string,
    options?: PrismaBlueGreenPgOptions,
  ) {
    if (poolOrConfig instanceof pg.Pool) {
      this.#pool = poolOrConfig
    } else {
      this.#config =
        typeof poolOrConfig === 'string' ? { connectionString: poolOrConfig } : { ...poolOrConfig }
    }
    this.#options = options
  }

  /** Opens an adapter over the given pool, or over a new routed pool that `dispose()` ends. */
  async connect(): Promise<SqlDriverAdapter> {
    const owned = this.#pool === undefined
    const pool = this.#pool ?? new BlueGreenPgPool(this.#config)
    const endsPool = owned || this.#options?.disposeExternalPool === true
    const inner = await new PrismaPg(pool, { ...this.#options, disposeExternalPool: false }).connect()
    return decorateAdapter(inner, PG_ADAPTER_NAME, endpointOf(pool), async () => {
      if (endsPool) await pool.end()
    })
  }

  /**
   * A throwaway shadow database for `prisma migrate dev`, created through the routed pool and dropped on
   * dispose. The shadow connection itself is a plain pool: it only lives for the duration of a migration.
   */
  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    const main = await this.connect()
    const database = `prisma_migrate_shadow_db_${randomUUID()}`
    await main.executeScript(`CREATE DATABASE "${database}"`)
    const shadowPool = new pg.Pool({ ...this.#plainConfig(), database })
    const inner = await new PrismaPg(shadowPool, { ...this.#options, disposeExternalPool: false }).connect()
    return decorateAdapter(inner, PG_ADAPTER_NAME, endpointOf(shadowPool), async () => {
      try {
        await shadowPool.end()
        await main.executeScript(`DROP DATABASE "${database}"`)
      } finally {
        await main.dispose()
      }
    })
  }

  /** The user's connection settings without our keys (or the given pool's, without its client class). */
  #plainConfig(): pg.PoolConfig {
    if (this.#config !== undefined) {
      const plain: Record<string, unknown> = withoutBlueGreenKeys(this.#config)
      delete plain['lookup']
      return plain
    }
    // string keys only: the routed pool's options also carry a symbol-keyed context for its own clients
    const entries = Object.entries((this.#pool as pg.Pool).options).filter(([key]) => key !== 'Client')
    return Object.fromEntries(entries)
  }
}

function endpointOf(pool: pg.Pool): AdapterEndpoint {
  return pgTarget(pool.options as unknown as Readonly<Record<string, unknown>>)
}
