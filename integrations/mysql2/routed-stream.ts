import { RoutedSocket } from '../shared/routed-socket.js'
import type { DeploymentBinding } from '../shared/deployment-binding.js'
import type { DeploymentHandle } from '../../core/registry.js'
import type { LookupFunction } from '../../core/runtime.js'
import type { ConnectTarget } from '../../core/types.js'
import { serverMemory } from '../shared/read-only.js'

/** The part of a mysql2 connection config the stream factory reads. */
export interface MysqlStreamConfig {
  readonly host?: string
  readonly port?: number
  readonly socketPath?: string
  readonly enableKeepAlive?: boolean
  readonly keepAliveInitialDelay?: number
  /** mysql2 arms its connect timer with this right after calling the factory (a per-connection copy). */
  connectTimeout?: number
}

/** What mysql2 passes to a `stream` factory. */
export interface MysqlStreamOptions {
  readonly config: MysqlStreamConfig
}

/** The socket each connection config dialed (mysql2 keeps `connection.config` === the factory's `opts.config`). */
const socketByConfig = new WeakMap<object, RoutedSocket>()

/**
 * The routed socket behind a mysql2 connection, found through its config object.
 *
 * @example
 * ```ts
 * socketOf(connection.config)?.dialedAddress // '10.0.0.7'
 * ```
 */
export function socketOf(config: object): RoutedSocket | undefined {
  return socketByConfig.get(config)
}

/**
 * A mysql2 `stream` factory: returns an unconnected socket at once (mysql2 calls it synchronously), routes the
 * connection through the deployment (hold, substitute, reject before dialing), then dials. mysql2 keeps
 * `config.host` for SNI and `verifyIdentity`, so only the socket learns the substituted IP. A failed routing
 * destroys the socket with the typed error, which mysql2 reports as the connection error.
 *
 * @example
 * ```ts
 * mysql.createPool({ ...config, stream: routedStream(binding, lookup, false) })
 * ```
 */
export function routedStream(
  binding: DeploymentBinding,
  lookup: LookupFunction | undefined,
  releaseOnClose: boolean,
  /** A standalone connection's wait for a writable server before it dials (see wait-writable.ts). */
  beforeDial?: (handle: DeploymentHandle, target: ConnectTarget) => Promise<void>,
): (opts: MysqlStreamOptions) => RoutedSocket {
  return (opts) => {
    const { config } = opts
    const keepAlive = config.enableKeepAlive === false ? undefined : (config.keepAliveInitialDelay ?? 0)
    const socket = new RoutedSocket({ lookup, keepAliveInitialDelayMs: keepAlive })
    socketByConfig.set(config, socket)
    if (releaseOnClose) socket.once('close', () => void binding.release())
    if (config.socketPath !== undefined) return socket.connect(config.socketPath)
    const target = { host: config.host ?? 'localhost', port: config.port ?? 3306 }
    const handle = binding.handle()
    if (handle === undefined) return socket.connect(target.port, target.host)
    // A connect held while IN_PROGRESS (or waiting for a writable server) must end with the library's typed
    // outcome within bgConnectTimeoutMs, not with mysql2's own ETIMEDOUT, whose timer starts now: the dial itself
    // keeps its full connectTimeout.
    const waits = beforeDial !== undefined && serverMemory().shouldProbe(target)
    if ((waits || handle.snapshot().phase === 'IN_PROGRESS') && typeof config.connectTimeout === 'number') {
      if (config.connectTimeout > 0) config.connectTimeout += binding.init.options.connectTimeoutMs
    }
    const ready = waits ? beforeDial(handle, target) : Promise.resolve()
    ready
      .then(() => handle.routeConnect(target))
      .then(
        (plan) => {
          if (socket.destroyed) return
          socket.override =
            plan.kind === 'substitute' ? { address: plan.address, port: plan.port } : undefined
          socket.connect(target.port, target.host)
        },
        (err: unknown) => socket.destroy(err instanceof Error ? err : new Error(String(err))),
      )
    return socket
  }
}
