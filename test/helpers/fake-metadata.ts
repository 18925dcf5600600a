import type { MetadataDiagnosis } from '../../core/metadata/diagnosis.js'
import type {
  MetadataConnection,
  MetadataSource,
  MonitoringTarget,
  RawMetadataRow,
  RawTopologyRow,
  StatusReadResult,
} from '../../core/metadata/source.js'
import type { Resolver } from '../../core/runtime.js'

export const DOMAIN = 'c9akciq32.us-east-1.rds.amazonaws.com'
export const BLUE = `mydb.${DOMAIN}`
export const GREEN = `mydb-green-x7k2p9.${DOMAIN}`
export const OLD = `mydb-old1.${DOMAIN}`
export const BLUE_IP = '127.0.1.1'
export const GREEN_IP = '127.0.1.2'

const STATUS = {
  CREATED: 'AVAILABLE',
  PREPARATION: 'SWITCHOVER_INITIATED',
  IN_PROGRESS: 'SWITCHOVER_IN_PROGRESS',
  POST: 'SWITCHOVER_IN_POST_PROCESSING',
  COMPLETED: 'SWITCHOVER_COMPLETED',
} as const

/** A metadata row as a database returns it. */
export function row(
  endpoint: string,
  role: 'SOURCE' | 'TARGET',
  phase: keyof typeof STATUS,
  port = 5432,
): RawMetadataRow {
  return {
    endpoint,
    port,
    role: role === 'SOURCE' ? 'BLUE_GREEN_DEPLOYMENT_SOURCE' : 'BLUE_GREEN_DEPLOYMENT_TARGET',
    status: STATUS[phase],
    version: '1.0',
  }
}

/** Unreadable metadata with the source's diagnosis (what the pg and mysql2 sources report). */
export interface Unreadable {
  readonly unavailable: string
  readonly diagnosis?: MetadataDiagnosis
}

/** What one fake server answers. */
export type ServerState = readonly RawMetadataRow[] | 'unavailable' | Unreadable | Error

/** A fake world of servers keyed by address, with a mutable DNS. */
export class FakeWorld implements MetadataSource, Resolver {
  readonly name = 'fake'
  readonly servers = new Map<string, ServerState>()
  readonly topology = new Map<string, readonly RawTopologyRow[]>()
  readonly dns = new Map<string, string>()
  readonly down = new Set<string>()
  readonly connects: MonitoringTarget[] = []
  readonly lookups: string[] = []
  readonly #open = new Set<FakeConnection>()
  statusReads = 0
  dnsDown = false

  async resolve(host: string): Promise<string | undefined> {
    this.lookups.push(host)
    if (this.dnsDown) throw Object.assign(new Error(`getaddrinfo EAI_AGAIN ${host}`), { code: 'EAI_AGAIN' })
    return this.dns.get(host)
  }

  async connect(target: MonitoringTarget): Promise<MetadataConnection> {
    this.connects.push(target)
    const address = this.dns.get(target.address) ?? target.address
    if (this.down.has(address) || !this.servers.has(address))
      throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
    const connection = new FakeConnection(this, address)
    this.#open.add(connection)
    return connection
  }

  /** Set the rows (or failure) every server answers. */
  setAll(state: ServerState): void {
    for (const address of this.servers.keys()) this.servers.set(address, state)
  }

