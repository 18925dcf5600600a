import { BaseError } from 'sequelize'

/**
 * Sequelize wraps driver errors (`DatabaseError`, `ConnectionError`, ...) and keeps the driver's or the
 * library's error as `parent`; the lab counts errors by that error's own code.
 *
 * @example
 * await sequelizeUnwrapped(() => sequelize.query('SELECT 1'))
 */
export async function sequelizeUnwrapped<T>(op: () => Promise<T>): Promise<T> {
  try {
    return await op()
  } catch (err) {
    const parent = err instanceof BaseError ? (err as { parent?: unknown }).parent : undefined
    throw parent ?? err
  }
}
