import { Transform } from 'node:stream'

/**
 * A PostgreSQL server-to-client byte filter that drops the ParameterStatus messages for `names`, so a PostgreSQL
 * 15 server looks like one before 14 (which reports neither `default_transaction_read_only` nor
 * `in_hot_standby`). Plain (non-TLS) connections only.
 *
 * @example
 * ```ts
 * await startTcpProxy('127.0.1.3', 0, PG, () => dropParameterStatus(['default_transaction_read_only']))
 * ```
 */
export function dropParameterStatus(names: readonly string[]): Transform {
  let pending = Buffer.alloc(0)
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      pending = Buffer.concat([pending, chunk])
      const out: Buffer[] = []
      while (pending.length >= 5) {
        const length = pending.readUInt32BE(1)
        if (pending.length < 1 + length) break
        const message = pending.subarray(0, 1 + length)
        pending = pending.subarray(1 + length)
        if (message[0] === 0x53 /* 'S' */) {
          const name = message.subarray(5, message.indexOf(0, 5)).toString('utf8')
          if (names.includes(name)) continue
        }
        out.push(message)
      }
      done(null, Buffer.concat(out))
    },
  })
}
