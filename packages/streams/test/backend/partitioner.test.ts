import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DefaultPartitioner, murmur2, partitionForKey, toPositive } from '../../src/backend/partitioner.js';

// Expected values from Apache Kafka's UtilsTest.testMurmur2 and hashes computed with Kafka's Utils.murmur2.
const KAFKA_MURMUR2: ReadonlyArray<[string, number]> = [
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ['abc', 479470107],
  ['1', -1993445489],
  ['12', 126087238],
  ['123', -267702483],
  ['1234', -1614185708],
  ['12345', -1188365604],
];

test('murmur2 matches Kafka Utils.murmur2', () => {
  for (const [input, expected] of KAFKA_MURMUR2) {
    assert.equal(murmur2(Buffer.from(input, 'utf8')), expected, input);
  }
});

test('toPositive clears the sign bit like Kafka (not Math.abs)', () => {
  assert.equal(toPositive(-1), 0x7fffffff);
  assert.equal(toPositive(-2147483648), 0);
  assert.equal(toPositive(5), 5);
});

test('partitionForKey is toPositive(murmur2) mod partitions', () => {
  const key = Buffer.from('21');
  assert.equal(partitionForKey(key, 7), toPositive(-973932308) % 7);
  assert.equal(partitionForKey(Buffer.alloc(0), 3), toPositive(murmur2(Buffer.alloc(0))) % 3);
});

test('null keys stick to one partition for a batch worth of bytes, then move on', () => {
  const p = new DefaultPartitioner();
  const first = p.partition('t', null, 3, 1024);
  for (let i = 0; i < 15; i++) assert.equal(p.partition('t', null, 3, 1024), first);
  const next = p.partition('t', null, 3, 1024);
  assert.notEqual(next, first);
  assert.equal(p.partition('t', Buffer.from('21'), 3), partitionForKey(Buffer.from('21'), 3));
});
