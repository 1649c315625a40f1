import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Serdes, SerializationError, WindowedSerdes } from '../../src/serde/index.js';
import type { StandardSchemaV1 } from '../../src/serde/index.js';
import { z } from 'zod';

const T = 'orders';

test('every serde maps null to null both ways', () => {
  for (const s of [Serdes.string(), Serdes.integer(), Serdes.long(), Serdes.double(), Serdes.bytes(), Serdes.json()]) {
    assert.equal(s.serialize(T, null), null);
    assert.equal(s.deserialize(T, null), null);
  }
});

test('string is UTF-8 and rejects malformed bytes naming the topic', () => {
  const s = Serdes.string();
  assert.deepEqual(s.serialize(T, 'héllo'), Buffer.from('68c3a96c6c6f', 'hex'));
  assert.equal(s.deserialize(T, Buffer.from('68c3a96c6c6f', 'hex')), 'héllo');
  assert.equal(s.deserialize(T, Buffer.alloc(0)), '');
  assert.throws(() => s.deserialize(T, Buffer.from([0xc3, 0x28])), (e: unknown) => e instanceof SerializationError && e.topic === T && /orders/.test(e.message));
});

test('integer is 4-byte big-endian two\'s complement', () => {
  const s = Serdes.integer();
  assert.deepEqual(s.serialize(T, 1), Buffer.from([0, 0, 0, 1]));
  assert.deepEqual(s.serialize(T, -1), Buffer.from([0xff, 0xff, 0xff, 0xff]));
  assert.equal(s.deserialize(T, Buffer.from([0x80, 0, 0, 0])), -2147483648);
  assert.equal(s.deserialize(T, Buffer.from([0x7f, 0xff, 0xff, 0xff])), 2147483647);
  assert.throws(() => s.deserialize(T, Buffer.from([1, 2, 3])), SerializationError);
  assert.throws(() => s.serialize(T, 2 ** 31), SerializationError);
  assert.throws(() => s.serialize(T, 1.5), SerializationError);
});

test('long is 8-byte big-endian and round-trips negatives and values up to 2^53', () => {
  const s = Serdes.long();
  assert.deepEqual(s.serialize(T, 258), Buffer.from([0, 0, 0, 0, 0, 0, 1, 2]));
  assert.deepEqual(s.serialize(T, -2), Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe]));
  for (const n of [0, 1, -1, 2 ** 32, -(2 ** 32) - 7, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 1_700_000_000_123]) {
    assert.equal(s.deserialize(T, s.serialize(T, n)), n);
  }
  // Java's Long.MIN_VALUE cannot be a JS number exactly.
  assert.throws(() => s.deserialize(T, Buffer.from([0x80, 0, 0, 0, 0, 0, 0, 0])), SerializationError);
  assert.throws(() => s.deserialize(T, Buffer.alloc(4)), SerializationError);
  assert.throws(() => s.serialize(T, 2 ** 53), SerializationError);
});

test('double is 8-byte IEEE 754 big-endian', () => {
  const s = Serdes.double();
  assert.deepEqual(s.serialize(T, 1), Buffer.from('3ff0000000000000', 'hex'));
  for (const d of [0.1, -123.456, Number.MAX_VALUE, Number.MIN_VALUE, Infinity, -Infinity]) {
    assert.equal(s.deserialize(T, s.serialize(T, d)), d);
  }
  assert.ok(Number.isNaN(s.deserialize(T, s.serialize(T, NaN))));
  assert.throws(() => s.deserialize(T, Buffer.alloc(7)), SerializationError);
});

test('bytes passes buffers through', () => {
  const b = Buffer.from([1, 2, 3]);
  assert.deepEqual(Serdes.bytes().deserialize(T, Serdes.bytes().serialize(T, b)), b);
});

