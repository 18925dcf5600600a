import mysql from 'mysql2'
import type { PipeEnd } from './duplex-pair.js'
import { duplexPair } from './duplex-pair.js'

/** The server side of mysql2's own protocol implementation (`mysql.createServer()`), as far as the fake uses it. */
interface ServerConnection {
  serverHandshake(args: Record<string, unknown>): void
  on(event: string, listener: (...args: never[]) => void): void
  writeOk(args?: { affectedRows?: number; insertId?: number }): void
  writeColumns(columns: readonly Record<string, unknown>[]): void
  writeTextRow(values: readonly unknown[]): void
  writeBinaryRow(values: readonly unknown[]): void
  writeEof(): void
  writePacket(packet: { length(): number; writeHeader(sequence: number): void; buffer: Buffer }): void
  readonly stream: { end(): void }
  sequenceId: number
  handlePacket(packet?: { sequenceId: number } | null): void
}

interface FakeServer {
  _handleConnection(socket: PipeEnd): void
  on(event: 'connection', listener: (connection: ServerConnection) => void): void
}

const column = (name: string): Record<string, unknown> => ({
  catalog: 'def',
  schema: 'test',
  table: '',
  orgTable: '',
  name,
  orgName: name,
  characterSet: 63,
  columnLength: 11,
  columnType: 3, // LONG
  flags: 0,
  decimals: 0,
})

const isSelect = (sql: string): boolean => /^\s*select\b/i.test(sql)

/** A statement's result: the read-only probe's column, one int row for a SELECT, else one affected row. */
function answer(connection: ServerConnection, sql: string, binary: boolean): void {
  if (!isSelect(sql)) return connection.writeOk({ affectedRows: 1, insertId: 1 })
  const probe = sql.includes('bg_read_only')
  connection.writeColumns([column(probe ? 'bg_read_only' : 'v')])
  if (binary) connection.writeBinaryRow([probe ? 0 : 1])
  else connection.writeTextRow([probe ? 0 : 1])
  connection.writeEof()
}

function lenencString(s: string): Buffer {
  const bytes = Buffer.from(s, 'utf8')
  return Buffer.concat([Buffer.from([bytes.length]), bytes])
}

/** Writes one packet of `payload` (the header is filled in by mysql2 with the connection's sequence id). */
function writeRaw(connection: ServerConnection, payload: Buffer): void {
  const buffer = Buffer.concat([Buffer.alloc(4), payload])
  connection.writePacket({
    buffer,
    length: () => payload.length,
    writeHeader(sequence) {
      buffer.writeUIntLE(payload.length, 0, 3)
      buffer.writeUInt8(sequence, 3)
    },
  })
}

/** A column definition (protocol 4.1) of an int column. */
function definition(name: string): Buffer {
  const fixed = Buffer.alloc(13)
  fixed.writeUInt8(0x0c, 0)
  fixed.writeUInt16LE(63, 1) // binary charset
  fixed.writeUInt32LE(11, 3)
  fixed.writeUInt8(3, 7) // LONG
  return Buffer.concat([...['def', 'test', '', '', name, name].map(lenencString), fixed])
}

const EOF = Buffer.from([0xfe, 0, 0, 2, 0])

/** COM_STMT_PREPARE_OK, then one definition per `?` and per result column (mysql2 has no server-side helper). */
function prepared(connection: ServerConnection, id: number, sql: string): void {
  const params = sql.split('?').length - 1
  const columns = isSelect(sql) ? 1 : 0
  const header = Buffer.alloc(12)
  header.writeUInt32LE(id, 1)
  header.writeUInt16LE(columns, 5)
  header.writeUInt16LE(params, 7)
  writeRaw(connection, header)
  if (params > 0) {
    for (let i = 0; i < params; i++) writeRaw(connection, definition('?'))
    writeRaw(connection, EOF)
  }
  if (columns > 0) {
    writeRaw(connection, definition('v'))
    writeRaw(connection, EOF)
  }
}

let server: FakeServer | undefined

/**
 * A MySQL server in the same process, enough for the hot-path benchmark: mysql2's own server-side protocol over
 * an in-process pipe (no authentication check), text queries and prepared statements. A SELECT returns one int
 * row; anything else one affected row.
 *
 * @example
 * const connection = mysql.createConnection({ stream: () => fakeMysqlSocket() })
 */
export function fakeMysqlSocket(): PipeEnd {
  server ??= listen()
  const [client, side] = duplexPair()
  server._handleConnection(side)
  return client
}

function listen(): FakeServer {
  const created = (mysql.createServer as unknown as () => FakeServer)()
  let connections = 0
  created.on('connection', (connection) => {
    const statements = new Map<number, string>()
    // mysql2's server side keeps counting sequence ids across commands; every command starts a new sequence.
    const handle = connection.handlePacket.bind(connection)
    connection.handlePacket = (packet) => {
      if (packet != null) connection.sequenceId = packet.sequenceId
      handle(packet)
    }
    connection.serverHandshake({
      protocolVersion: 10,
      serverVersion: '8.0.36-fake',
      connectionId: ++connections,
      statusFlags: 2,
      characterSet: 8,
      capabilityFlags: 0xffffff,
    })
    connection.on('query', (sql: string) => answer(connection, sql, false))
    connection.on('stmt_prepare', (sql: string) => {
      const id = statements.size + 1
      statements.set(id, sql)
      prepared(connection, id, sql)
    })
    connection.on('stmt_execute', (id: number) => answer(connection, statements.get(id) ?? '', true))
    connection.on('quit', () => connection.stream.end())
    connection.on('error', () => undefined)
  })
  return created
}
