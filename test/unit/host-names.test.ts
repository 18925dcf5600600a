import { describe, expect, it } from 'vitest'

import {
  instanceHostFromId,
  isCustomClusterHost,
  isGreenHost,
  isIpAddress,
  isOldHost,
  isRdsInstance,
  isReaderClusterHost,
  isWriterClusterHost,
  parseRdsHost,
  rdsClusterId,
  readerClusterHostFor,
  removeGreenPrefix,
} from '../../core/host-names.js'

const US = 'xyz.us-east-2.rds.amazonaws.com'

describe('parseRdsHost', () => {
  it.each([
    [`db-1.${US}`, { kind: 'instance', instance: 'db-1', domain: US, region: 'us-east-2' }],
    [
      `bg.cluster-${US}`,
      { kind: 'cluster-writer', clusterId: 'bg', instance: 'bg', domain: US, region: 'us-east-2' },
    ],
    [
      `bg.cluster-ro-${US}`,
      { kind: 'cluster-reader', clusterId: 'bg', instance: 'bg', domain: US, region: 'us-east-2' },
    ],
    [
      `rep.cluster-custom-${US}`,
      { kind: 'cluster-custom', clusterId: 'rep', instance: 'rep', domain: US, region: 'us-east-2' },
    ],
    [`px.proxy-${US}`, { kind: 'proxy', clusterId: 'px', instance: 'px', domain: US, region: 'us-east-2' }],
    [
      `sg.shardgrp-${US}`,
      { kind: 'shard-group', clusterId: 'sg', instance: 'sg', domain: US, region: 'us-east-2' },
    ],
  ])('parses %s', (host, expected) => {
    expect(parseRdsHost(host)).toEqual(expected)
  })

  it('omits clusterId for instances (exactOptionalPropertyTypes)', () => {
    expect(parseRdsHost(`db-1.${US}`)).not.toHaveProperty('clusterId')
  })

  it('is case-insensitive and lower-cases the parts', () => {
    expect(parseRdsHost('  BG-Test.CLUSTER-RO-XYZ.US-EAST-2.RDS.AMAZONAWS.COM ')).toEqual({
      kind: 'cluster-reader',
      clusterId: 'bg-test',
      instance: 'bg-test',
      domain: US,
      region: 'us-east-2',
    })
  })

  it.each([
    [
      'db.cluster-abc.rds.cn-north-1.amazonaws.com.cn',
      'cluster-writer',
      'cn-north-1',
      'abc.rds.cn-north-1.amazonaws.com.cn',
    ],
    [
      'db.abc.cn-northwest-1.rds.amazonaws.com.cn',
      'instance',
      'cn-northwest-1',
      'abc.cn-northwest-1.rds.amazonaws.com.cn',
    ],
    [
      'db.cluster-ro-abc.rds.us-gov-west-1.amazonaws.com',
      'cluster-reader',
      'us-gov-west-1',
      'abc.rds.us-gov-west-1.amazonaws.com',
    ],
    ['db.abc.rds.us-iso-east-1.c2s.ic.gov', 'instance', 'us-iso-east-1', 'abc.rds.us-iso-east-1.c2s.ic.gov'],
    [
      'db.cluster-abc.rds.us-isob-east-1.sc2s.sgov.gov',
      'cluster-writer',
      'us-isob-east-1',
      'abc.rds.us-isob-east-1.sc2s.sgov.gov',
    ],
  ])('parses the partition form %s', (host, kind, region, domain) => {
    expect(parseRdsHost(host)).toMatchObject({ kind, region, domain, instance: 'db' })
  })

  it.each([
    'db.example.com',
    'localhost',
    '10.0.0.1',
    `${US}`, // no instance label
    'db.xyz.us-east-2.rds.amazonaws.com.evil.com',
    'db.xyz.us-east-2.rds.amazonaws.org',
    'db.xy_z.us-east-2.rds.amazonaws.com',
    'db.cluster-x-y.us-east-2.rds.amazonaws.com', // the account label has no dashes
    '',
  ])('rejects %j', (host) => {
    expect(parseRdsHost(host)).toBeUndefined()
  })
})

describe('endpoint predicates', () => {
  const cases: ReadonlyArray<[string, string]> = [
    [`db-1.${US}`, 'instance'],
    [`bg.cluster-${US}`, 'writer'],
    [`bg.cluster-ro-${US}`, 'reader'],
    [`r.cluster-custom-${US}`, 'custom'],
    [`px.proxy-${US}`, 'none'],
    ['db.example.com', 'none'],
  ]
  it.each(cases)('%s is %s', (host, kind) => {
    expect(isRdsInstance(host)).toBe(kind === 'instance')
    expect(isWriterClusterHost(host)).toBe(kind === 'writer')
    expect(isReaderClusterHost(host)).toBe(kind === 'reader')
    expect(isCustomClusterHost(host)).toBe(kind === 'custom')
  })

  it('accepts upper-case input', () => {
    expect(isWriterClusterHost('BG.CLUSTER-XYZ.US-EAST-2.RDS.AMAZONAWS.COM')).toBe(true)
    expect(isRdsInstance('DB-1.XYZ.US-EAST-2.RDS.AMAZONAWS.COM')).toBe(true)
  })

  it('rdsClusterId returns the cluster id only for prefixed names', () => {
    expect(rdsClusterId(`bg-test-green-5jznso.cluster-${US}`)).toBe('bg-test-green-5jznso')
    expect(rdsClusterId(`Rep.CLUSTER-CUSTOM-${US}`)).toBe('rep')
    expect(rdsClusterId(`db-1.${US}`)).toBeUndefined()
    expect(rdsClusterId('db.example.com')).toBeUndefined()
  })
})

