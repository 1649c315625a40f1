import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PendingWrites } from '../../src/state/pending-writes.js';

const id = (s: string): string => Buffer.from(s).toString('latin1');

test('pending writes: the latest value per key, deletes as null, copies that later writes do not change', () => {
  const pending = new PendingWrites();
  assert.equal(pending.get(id('a')), undefined);
  pending.put(id('a'), Buffer.from('11111111'));
  const first = pending.get(id('a'))!;
  pending.put(id('a'), Buffer.from('22222222'));
  assert.deepEqual(first, Buffer.from('11111111'), 'a value handed out stays as it was');
  assert.deepEqual(pending.get(id('a')), Buffer.from('22222222'));
  pending.put(id('a'), Buffer.from('333'));
  assert.deepEqual(pending.get(id('a')), Buffer.from('333'));
  pending.put(id('a'), null);
  assert.equal(pending.get(id('a')), null);
  pending.put(id('a'), Buffer.from('4444'));
  assert.deepEqual(pending.get(id('a')), Buffer.from('4444'));
  assert.equal(pending.size, 1);
});

test('pending writes grow past their first slots and arena, visit every write, and start over when cleared', () => {
  const pending = new PendingWrites();
  const value = (i: number): Buffer => Buffer.alloc(100, i % 256);
  for (let i = 0; i < 5000; i++) pending.put(id(`k${i}`), i % 7 === 0 ? null : value(i));
  assert.equal(pending.size, 5000);
  const seen = new Map<string, Buffer | null>();
  pending.forEach((key, v) => seen.set(key, v === null ? null : Buffer.from(v)));
  assert.equal(seen.size, 5000);
  for (const i of [0, 1, 4095, 4999]) assert.deepEqual(seen.get(id(`k${i}`)), i % 7 === 0 ? null : value(i));
  pending.clear();
  assert.equal(pending.size, 0);
  assert.equal(pending.bytes, 0);
  assert.equal(pending.get(id('k1')), undefined);
  pending.put(id('k1'), value(9));
  assert.deepEqual(pending.get(id('k1')), value(9));
});

test('pending write ranges are in byte order (unsigned, prefixes first), bounds inclusive, forward and reversed', () => {
  const pending = new PendingWrites();
  const keys = [Buffer.from([0x01]), Buffer.from([0x01, 0x00]), Buffer.from([0x7f]), Buffer.from([0x80]), Buffer.from([0xff, 0x01])];
  for (const k of [...keys].reverse()) pending.put(k.toString('latin1'), k);
  const all = pending.range(undefined, undefined, false);
  assert.deepEqual(all.map((e) => e.key), keys);
  assert.deepEqual(all.map((e) => e.value), keys);
  const bounded = pending.range(Buffer.from([0x01, 0x00]).toString('latin1'), Buffer.from([0x80]).toString('latin1'), true);
  assert.deepEqual(bounded.map((e) => e.key), [keys[3], keys[2], keys[1]]);
  // The sorted index follows writes made after the first scan.
  pending.put(Buffer.from([0x02]).toString('latin1'), null);
  assert.deepEqual(pending.range(Buffer.from([0x02]).toString('latin1'), Buffer.from([0x02]).toString('latin1'), false), [{ key: Buffer.from([0x02]), value: null }]);
});