test('json round-trips and rejects malformed JSON naming the topic', () => {
  const s = Serdes.json<{ id: number; tags: string[] }>();
  const v = { id: 7, tags: ['a', 'ü'] };
  assert.equal(s.serialize(T, v)?.toString('utf8'), '{"id":7,"tags":["a","ü"]}');
  assert.deepEqual(s.deserialize(T, s.serialize(T, v)), v);
  assert.throws(
    () => s.deserialize(T, Buffer.from('{"id":')),
    (e: unknown) => e instanceof SerializationError && e.topic === T && e.message.includes('"orders"') && e.message.includes('malformed JSON'),
  );
});

interface Order {
  id: number;
}
const orderSchema: StandardSchemaV1<unknown, Order> = {
  '~standard': {
    version: 1,
    vendor: 'test',
    validate: (value) =>
      typeof value === 'object' && value !== null && typeof (value as { id?: unknown }).id === 'number'
        ? { value: { id: (value as { id: number }).id } }
        : { issues: [{ message: 'expected a number', path: ['id'] }] },
  },
};

test('json with a Standard Schema validates on deserialize and names the topic on mismatch', () => {
  const s = Serdes.json(orderSchema);
  assert.deepEqual(s.deserialize(T, Buffer.from('{"id":3,"extra":true}')), { id: 3 });
  assert.throws(
    () => s.deserialize(T, Buffer.from('{"id":"x"}')),
    (e: unknown) => e instanceof SerializationError && e.topic === T && e.message.includes('id: expected a number'),
  );
});

test('json rejects asynchronous schemas', () => {
  const asyncSchema: StandardSchemaV1<unknown, Order> = {
    '~standard': { version: 1, vendor: 'test', validate: async () => ({ value: { id: 1 } }) },
  };
  assert.throws(() => Serdes.json(asyncSchema).deserialize(T, Buffer.from('{"id":1}')), /asynchronous/);
});

test('json accepts safeParse-style schemas', () => {
  const schema = {
    safeParse: (v: unknown) =>
      typeof v === 'number' ? ({ success: true, data: v } as const) : ({ success: false, error: { message: 'not a number' } } as const),
  };
  const s = Serdes.json<number>(schema);
  assert.equal(s.deserialize(T, Buffer.from('5')), 5);
  assert.throws(() => s.deserialize(T, Buffer.from('"5"')), /not a number/);
});

test('time-windowed keys are key bytes + 8-byte start; end is start + size', () => {
  const s = WindowedSerdes.timeWindowed(Serdes.string(), 100);
  const bytes = s.serialize(T, { key: 'ab', window: { start: 300, end: 400 } });
  assert.deepEqual(bytes, Buffer.concat([Buffer.from('ab'), Buffer.from([0, 0, 0, 0, 0, 0, 1, 0x2c])]));
  assert.deepEqual(s.deserialize(T, bytes), { key: 'ab', window: { start: 300, end: 400 } });
  assert.throws(() => s.deserialize(T, Buffer.alloc(3)), SerializationError);
});

test('session-windowed keys are key bytes + 8-byte end + 8-byte start', () => {
  const s = WindowedSerdes.sessionWindowed(Serdes.integer());
  const bytes = s.serialize(T, { key: 5, window: { start: 10, end: 20 } });
  assert.deepEqual(
    bytes,
    Buffer.from([0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 20, 0, 0, 0, 0, 0, 0, 0, 10]),
  );
  assert.deepEqual(s.deserialize(T, bytes), { key: 5, window: { start: 10, end: 20 } });
});

test('json with a zod schema validates and names the topic on mismatch', () => {
  const s = Serdes.json(z.object({ id: z.number(), name: z.string() }));
  assert.deepEqual(s.deserialize(T, Buffer.from('{"id":1,"name":"a"}')), { id: 1, name: 'a' });
  assert.throws(
    () => s.deserialize(T, Buffer.from('{"id":"1","name":"a"}')),
    (e: unknown) => e instanceof SerializationError && e.topic === T && e.message.includes('schema validation failed') && e.message.includes('id'),
  );
});
