import { afterEach, describe, expect, it } from 'vitest'
import type { Coordinator } from '../../core/coordinator.js'
import { decideConnect } from '../../core/routing/router.js'
import { startCoordinator } from '../helpers/deployment.js'
import {
  CLUSTER,
  CLUSTER_RO,
  DOMAIN,
  GREEN_CLUSTER,
  GREEN_CLUSTER_RO,
  auroraWorld,
  row,
} from '../helpers/fake-metadata.js'

let running: Coordinator | undefined
afterEach(async () => {
  await running?.close()
  running = undefined
})

const instance1 = `mydb-instance-1.${DOMAIN}`
const instance2 = `mydb-instance-2.${DOMAIN}`
const greenInstance1 = `mydb-instance-1-green-q3w4e5.${DOMAIN}`

describe('Aurora cluster deployment', () => {
  it('keeps cluster endpoints next to topology hosts (Node bug N8) and pairs them by type', async () => {
    const world = auroraWorld()
    const { coordinator, clock } = startCoordinator(world, {}, { host: CLUSTER, port: 5432 })
    running = coordinator
    await clock.advance(3_000)
    const s = coordinator.snapshot()
    expect(s.phase).toBe('CREATED')
    for (const host of [CLUSTER, CLUSTER_RO, instance1, instance2])
      expect(s.roleByHost.get(host)).toBe('SOURCE')
    for (const host of [GREEN_CLUSTER, GREEN_CLUSTER_RO, greenInstance1])
      expect(s.roleByHost.get(host)).toBe('TARGET')
    expect(s.correspondingHosts.get(CLUSTER)?.green).toBe(GREEN_CLUSTER)
    expect(s.correspondingHosts.get(CLUSTER_RO)?.green).toBe(GREEN_CLUSTER_RO)
    expect(s.correspondingHosts.get(instance1)?.green).toBe(greenInstance1)

    world.setAll([row(CLUSTER, 'SOURCE', 'POST'), row(GREEN_CLUSTER, 'TARGET', 'POST')])
    await clock.advance(1_500)
    const post = coordinator.snapshot()
    expect(decideConnect(post, { host: CLUSTER, port: 5432 })).toMatchObject({
      kind: 'substitute',
      address: '127.0.1.2',
    })
    expect(decideConnect(post, { host: CLUSTER_RO, port: 5432 })).toMatchObject({
      kind: 'substitute',
      address: '127.0.1.4',
    })
    expect(decideConnect(post, { host: instance2, port: 5432 })).toMatchObject({
      kind: 'substitute',
      address: '127.0.1.4',
    })
    expect(decideConnect(post, { host: greenInstance1, port: 5432 })).toMatchObject({
      kind: 'substitute',
      address: '127.0.1.2',
    })

    // Green instances renamed: new green connections are refused until green DNS is gone.
    world.topology.set('127.0.1.2', [
      { id: 'mydb-instance-1', role: 'WRITER' },
      { id: 'mydb-instance-2', role: 'READER' },
    ])
    await clock.advance(500)
    expect(coordinator.snapshot().greenTopologyChanged).toBe(true)
    expect(decideConnect(coordinator.snapshot(), { host: greenInstance1, port: 5432 })).toEqual({
      kind: 'reject',
    })
  })
})
