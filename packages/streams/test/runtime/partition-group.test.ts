/** The task's input buffer: records come out in timestamp order, and a record taken out is no longer held. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ConsumedRecord } from '../../src/backend/port.js';
import { PartitionGroup } from '../../src/runtime/partition-group.js';
import { isCollectable } from '../support/collectable.js';

const record = (partition: number, offset: number, timestamp: number): ConsumedRecord => ({
  topic: 't',
  partition,
  offset,
  key: Buffer.from(`k${offset}`),
  value: Buffer.alloc(1024),
  timestamp,
  headers: {},
});

describe('PartitionGroup', () => {
  it('hands out the head with the smallest timestamp across partitions', () => {
    const group = new PartitionGroup();
    group.add(record(0, 0, 30));
    group.add(record(1, 0, 10));
    group.add(record(1, 1, 40));
    group.add(record(0, 1, 50));
    const order = [group.next(), group.next(), group.next(), group.next()].map((r) => r?.timestamp);
    assert.deepEqual(order, [10, 30, 40, 50]);
    assert.equal(group.next(), undefined);
    assert.equal(group.size, 0);
  });

  it('does not keep a record alive once it was taken, also in a queue that is not yet empty', async () => {
    const group = new PartitionGroup();
    const refs: Array<WeakRef<ConsumedRecord>> = [];
    // Kept in a function so that no local variable of the test holds a record.
    const fill = (from: number, count: number): void => {
      for (let i = from; i < from + count; i++) {
        const r = record(0, i, i);
        refs.push(new WeakRef(r));
        group.add(r);
      }
    };
    fill(0, 10);
    for (let i = 0; i < 5; i++) assert.ok(group.next());
    for (let i = 0; i < 5; i++) assert.equal(await isCollectable(refs[i]!), true, `record ${i} was taken and is still held`);
    assert.equal(await isCollectable(refs[5]!), false, 'a record not taken yet must stay');
    while (group.next() !== undefined);
    fill(10, 3);
    assert.equal(group.next()?.offset, 10);
    for (let i = 5; i < 11; i++) assert.equal(await isCollectable(refs[i]!), true, `record ${i} was taken and is still held`);
    assert.equal(group.size, 2);
  });
});
