/** The few DNS wire-format pieces the lab server needs (RFC 1035): one question in, zero or one A answer out. */

export const TYPE_A = 1
export const TYPE_AAAA = 28

export interface DnsQuestion {
  readonly id: number
  readonly flags: number
  readonly name: string
  readonly type: number
  /** The question section as received, echoed in the answer. */
  readonly questionBytes: Buffer
}

/** Parses the header and first question; returns undefined for anything malformed (it is then ignored). */
export function parseQuery(msg: Buffer): DnsQuestion | undefined {
  if (msg.length < 17 || msg.readUInt16BE(4) < 1) return undefined
  const labels: string[] = []
  let off = 12
  while (off < msg.length) {
    const len = msg[off] ?? 0
    if (len === 0) break
    if (len > 63 || off + 1 + len > msg.length) return undefined
    labels.push(msg.toString('ascii', off + 1, off + 1 + len))
    off += 1 + len
  }
  if (off + 5 > msg.length) return undefined
  const type = msg.readUInt16BE(off + 1)
  return {
    id: msg.readUInt16BE(0),
    flags: msg.readUInt16BE(2),
    name: labels.join('.').toLowerCase(),
    type,
    questionBytes: msg.subarray(12, off + 5),
  }
}

export const RCODE_NOERROR = 0
export const RCODE_NXDOMAIN = 3

/** Builds an authoritative answer: an A record when `ip` is given, else an empty answer with `rcode`. */
export function buildAnswer(q: DnsQuestion, rcode: number, ip: string | undefined, ttl: number): Buffer {
  const header = Buffer.alloc(12)
  header.writeUInt16BE(q.id, 0)
  // QR=1, opcode copied, AA=1, RD copied, RA=1.
  header.writeUInt16BE(0x8000 | (q.flags & 0x7800) | 0x0400 | (q.flags & 0x0100) | 0x0080 | rcode, 2)
  header.writeUInt16BE(1, 4)
  header.writeUInt16BE(ip === undefined ? 0 : 1, 6)
  if (ip === undefined) return Buffer.concat([header, q.questionBytes])
  const rr = Buffer.alloc(16)
  rr.writeUInt16BE(0xc00c, 0) // name: pointer to the question
  rr.writeUInt16BE(TYPE_A, 2)
  rr.writeUInt16BE(1, 4) // class IN
  rr.writeUInt32BE(ttl, 6)
  rr.writeUInt16BE(4, 10)
  ip.split('.').forEach((octet, i) => rr.writeUInt8(Number(octet), 12 + i))
  return Buffer.concat([header, q.questionBytes, rr])
}
