import type { AddressPlan, LabSide } from './address-plan.js'
import type { LabClock } from './clock.js'
import { startPgServer } from './pg-server.js'
import { startProxy, type InstanceProxy } from './proxy.js'

/**
 * Starts the Aurora reader instances of a lab: per side and reader a PG server on its private address (reporting
 * `lab.instance` = `blue-reader-1`, ...) and a proxy on its public one. Each component's cleanup is registered as
 * soon as it is up, so a failure elsewhere never leaks it. Replication and schema are the engine's job.
 *
 * @example
 * const proxies = await startReaderInstances({ plan, dir, clock, onStarted: (stop) => cleanup.push(stop) })
 */
export async function startReaderInstances(opts: {
  readonly plan: AddressPlan
  readonly dir: string
  readonly clock: LabClock
  readonly onStarted: (stop: () => Promise<void>) => void
}): Promise<Record<LabSide, InstanceProxy[]>> {
  const { plan } = opts
  const one = async (side: LabSide, ip: string, i: number): Promise<InstanceProxy> => {
    const instance = `${side}-reader-${i + 1}`
    const [server, proxy] = await Promise.allSettled([
      startPgServer({ name: `pg-${instance}`, labDir: opts.dir, ip, port: plan.port, instance }),
      startProxy({
        instance,
        listen: { host: plan.readers.public[side][i] ?? '', port: plan.port },
        target: { host: ip, port: plan.port },
        clock: opts.clock,
      }),
    ])
    if (server.status === 'fulfilled') opts.onStarted(() => server.value.stop())
    if (proxy.status === 'fulfilled') opts.onStarted(() => proxy.value.close())
    if (server.status === 'rejected') throw server.reason
    if (proxy.status === 'rejected') throw proxy.reason
    return proxy.value
  }
  const start = (side: LabSide): Promise<PromiseSettledResult<InstanceProxy>[]> =>
    Promise.allSettled(plan.readers.private[side].map((ip, i) => one(side, ip, i)))
  const [blue, green] = await Promise.all([start('blue'), start('green')])
  const settled = [...blue, ...green]
  const failed = settled.find((r) => r.status === 'rejected')
  if (failed !== undefined) throw failed.reason
  const values = (rs: PromiseSettledResult<InstanceProxy>[]): InstanceProxy[] =>
    rs.map((r) => (r as PromiseFulfilledResult<InstanceProxy>).value)
  return { blue: values(blue), green: values(green) }
}
