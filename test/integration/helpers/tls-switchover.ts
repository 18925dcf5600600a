import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'vitest'
import { resolveOptions } from '../../../core/options.js'
import type { DeploymentHandle } from '../../../core/registry.js'
import { acquireDeployment, getStatus } from '../../../core/registry.js'
import type { LookupFunction } from '../../../core/runtime.js'
import { lookupResolver, silentLogger } from '../../../core/runtime.js'
import { RowsSource } from './rows-source.js'

/** The names and address of the TLS tests: blue resolves nowhere, green to the local TLS endpoint. */
export const BLUE = 'mydb.c9akciq32.us-east-1.rds.amazonaws.com'
export const GREEN = 'mydb-green-x7k2p9.c9akciq32.us-east-1.rds.amazonaws.com'
export const GREEN_IP = '127.0.0.1'

/** Only the substitution can reach the server: the blue name does not resolve. */
export const lookup: LookupFunction = (host, _options, callback) =>
  host === GREEN
    ? callback(null, GREEN_IP, 4)
    : callback(Object.assign(new Error('unreachable'), { code: 'ENOTFOUND' }), '', 0)

/** A TLS handshake the fake server saw: the SNI name and whether it completed. */
export interface Handshake {
  servername: string | false
  ok: boolean
}

/**
 * A self-signed certificate (its own CA) for `name`, made with openssl in `dir`.
 *
 * @example
 * const { key, cert } = certificate(dir, BLUE)
 */
export function certificate(dir: string, name: string): { key: string; cert: string } {
  const key = join(dir, `${name}.key`)
  const cert = join(dir, `${name}.crt`)
  const subject = ['-subj', `/CN=${name}`, '-addext', `subjectAltName=DNS:${name}`]
  const args = ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-keyout', key, '-out', cert]
  execFileSync('openssl', [...args, ...subject], { stdio: 'ignore' })
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') }
}

/**
 * Starts deployment `bgdId`'s monitors over an in-memory source and takes it through CREATED (the start
 * snapshot) to POST, as a long-running application would have seen it; the caller connects, then releases.
 *
 * @example
 * const { deployment, source } = await reachPost('tls-ok', port)
 */
export async function reachPost(
  bgdId: string,
  port: number,
): Promise<{ deployment: DeploymentHandle; source: RowsSource }> {
  const source = new RowsSource(BLUE, GREEN, port)
  source.setPhase('CREATED')
  const deployment = acquireDeployment({
    options: resolveOptions({ bgdId, bgHighMs: 50, bgIncreasedMs: 500 }),
    source,
    initialHost: { host: BLUE, port },
    resolver: lookupResolver(lookup),
    logger: silentLogger,
  })
  const until = async (phase: string): Promise<void> => {
    for (let i = 0; i < 200 && getStatus(bgdId)?.phase !== phase; i++)
      await new Promise((r) => setTimeout(r, 20))
    expect(getStatus(bgdId)?.phase).toBe(phase)
  }
  await until('CREATED')
  await new Promise((r) => setTimeout(r, 700)) // the start snapshot is taken on the round after CREATED
  source.setPhase('POST')
  await until('POST')
  return { deployment, source }
}
