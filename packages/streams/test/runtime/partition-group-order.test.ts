import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConsumedRecord } from '../../src/backend/port.js';
import { PartitionGroup } from '../../src/runtime/partition-group.js';

function rec(topic: string, partition: number, offset: number, timestamp: number): ConsumedRecord {
  return { topic, partition, offset, key: null, value: null, timestamp, headers: {} };
}

function drain(group: PartitionGroup): string[] {
  const out: string[] = [];
  for (let r = group.next(); r !== undefined; r = group.next()) out.push(`${r.topic}-${r.partition}@${r.offset}`);
  return out;
}

test('one partition: records come out in offset order, and the group refills after draining', () => {
  const group = new PartitionGroup();
  for (let i = 0; i < 3; i++) group.add(rec('a', 0, i, 100 - i));
  assert.equal(group.size, 3);
  assert.deepEqual(drain(group), ['a-0@0', 'a-0@1', 'a-0@2']);
  assert.equal(group.size, 0);
  group.add(rec('a', 0, 3, 5));
  assert.deepEqual(drain(group), ['a-0@3']);
});

test('several partitions: the head with the smallest timestamp goes first, each partition in offset order', () => {
  const group = new PartitionGroup();
  // Runs of one partition, as a poll returns them; the cached queue must follow the partition changes.
  group.add(rec('a', 0, 0, 10));
  group.add(rec('a', 0, 1, 30));
  group.add(rec('b', 0, 0, 20));
  group.add(rec('a', 1, 0, 5));
  group.add(rec('b', 0, 1, 25));
  assert.deepEqual(drain(group), ['a-1@0', 'a-0@0', 'b-0@0', 'b-0@1', 'a-0@1']);
});

test('clearing a partition drops only its buffered records', () => {
  const group = new PartitionGroup();
  for (let i = 0; i < 2000; i++) group.add(rec('a', 0, i, i));
  group.add(rec('a', 1, 0, 1));
  for (let i = 0; i < 1500; i++) group.next();
  group.clearPartition('a', 0);
  assert.equal(group.size, 0);
  group.add(rec('a', 0, 2000, 3000));
  assert.deepEqual(drain(group), ['a-0@2000']);
});
