import type {
  ConnectionInfo,
  IsolationLevel,
  SqlDriverAdapter,
  SqlQuery,
  SqlResultSet,
  Transaction,
  TransactionOptions,
} from '@prisma/driver-adapter-utils'
import type { AdapterEndpoint } from './errors.js'
import { mapped } from './errors.js'

type SavepointFn = (this: Transaction, name: string) => Promise<void>

/**
 * Wraps a Prisma driver adapter so that every call reports our errors as Prisma error kinds (see
 * `blueGreenErrorPayload`); transactions it starts are wrapped the same way. Holding and routing happen below,
 * in the routed driver; this layer only translates. `dispose` runs the adapter's own dispose, then `onDispose`.
 *
 * @example
 * ```ts
 * const adapter = decorateAdapter(await new PrismaPg(pool).connect(), 'rds-bluegreen/prisma-pg', endpoint, () => pool.end())
 * ```
 */
export function decorateAdapter(
  inner: SqlDriverAdapter,
  adapterName: string,
  endpoint: AdapterEndpoint,
  onDispose: () => Promise<void>,
): SqlDriverAdapter {
  let disposed: Promise<void> | undefined
  const adapter: SqlDriverAdapter = {
    provider: inner.provider,
    adapterName,
    queryRaw: (query: SqlQuery): Promise<SqlResultSet> => mapped(endpoint, () => inner.queryRaw(query)),
    executeRaw: (query: SqlQuery): Promise<number> => mapped(endpoint, () => inner.executeRaw(query)),
    executeScript: (script: string): Promise<void> => mapped(endpoint, () => inner.executeScript(script)),
    startTransaction: async (isolationLevel?: IsolationLevel): Promise<Transaction> =>
      decorateTransaction(
        await mapped(endpoint, () => inner.startTransaction(isolationLevel)),
        adapterName,
        endpoint,
      ),
    dispose: (): Promise<void> =>
      (disposed ??= (async () => {
        try {
          await inner.dispose()
        } finally {
          await onDispose()
        }
      })()),
  }
  if (inner.getConnectionInfo !== undefined) {
    const info = inner.getConnectionInfo.bind(inner)
    adapter.getConnectionInfo = (): ConnectionInfo => info()
  }
  return adapter
}

/**
 * Wraps one transaction of a Prisma driver adapter, translating our errors; savepoint methods are present only
 * when the inner transaction has them (Prisma checks for them to allow nested transactions).
 *
 * @example
 * ```ts
 * const tx = decorateTransaction(await inner.startTransaction('SERIALIZABLE'), 'rds-bluegreen/prisma-pg', endpoint)
 * ```
 */
export function decorateTransaction(
  inner: Transaction,
  adapterName: string,
  endpoint: AdapterEndpoint,
): Transaction {
  const options: TransactionOptions = inner.options
  const tx: Transaction = {
    provider: inner.provider,
    adapterName,
    options,
    queryRaw: (query) => mapped(endpoint, () => inner.queryRaw(query)),
    executeRaw: (query) => mapped(endpoint, () => inner.executeRaw(query)),
    commit: () => mapped(endpoint, () => inner.commit()),
    rollback: () => mapped(endpoint, () => inner.rollback()),
  }
  // savepoints exist only when the inner transaction has them: Prisma checks for them to allow nesting
  if (inner.createSavepoint !== undefined) {
    tx.createSavepoint = (name) =>
      mapped(endpoint, () => (inner.createSavepoint as SavepointFn).call(inner, name))
  }
  if (inner.rollbackToSavepoint !== undefined) {
    tx.rollbackToSavepoint = (name) =>
      mapped(endpoint, () => (inner.rollbackToSavepoint as SavepointFn).call(inner, name))
  }
  if (inner.releaseSavepoint !== undefined) {
    tx.releaseSavepoint = (name) =>
      mapped(endpoint, () => (inner.releaseSavepoint as SavepointFn).call(inner, name))
  }
  return tx
}
