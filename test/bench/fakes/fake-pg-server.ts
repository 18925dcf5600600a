import type { PipeEnd } from './duplex-pair.js'
import { duplexPair } from './duplex-pair.js'

/**
 * A PostgreSQL backend in the same process, enough for the hot-path benchmark: trust authentication, the simple
 * and the extended query protocol (unnamed and named statements), and the transaction status a real server
 * reports. A statement starting with SELECT returns one int4 row; anything else only its command tag.
 *
 * @example
 * const client = new pg.Client({ stream: () => fakePgSocket() })
 */
export function fakePgSocket(): PipeEnd {
  const [client, server] = duplexPair()
  new FakePgBackend(server)
  return client
}

function message(type: string, body: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(5)
  head.write(type, 0, 'latin1')
  head.writeInt32BE(body.length + 4, 1)
  return Buffer.concat([head, body])
}

const cstring = (s: string): Buffer => Buffer.from(`${s}\0`, 'utf8')

function int32(n: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeInt32BE(n)
  return b
}

function int16(n: number): Buffer {
  const b = Buffer.alloc(2)
  b.writeInt16BE(n)
  return b
}

const ROW_DESCRIPTION = message(
  'T',
  Buffer.concat([int16(1), cstring('v'), int32(0), int16(0), int32(23), int16(4), int32(-1), int16(0)]),
)
const DATA_ROW = message('D', Buffer.concat([int16(1), int32(1), Buffer.from('1')]))
const PARSE_COMPLETE = message('1')
const BIND_COMPLETE = message('2')
const NO_DATA = message('n')
const tags = new Map<string, Buffer>()

function commandComplete(sql: string): Buffer {
  const word = /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? ''
  const tag = word === 'SELECT' ? 'SELECT 1' : word === 'INSERT' ? 'INSERT 0 1' : word
  let packet = tags.get(tag)
  if (packet === undefined) {
    packet = message('C', cstring(tag))
    tags.set(tag, packet)
  }
  return packet
}

const isSelect = (sql: string): boolean => /^\s*select\b/i.test(sql)

class FakePgBackend {
  readonly #socket: PipeEnd
  #buffer: Buffer = Buffer.alloc(0)
  #started = false
  #status = 'I'
  /** Statement text by name ('' is the unnamed one); the portal runs the last bound statement. */
  readonly #statements = new Map<string, string>()
  #portal = ''

  constructor(socket: PipeEnd) {
    this.#socket = socket
    socket.on('data', (chunk: Buffer) => this.#receive(chunk))
    socket.on('end', () => socket.end())
  }

  #receive(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk])
    const out: Buffer[] = []
    for (;;) {
      if (!this.#started) {
        if (this.#buffer.length < 4) break
        const length = this.#buffer.readInt32BE(0)
        if (this.#buffer.length < length) break
        this.#buffer = this.#buffer.subarray(length)
        this.#started = true
        out.push(this.#hello())
        continue
      }
      if (this.#buffer.length < 5) break
      const length = this.#buffer.readInt32BE(1)
      if (this.#buffer.length < length + 1) break
      const type = String.fromCharCode(this.#buffer[0] ?? 0)
      const body = this.#buffer.subarray(5, length + 1)
      this.#buffer = this.#buffer.subarray(length + 1)
      this.#answer(type, body, out)
    }
    if (out.length > 0) this.#socket.write(out.length === 1 ? out[0] : Buffer.concat(out))
  }

  #hello(): Buffer {
    return Buffer.concat([
      message('R', int32(0)),
      message('S', Buffer.concat([cstring('server_version'), cstring('16.0')])),
      message('S', Buffer.concat([cstring('default_transaction_read_only'), cstring('off')])),
      message('S', Buffer.concat([cstring('in_hot_standby'), cstring('off')])),
      message('K', Buffer.concat([int32(1), int32(2)])),
      this.#ready(),
    ])
  }

  #ready(): Buffer {
    return message('Z', Buffer.from(this.#status, 'latin1'))
  }

  #answer(type: string, body: Buffer, out: Buffer[]): void {
    switch (type) {
      case 'Q': {
        const sql = body.toString('utf8', 0, body.length - 1)
        this.#track(sql)
        if (isSelect(sql)) out.push(ROW_DESCRIPTION, DATA_ROW)
        out.push(commandComplete(sql), this.#ready())
        return
      }
      case 'P': {
        const nameEnd = body.indexOf(0)
        const textEnd = body.indexOf(0, nameEnd + 1)
        this.#statements.set(body.toString('utf8', 0, nameEnd), body.toString('utf8', nameEnd + 1, textEnd))
        out.push(PARSE_COMPLETE)
        return
      }
      case 'B': {
        const portalEnd = body.indexOf(0)
        const nameEnd = body.indexOf(0, portalEnd + 1)
        this.#portal = this.#statements.get(body.toString('utf8', portalEnd + 1, nameEnd)) ?? ''
        out.push(BIND_COMPLETE)
        return
      }
      case 'D':
        out.push(isSelect(this.#portal) ? ROW_DESCRIPTION : NO_DATA)
        return
      case 'E':
        this.#track(this.#portal)
        if (isSelect(this.#portal)) out.push(DATA_ROW)
        out.push(commandComplete(this.#portal))
        return
      case 'S':
        out.push(this.#ready())
        return
      case 'X':
        this.#socket.end()
        return
      default:
        return
    }
  }

  #track(sql: string): void {
    if (/^\s*(begin|start)\b/i.test(sql)) this.#status = 'T'
    else if (/^\s*(commit|rollback|end|abort)\b/i.test(sql)) this.#status = 'I'
  }
}