describe('readerClusterHostFor', () => {
  it('derives the lower-cased reader endpoint', () => {
    expect(readerClusterHostFor(`BG-Test.Cluster-${US}`)).toBe(`bg-test.cluster-ro-${US}`)
    expect(readerClusterHostFor('db.cluster-abc.rds.cn-north-1.amazonaws.com.cn')).toBe(
      'db.cluster-ro-abc.rds.cn-north-1.amazonaws.com.cn',
    )
  })

  it('returns undefined for anything but a writer cluster endpoint', () => {
    expect(readerClusterHostFor(`bg.cluster-ro-${US}`)).toBeUndefined()
    expect(readerClusterHostFor(`db-1.${US}`)).toBeUndefined()
    expect(readerClusterHostFor('db.cluster-xyz.example.com')).toBeUndefined()
  })
})

describe('green and old names', () => {
  it.each([
    ['db-instance-1-green-q8dhgs.xyz.us-east-2.rds.amazonaws.com', true],
    ['bg-test-green-5jznso.cluster-xyz.us-east-2.rds.amazonaws.com', true],
    ['test-instance-green-abcdef.domain.com', true],
    ['TEST-INSTANCE-GREEN-ABCDEF.DOMAIN.COM', true],
    ['test-instance-green-123456.domain.com', true],
    ['test-instance-green-12345.domain.com', false],
    ['test-instance-green-1234567.domain.com', false],
    ['test-instance-green-abcdef-.domain.com', false],
    ['test-instance-green-abc_ef.domain.com', false],
    ['test-instance-green-abcdef', false], // no dot after the marker
    ['test-instance.domain.com', false],
    ['bg-test-old1.cluster-xyz.us-east-2.rds.amazonaws.com', false],
  ])('isGreenHost(%s) = %s', (host, expected) => {
    expect(isGreenHost(host)).toBe(expected)
  })

  it.each([
    ['bg-test-old1.cluster-xyz.us-east-2.rds.amazonaws.com', true],
    ['bg-test-instance-1-old1.xyz.us-east-2.rds.amazonaws.com', true],
    ['BG-TEST-OLD1.XYZ.COM', true],
    ['bg-test-old12.xyz.com', false],
    ['bg-test-old1', false],
    ['bg-test-green-abc123.xyz.com', false],
  ])('isOldHost(%s) = %s', (host, expected) => {
    expect(isOldHost(host)).toBe(expected)
  })
})

describe('removeGreenPrefix', () => {
  it.each([
    ['test-instance-green-abcdef.domain.com', 'test-instance.domain.com'],
    ['test-instance-green-123456.domain.com', 'test-instance.domain.com'],
    [
      'bg-test-green-5jznso.cluster-xyz.us-east-2.rds.amazonaws.com',
      'bg-test.cluster-xyz.us-east-2.rds.amazonaws.com',
    ],
    ['x-green-123456-green-123456.d.com', 'x-green-123456.d.com'],
    ['a-green-aaaaaa.b-green-bbbbbb.c.com', 'a-green-aaaaaa.b.c.com'],
    ['Test-Instance-GREEN-ABCDEF.Domain.com', 'Test-Instance.Domain.com'],
    ['db-1-green-abc123', 'db-1'],
    ['DB-1-GREEN-ABC123', 'DB-1'],
  ])('%s → %s', (host, expected) => {
    expect(removeGreenPrefix(host)).toBe(expected)
  })

  it.each([
    'test-instance-green-12345.domain.com',
    'test-instance-green-abcdef-.domain.com',
    'test-instance-green-1234567.domain.com',
    'test-instance.domain.com',
    'db-1-green-abc12',
    '-green-abc123',
    '',
  ])('leaves %j unchanged', (host) => {
    expect(removeGreenPrefix(host)).toBe(host)
  })
})

describe('instanceHostFromId', () => {
  it.each([
    [`db-1.${US}`, `db-2.${US}`],
    [`bg.cluster-${US}`, `db-2.${US}`],
    [`bg.cluster-ro-${US}`, `db-2.${US}`],
    [`bg.cluster-custom-${US}`, `db-2.${US}`],
    ['BG.CLUSTER-ABC.RDS.CN-NORTH-1.AMAZONAWS.COM.CN', 'db-2.abc.rds.cn-north-1.amazonaws.com.cn'],
    ['bg.cluster-ro-lab.bluegreen.test', 'db-2.lab.bluegreen.test'],
    ['blue-writer.lab.test', 'db-2.lab.test'],
  ])('builds the instance endpoint from %s', (host, expected) => {
    expect(instanceHostFromId('DB-2', host)).toBe(expected)
  })

  it.each(['10.0.0.1', '::1', '[::1]', 'localhost', 'trailing.', '.leading'])(
    'gives undefined for %j',
    (host) => {
      expect(instanceHostFromId('db-2', host)).toBeUndefined()
    },
  )
})

describe('isIpAddress', () => {
  it.each([
    ['10.0.0.1', true],
    ['::1', true],
    ['[fe80::1]', true],
    ['2001:db8::1', true],
    ['db.example.com', false],
    ['10.0.0', false],
    ['[db.example.com]', false],
    ['', false],
  ])('%j → %s', (host, expected) => {
    expect(isIpAddress(host)).toBe(expected)
  })
})