  /** Cut every open connection, as a switchover does. */
  cutAll(): void {
    for (const c of this.#open) c.closed = true
    this.#open.clear()
  }

  openConnections(): number {
    return [...this.#open].filter((c) => !c.closed).length
  }

  forget(connection: FakeConnection): void {
    this.#open.delete(connection)
  }
}

class FakeConnection implements MetadataConnection {
  closed = false
  readonly #world: FakeWorld
  readonly address: string

  constructor(world: FakeWorld, address: string) {
    this.#world = world
    this.address = address
  }

  async readStatus(): Promise<StatusReadResult> {
    if (this.closed || this.#world.down.has(this.address)) {
      this.closed = true
      throw Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' })
    }
    this.#world.statusReads++
    const state = this.#world.servers.get(this.address)
    if (state === undefined || state === 'unavailable') return { kind: 'unavailable', reason: 'no metadata' }
    if (state instanceof Error) throw state
    if ('unavailable' in state) {
      const { unavailable: reason, diagnosis } = state
      return diagnosis === undefined
        ? { kind: 'unavailable', reason }
        : { kind: 'unavailable', reason, diagnosis }
    }
    return { kind: 'rows', rows: state }
  }

  async readTopology(): Promise<readonly RawTopologyRow[] | undefined> {
    return this.#world.topology.get(this.address)
  }

  isOpen(): boolean {
    return !this.closed
  }

  async close(): Promise<void> {
    this.closed = true
    this.#world.forget(this)
  }
}

/** An RDS-instance deployment: blue and green servers carrying both rows, DNS for both names. */
export function rdsInstanceWorld(): FakeWorld {
  const world = new FakeWorld()
  world.dns.set(BLUE, BLUE_IP)
  world.dns.set(GREEN, GREEN_IP)
  const rows = [row(BLUE, 'SOURCE', 'CREATED'), row(GREEN, 'TARGET', 'CREATED')]
  world.servers.set(BLUE_IP, rows)
  world.servers.set(GREEN_IP, rows)
  return world
}

/** Both sides report `phase`. */
export function setPhase(world: FakeWorld, phase: keyof typeof STATUS, renamed = false): void {
  const rows = renamed
    ? [row(OLD, 'SOURCE', phase), row(BLUE, 'TARGET', phase)]
    : [row(BLUE, 'SOURCE', phase), row(GREEN, 'TARGET', phase)]
  world.setAll(rows)
}

export const CLUSTER = `mydb.cluster-${DOMAIN}`
export const CLUSTER_RO = `mydb.cluster-ro-${DOMAIN}`
export const GREEN_CLUSTER = `mydb-green-x7k2p9.cluster-${DOMAIN}`
export const GREEN_CLUSTER_RO = `mydb-green-x7k2p9.cluster-ro-${DOMAIN}`

/** An Aurora deployment: one writer and one reader per side, cluster endpoints, instance topology. */
export function auroraWorld(): FakeWorld {
  const world = new FakeWorld()
  const ips: [string, string][] = [
    [CLUSTER, '127.0.1.1'],
    [CLUSTER_RO, '127.0.1.3'],
    [`mydb-instance-1.${DOMAIN}`, '127.0.1.1'],
    [`mydb-instance-2.${DOMAIN}`, '127.0.1.3'],
    [GREEN_CLUSTER, '127.0.1.2'],
    [GREEN_CLUSTER_RO, '127.0.1.4'],
    [`mydb-instance-1-green-q3w4e5.${DOMAIN}`, '127.0.1.2'],
    [`mydb-instance-2-green-r5t6y7.${DOMAIN}`, '127.0.1.4'],
  ]
  for (const [name, ip] of ips) world.dns.set(name, ip)
  const rows = [row(CLUSTER, 'SOURCE', 'CREATED'), row(GREEN_CLUSTER, 'TARGET', 'CREATED')]
  for (const ip of ['127.0.1.1', '127.0.1.2', '127.0.1.3', '127.0.1.4']) world.servers.set(ip, rows)
  const blue: RawTopologyRow[] = [
    { id: 'mydb-instance-1', role: 'WRITER' },
    { id: 'mydb-instance-2', role: 'READER' },
  ]
  const green: RawTopologyRow[] = [
    { id: 'mydb-instance-1-green-q3w4e5', role: 'WRITER' },
    { id: 'mydb-instance-2-green-r5t6y7', role: 'READER' },
  ]
  world.topology.set('127.0.1.1', blue)
  world.topology.set('127.0.1.3', blue)
  world.topology.set('127.0.1.2', green)
  world.topology.set('127.0.1.4', green)
  return world
}
