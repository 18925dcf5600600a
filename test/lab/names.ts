/** Topologies the lab can imitate. */
export type LabTopology = 'rds-instance' | 'aurora'

/** DNS names of one side. For an RDS instance the writer and the instance endpoint are the same name. */
export interface SideNames {
  readonly writer: string
  readonly reader?: string
  readonly instance: string
  /** Aurora reader instance endpoints (`--readers N`); the reader endpoint resolves to the first. */
  readonly readerInstances: readonly string[]
  /** Every distinct name, writer first. */
  readonly all: readonly string[]
}

/** AWS-shaped names: `blue` before the switchover, `green` (suffixed) and `old` (`-old1`, after the rename). */
export interface LabNames {
  readonly topology: LabTopology
  readonly blue: SideNames
  readonly green: SideNames
  readonly old: SideNames
  /** The instance id as `aurora_replica_status()` reports it, per naming state. */
  readonly serverIds: Readonly<{ blue: string; green: string; old: string }>
  /** The reader instance ids, per naming state (as `aurora_replica_status()` reports them). */
  readonly readerServerIds: Readonly<{
    blue: readonly string[]
    green: readonly string[]
    old: readonly string[]
  }>
}

const DOMAIN = 'c9akciq32.us-east-1.rds.amazonaws.com'
const CLUSTER = 'mydb'
const GREEN_SUFFIX = '-green-x7k2p9'
const INSTANCE = 'mydb-instance-1'
const GREEN_INSTANCE_SUFFIX = '-green-q3w4e5'

function side(writer: string, instance: string, reader?: string, readerInstances: string[] = []): SideNames {
  const all = [...new Set([writer, ...(reader === undefined ? [] : [reader]), instance, ...readerInstances])]
  return Object.freeze(
    reader === undefined
      ? { writer, instance, readerInstances, all }
      : { writer, reader, instance, readerInstances, all },
  )
}

/** Reader instance ids: mydb-instance-2, -3, ... with the side's suffix. */
function readerIds(n: number, suffix: string): string[] {
  return Array.from({ length: n }, (_, i) => `${CLUSTER}-instance-${i + 2}${suffix}`)
}

function clusterSide(cluster: string, instance: string, readers: readonly string[]): SideNames {
  return side(
    `${cluster}.cluster-${DOMAIN}`,
    `${instance}.${DOMAIN}`,
    `${cluster}.cluster-ro-${DOMAIN}`,
    readers.map((r) => `${r}.${DOMAIN}`),
  )
}

/**
 * The names of a deployment in the given topology.
 *
 * @example
 * labNames('rds-instance').green.writer // 'mydb-green-x7k2p9.c9akciq32.us-east-1.rds.amazonaws.com'
 */
export function labNames(topology: LabTopology, readers = 0): LabNames {
  if (topology === 'aurora') {
    const readerServerIds = {
      blue: readerIds(readers, ''),
      green: readerIds(readers, GREEN_INSTANCE_SUFFIX),
      old: readerIds(readers, '-old1'),
    }
    return Object.freeze({
      topology,
      blue: clusterSide(CLUSTER, INSTANCE, readerServerIds.blue),
      green: clusterSide(CLUSTER + GREEN_SUFFIX, INSTANCE + GREEN_INSTANCE_SUFFIX, readerServerIds.green),
      old: clusterSide(`${CLUSTER}-old1`, `${INSTANCE}-old1`, readerServerIds.old),
      serverIds: { blue: INSTANCE, green: INSTANCE + GREEN_INSTANCE_SUFFIX, old: `${INSTANCE}-old1` },
      readerServerIds,
    })
  }
  const name = (id: string): SideNames => side(`${id}.${DOMAIN}`, `${id}.${DOMAIN}`)
  return Object.freeze({
    topology,
    blue: name(CLUSTER),
    green: name(CLUSTER + GREEN_SUFFIX),
    old: name(`${CLUSTER}-old1`),
    serverIds: { blue: CLUSTER, green: CLUSTER + GREEN_SUFFIX, old: `${CLUSTER}-old1` },
    readerServerIds: { blue: [], green: [], old: [] },
  })
}
