import { mkdtempSync, rmSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import tls from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { silentLogger } from '../../core/runtime.js'
import { BlueGreenPgClient } from '../../integrations/pg/index.js'
import type { Handshake } from './helpers/tls-switchover.js'
import { BLUE, GREEN_IP, certificate, lookup, reachPost } from './helpers/tls-switchover.js'

/**
 * TLS through an IP substitution: the socket dials the green IP while the host name stays the TLS servername and
 * the name the certificate is checked against. The server is a minimal PostgreSQL TLS endpoint (it answers the
 * SSLRequest with 'S', completes the TLS handshake, records the SNI name, then closes).
 */

let dir: string
let server: net.Server
let port: number
const handshakes: Handshake[] = []

let rds: { key: string; cert: string }

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bg-tls-'))
  // The certificate names the blue (user-facing) RDS name, as RDS certificates cover the endpoint names.
  rds = certificate(dir, BLUE)
  server = net.createServer((socket) => {
    socket.once('data', () => {
      socket.write('S')
      const secure = new tls.TLSSocket(socket, { isServer: true, key: rds.key, cert: rds.cert })
      const record = { servername: false as string | false, ok: false }
      handshakes.push(record)
      secure.on('secure', () => {
        record.servername = secure.servername ?? false
        record.ok = true
        secure.destroy()
      })
      secure.on('error', () => secure.destroy())
    })
    socket.on('error', () => undefined)
  })
  await new Promise<void>((resolve) => server.listen(0, GREEN_IP, resolve))
  port = (server.address() as net.AddressInfo).port
})

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve))
  rmSync(dir, { recursive: true, force: true })
})

async function connectThroughSwitchover(ca: string, bgdId: string): Promise<unknown> {
  const { deployment, source } = await reachPost(bgdId, port)
  const client = new BlueGreenPgClient({
    host: BLUE,
    port,
    user: 'app',
    database: 'app',
    ssl: { ca, rejectUnauthorized: true },
    connectionTimeoutMillis: 2000,
    blueGreen: { bgdId, lookup, metadataSource: source, logger: silentLogger },
  })
  client.on('error', () => undefined)
  const err = await client.connect().then(
    () => undefined,
    (e: unknown) => e,
  )
  await client.end().catch(() => undefined)
  await deployment.release()
  return err
}

describe('TLS with IP substitution', () => {
  it('a connection sent to the green IP verifies the certificate for the host name and sends it as SNI', async () => {
    handshakes.length = 0
    const err = await connectThroughSwitchover(rds.cert, 'tls-ok')
    // The fake server closes after the handshake, so connect fails, but never on the certificate.
    expect(String((err as Error | undefined)?.message)).not.toMatch(/certificate|altname|self.signed/i)
    const last = handshakes.at(-1)
    expect(last).toEqual({ servername: BLUE, ok: true })
  })

  it('fails against a certificate for another name', async () => {
    handshakes.length = 0
    const other = certificate(dir, 'other.example.com')
    const err = (await connectThroughSwitchover(other.cert, 'tls-wrong')) as {
      code?: string
      message?: string
    }
    expect(`${err.code ?? ''} ${err.message ?? ''}`).toMatch(
      /UNABLE_TO_VERIFY|self.signed|DEPTH_ZERO|altname|certificate/i,
    )
  })
})
