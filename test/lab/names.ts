/** Topologies the lab can imitate. */
export type LabTopology = 'rds-instance' | 'aurora'

/** DNS names of one side. For an RDS instance the writer and the instance endpoint are the same name. */
export interface SideNames {
  readonly writer: string
  readonly reader?: string
  readonly instance: string
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
}

const DOMAIN = 'c9akciq32.us-east-1.rds.amazonaws.com'
const CLUSTER = 'mydb'
const GREEN_SUFFIX = '-green-x7k2p9'
const INSTANCE = 'mydb-instance-1'
const GREEN_INSTANCE_SUFFIX = '-green-q3w4e5'

function side(writer: string, instance: string, reader?: string): SideNames {
  const all = [...new Set([writer, ...(reader === undefined ? [] : [reader]), instance])]
  return Object.freeze(reader === undefined ? { writer, instance, all } : { writer, reader, instance, all })
}

function clusterSide(cluster: string, instance: string): SideNames {
  return side(`${cluster}.cluster-${DOMAIN}`, `${instance}.${DOMAIN}`, `${cluster}.cluster-ro-${DOMAIN}`)
}

/**
 * The names of a deployment in the given topology.
 *
 * @example
 * labNames('rds-instance').green.writer // 'mydb-green-x7k2p9.c9akciq32.us-east-1.rds.amazonaws.com'
 */
export function labNames(topology: LabTopology): LabNames {
  if (topology === 'aurora') {
    return Object.freeze({
      topology,
      blue: clusterSide(CLUSTER, INSTANCE),
      green: clusterSide(CLUSTER + GREEN_SUFFIX, INSTANCE + GREEN_INSTANCE_SUFFIX),
      old: clusterSide(`${CLUSTER}-old1`, `${INSTANCE}-old1`),
      serverIds: { blue: INSTANCE, green: INSTANCE + GREEN_INSTANCE_SUFFIX, old: `${INSTANCE}-old1` },
    })
  }
  const name = (id: string): SideNames => side(`${id}.${DOMAIN}`, `${id}.${DOMAIN}`)
  return Object.freeze({
    topology,
    blue: name(CLUSTER),
    green: name(CLUSTER + GREEN_SUFFIX),
    old: name(`${CLUSTER}-old1`),
    serverIds: { blue: CLUSTER, green: CLUSTER + GREEN_SUFFIX, old: `${CLUSTER}-old1` },
  })
}
