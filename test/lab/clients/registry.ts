import type { LabEngineName } from '../address-plan.js'
import { LabError } from '../errors.js'
import type { LabClientFactory, LabClientModule, LabClientTarget, LabSession } from './types.js'

const registered = new Map<string, LabClientModule>()

/** Registers a client under a name from code (tests that bring their own client without adding a file). */
export function registerLabClient(
  name: string,
  factory: LabClientFactory,
  engines: readonly LabEngineName[],
): void {
  registered.set(name, { default: factory, engines })
}

/**
 * Finds a client by name: a registered one, else the file `test/lab/clients/<name>.ts`.
 *
 * @example
 * const factory = await loadLabClient('plain-pg', 'pg')
 */
export async function loadLabClient(name: string, engine: LabEngineName): Promise<LabClientFactory> {
  return (await loadLabClientModule(name, engine)).default
}

/**
 * Opens the clients of one run: a shared session when the client module has one, else a fresh connection
 * per worker.
 *
 * @example
 * const clients = await openLabClients('knex-pg', 'pg', target); ...; await clients.close()
 */
export async function openLabClients(
  name: string,
  engine: LabEngineName,
  target: LabClientTarget,
): Promise<LabSession> {
  const mod = await loadLabClientModule(name, engine)
  if (mod.session !== undefined) return mod.session(target)
  return { client: () => mod.default(target), close: async () => undefined }
}

async function loadLabClientModule(name: string, engine: LabEngineName): Promise<LabClientModule> {
  let mod = registered.get(name)
  if (mod === undefined) {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(name) || name === 'registry' || name === 'types' || name === 'errors') {
      throw new LabError('UNKNOWN_CLIENT', `bad client name ${JSON.stringify(name)}`)
    }
    try {
      mod = (await import(`./${name}.js`)) as LabClientModule
    } catch (err) {
      if (err instanceof LabError) throw err
      throw new LabError('UNKNOWN_CLIENT', `no lab client ${name} (test/lab/clients/${name}.ts)`, {
        cause: err,
      })
    }
  }
  if (!mod.engines.includes(engine))
    throw new LabError('UNKNOWN_CLIENT', `client ${name} does not support ${engine}`)
  return mod
}
