import { mkdtempSync, rmSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import tls from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { silentLogger } from '../../core/runtime.js'
import { createConnection } from '../../integrations/mysql2/index.js'
import type { Handshake } from './helpers/tls-switchover.js'
import { BLUE, GREEN_IP, certificate, lookup, reachPost } from './helpers/tls-switchover.js'

/**
 * TLS through an IP substitution with mysql2, which takes SNI and the identity check from `config.host` only: the
 * routed stream dials the green IP while `host` stays the RDS name. The server is a minimal MySQL TLS endpoint: a
 * protocol-10 greeting offering SSL, then the TLS handshake on the client's SSLRequest; it records the SNI name.
 */

let dir: string
let server: net.Server
let port: number
let rds: { key: string; cert: string }
const handshakes: Handshake[] = []

/** A MySQL protocol-10 initial handshake packet offering CLIENT_SSL and CLIENT_PROTOCOL_41. */
function greeting(): Buffer {
  const capabilities = 0x0000_0200 | 0x0000_0800 | 0x0000_8000 | 0x0008_0000 // PROTOCOL_41, SSL, SECURE_CONN, PLUGIN_AUTH
  const payload = Buffer.concat([
    Buffer.from([10]),
    Buffer.from('8.0.36\0'),
    Buffer.from([1, 0, 0, 0]), // connection id
    Buffer.from('abcdefgh'), // auth data part 1
    Buffer.from([0]),
    Buffer.from([capabilities & 0xff, (capabilities >> 8) & 0xff]),
    Buffer.from([33]), // utf8_general_ci
    Buffer.from([2, 0]), // status: autocommit
    Buffer.from([(capabilities >> 16) & 0xff, (capabilities >> 24) & 0xff]),
    Buffer.from([21]),
    Buffer.alloc(10),
    Buffer.from('ijklmnopqrst\0'), // auth data part 2
    Buffer.from('mysql_native_password\0'),
  ])
  const header = Buffer.from([payload.length & 0xff, (payload.length >> 8) & 0xff, payload.length >> 16, 0])
  return Buffer.concat([header, payload])
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bg-mysql-tls-'))
  rds = certificate(dir, BLUE)
  server = net.createServer((socket) => {
    socket.on('error', () => undefined)
    socket.write(greeting())
    socket.once('data', (chunk: Buffer) => {
      // The client sends its SSLRequest packet and starts TLS at once: hand the bytes after it to TLS.
      const rest = chunk.subarray(4 + chunk.readUIntLE(0, 3))
      socket.pause()
      if (rest.length > 0) socket.unshift(rest)
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
  })
  await new Promise<void>((resolve) => server.listen(0, GREEN_IP, resolve))
  port = (server.address() as net.AddressInfo).port
})

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve))
  rmSync(dir, { recursive: true, force: true })
})

async function connectThroughSwitchover(
  ca: string,
  bgdId: string,
): Promise<{ code?: string; message?: string }> {
  const { deployment, source } = await reachPost(bgdId, port)
  const connection = createConnection({
    host: BLUE,
    port,
    user: 'app',
    ssl: { ca, rejectUnauthorized: true, verifyIdentity: true },
    connectTimeout: 2000,
    blueGreen: { bgdId, lookup, metadataSource: source, logger: silentLogger },
  })
  const err = await new Promise<{ code?: string; message?: string }>((resolve) => {
    connection.once('error', (e: { code?: string; message?: string }) => resolve(e))
    connection.once('connect', () => resolve({}))
  })
  connection.destroy()
  await deployment.release()
  return err
}

describe('mysql2: TLS with IP substitution', () => {
  it('dials the green IP, sends the RDS name as SNI and verifies the certificate against it', async () => {
    handshakes.length = 0
    const err = await connectThroughSwitchover(rds.cert, 'mysql-tls-ok')
    expect(`${err.code ?? ''} ${err.message ?? ''}`).not.toMatch(
      /certificate|altname|self.signed|UNABLE_TO_VERIFY/i,
    )
    expect(handshakes.at(-1)).toEqual({ servername: BLUE, ok: true })
  })

  it('fails against a certificate for another name', async () => {
    const other = certificate(dir, 'other.example.com')
    const err = await connectThroughSwitchover(other.cert, 'mysql-tls-wrong')
    expect(`${err.code ?? ''} ${err.message ?? ''}`).toMatch(
      /UNABLE_TO_VERIFY|self.signed|DEPTH_ZERO|altname|certificate/i,
    )
  })
})
