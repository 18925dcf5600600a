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

/** What one fake server answers. */
export type ServerState = readonly RawMetadataRow[] | 'unavailable' | Error

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

  async resolve(host: string): Promise<string | undefined> {
    this.lookups.push(host)
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
    return { kind: 'rows', rows: state }
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
