import { DataSource, EntitySchema } from 'typeorm'
import type { DataSourceOptions } from 'typeorm'

/** The lab's `lab_writes` row (the lab creates the table; `instance` has a server-side default). */
export interface LabWrite {
  client: string
  seq: number
  instance: string
}

/**
 * `lab_writes` as a TypeORM entity; `instanceDefault` is the column's SQL default on this engine.
 *
 * @example
 * const LabWrite = labWriteSchema("current_setting('lab.instance')")
 */
export function labWriteSchema(instanceDefault: string): EntitySchema<LabWrite> {
  return new EntitySchema<LabWrite>({
    name: 'LabWrite',
    tableName: 'lab_writes',
    columns: {
      client: { type: String, primary: true, length: 64 },
      seq: { type: Number, primary: true },
      instance: { type: String, default: () => instanceDefault },
    },
  })
}

/**
 * One DataSource for a whole lab run, initialized when the session opens (before the switchover starts). A
 * failed initialization is forgotten, so the next operation initializes again instead of failing forever.
 *
 * @example
 * const lab = labDataSource(blueGreenDataSourceOptions({ type: 'postgres', ... })); const ds = await lab.get()
 */
export function labDataSource(options: DataSourceOptions): {
  get(): Promise<DataSource>
  close(): Promise<void>
} {
  let opened: Promise<DataSource> | undefined
  const get = (): Promise<DataSource> =>
    (opened ??= new DataSource(options).initialize().catch((err: unknown) => {
      opened = undefined
      throw err
    }))
  get().catch(() => undefined)
  return {
    get,
    close: async () => {
      const ds = await opened?.catch(() => undefined)
      if (ds?.isInitialized === true) await ds.destroy()
    },
  }
}
