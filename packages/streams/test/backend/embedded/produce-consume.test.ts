import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEmbeddedBackend } from '../../../src/backend/embedded/index.js';
import { partitionForKey } from '../../../src/backend/partitioner.js';
import { UnknownTopicError } from '../../../src/backend/port.js';
import { b, pollUntil, str } from './helpers.js';

test('records produced to a topic are consumed in offset order with key, value, timestamp and headers', async () => {
  const backend = createEmbeddedBackend();
  await backend.admin().createTopics([{ name: 'orders', numPartitions: 1 }]);
  const producer = await backend.createProducer({ clientId: 'p' });
  producer.send({ topic: 'orders', key: b('k1'), value: b('v1'), timestamp: 1000, headers: { source: 'web', raw: b('x') } });
  producer.send({ topic: 'orders', key: null, value: null, timestamp: 2000 });
  producer.send({ topic: 'orders', key: b('k3'), value: b('v3') });
  const before = Date.now();
  const flushed = await producer.flush();
  assert.deepEqual(flushed, [{ topic: 'orders', partition: 0, offset: 2 }]);

  const consumer = await backend.createConsumer({ clientId: 'c', isolationLevel: 'read_uncommitted', autoOffsetReset: 'earliest' });
  await consumer.assign([{ topic: 'orders', partition: 0, offset: -1 }]);
  const records = await pollUntil(consumer, 3);
  assert.deepEqual(records.map((r) => r.offset), [0, 1, 2]);
  assert.equal(str(records[0]!.key), 'k1');
  assert.equal(str(records[0]!.value), 'v1');
  assert.equal(records[0]!.timestamp, 1000);
  assert.deepEqual(records[0]!.headers, { source: b('web'), raw: b('x') });
  assert.equal(records[1]!.key, null);
  assert.equal(records[1]!.value, null);
  assert.ok(records[2]!.timestamp <= Date.now() && records[2]!.timestamp >= before - 1000);
  assert.deepEqual(records[2]!.headers, {});
  assert.equal(consumer.position({ topic: 'orders', partition: 0 }), 3);
  await consumer.close();
  await backend.close();
});

test('keyed records land on murmur2 partitions; explicit partitions are honoured', async () => {
  const backend = createEmbeddedBackend();
  await backend.admin().createTopics([{ name: 't', numPartitions: 4 }]);
  const producer = await backend.createProducer({ clientId: 'p' });
  const keys = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', '21', 'foobar'];
  for (const k of keys) producer.send({ topic: 't', key: b(k), value: b(k) });
  producer.send({ topic: 't', partition: 3, key: b('a'), value: b('forced') });
  await producer.flush();
  const consumer = await backend.createConsumer({ clientId: 'c', isolationLevel: 'read_uncommitted', autoOffsetReset: 'earliest' });
  await consumer.assign([0, 1, 2, 3].map((partition) => ({ topic: 't', partition, offset: -1 })));
  const records = await pollUntil(consumer, keys.length + 1);
  for (const r of records) {
    if (str(r.value) === 'forced') assert.equal(r.partition, 3);
    else assert.equal(r.partition, partitionForKey(r.key!, 4), str(r.key) ?? '');
  }
  await backend.close();
});

test('createTopics is idempotent; describe, list and delete', async () => {
  const backend = createEmbeddedBackend();
  const admin = backend.admin();
  await admin.createTopics([{ name: 'a', numPartitions: 3, config: { 'cleanup.policy': 'compact' } }]);
  await admin.createTopics([{ name: 'a', numPartitions: 5 }, { name: 'b', numPartitions: 2 }]);
  assert.deepEqual(await admin.describeTopics(['a', 'b', 'missing']), new Map([['a', 3], ['b', 2]]));
  assert.deepEqual(await admin.listTopics(), ['a', 'b']);
  await admin.deleteTopics(['a']);
  assert.deepEqual(await admin.listTopics(), ['b']);
  await assert.rejects(admin.createTopics([{ name: 'zero', numPartitions: 0 }]), RangeError);
  await backend.close();
});

test('sending to a missing topic throws UnknownTopicError unless auto-creation is on (the default)', async () => {
  const strict = createEmbeddedBackend({ autoCreateTopics: false });
  const p1 = await strict.createProducer({ clientId: 'p' });
  assert.throws(() => p1.send({ topic: 'nope', key: null, value: b('x') }), UnknownTopicError);
  await strict.admin().createTopics([{ name: 'two', numPartitions: 2 }]);
  assert.throws(() => p1.send({ topic: 'two', partition: 2, key: null, value: b('x') }), UnknownTopicError);
  await strict.close();

  const lenient = createEmbeddedBackend();
  const p2 = await lenient.createProducer({ clientId: 'p' });
  p2.send({ topic: 'fresh', key: null, value: b('x') });
  assert.deepEqual(await lenient.admin().describeTopics(['fresh']), new Map([['fresh', 1]]));
  const wide = createEmbeddedBackend({ autoCreateTopics: { partitions: 6 } });
  (await wide.createProducer({ clientId: 'p' })).send({ topic: 'fresh', key: null, value: b('x') });
  assert.deepEqual(await wide.admin().describeTopics(['fresh']), new Map([['fresh', 6]]));
  await lenient.close();
  await wide.close();
});

test('a waiting poll wakes up when a record is appended', async () => {
  const backend = createEmbeddedBackend();
  await backend.admin().createTopics([{ name: 't', numPartitions: 1 }]);
  const consumer = await backend.createConsumer({ clientId: 'c', isolationLevel: 'read_uncommitted', autoOffsetReset: 'latest' });
  await consumer.assign([{ topic: 't', partition: 0, offset: -1 }]);
  const producer = await backend.createProducer({ clientId: 'p' });
  const polled = consumer.poll(10, 30000);
  setTimeout(() => producer.send({ topic: 't', key: null, value: b('late') }), 10);
  const records = await polled;
  assert.deepEqual(records.map((r) => str(r.value)), ['late']);
  assert.deepEqual(await consumer.poll(10, 0), []);
  await backend.close();
});

test('seek, position, pause, resume, beginning and end offsets; auto offset reset', async () => {
  const backend = createEmbeddedBackend();
  await backend.admin().createTopics([{ name: 't', numPartitions: 2 }]);
  const producer = await backend.createProducer({ clientId: 'p' });
  for (let i = 0; i < 5; i++) producer.send({ topic: 't', partition: 0, key: null, value: b(`a${i}`) });
  for (let i = 0; i < 3; i++) producer.send({ topic: 't', partition: 1, key: null, value: b(`b${i}`) });
  await producer.flush();
  const tp0 = { topic: 't', partition: 0 };
  const tp1 = { topic: 't', partition: 1 };

  const latest = await backend.createConsumer({ clientId: 'l', isolationLevel: 'read_uncommitted', autoOffsetReset: 'latest' });
  await latest.assign([{ ...tp0, offset: -1 }, { ...tp1, offset: 1 }]);
  assert.equal(latest.position(tp0), 5);
  assert.equal(latest.position(tp1), 1);
  assert.deepEqual(await latest.beginningOffsets([tp0, tp1]), [{ ...tp0, offset: 0 }, { ...tp1, offset: 0 }]);
  assert.deepEqual(await latest.endOffsets([tp0, tp1]), [{ ...tp0, offset: 5 }, { ...tp1, offset: 3 }]);

  latest.pause([tp1]);
  latest.seek({ ...tp0, offset: 3 });
  const fromSeek = await pollUntil(latest, 2);
  assert.deepEqual(fromSeek.map((r) => str(r.value)), ['a3', 'a4']);
  assert.deepEqual(await latest.poll(10, 0), []);
  latest.resume([tp1]);
  assert.deepEqual((await pollUntil(latest, 2)).map((r) => str(r.value)), ['b1', 'b2']);
  assert.throws(() => latest.seek({ topic: 't', partition: 5, offset: 0 }));
  await assert.rejects(latest.endOffsets([{ topic: 'none', partition: 0 }]), UnknownTopicError);
  assert.deepEqual(await latest.poll(3, 0), []);
  await backend.close();
});

test('poll respects maxRecords and resumes where it stopped', async () => {
  const backend = createEmbeddedBackend();
  await backend.admin().createTopics([{ name: 't', numPartitions: 1 }]);
  const producer = await backend.createProducer({ clientId: 'p' });
  for (let i = 0; i < 10; i++) producer.send({ topic: 't', key: null, value: b(String(i)) });
  const consumer = await backend.createConsumer({ clientId: 'c', isolationLevel: 'read_uncommitted', autoOffsetReset: 'earliest' });
  await consumer.assign([{ topic: 't', partition: 0, offset: -1 }]);
  assert.deepEqual((await consumer.poll(4, 0)).map((r) => r.offset), [0, 1, 2, 3]);
  assert.deepEqual((await consumer.poll(4, 0)).map((r) => r.offset), [4, 5, 6, 7]);
  assert.deepEqual((await consumer.poll(4, 0)).map((r) => r.offset), [8, 9]);
  await backend.close();
});

test('in-memory backends are independent unless opened under the same name', async () => {
  const a = createEmbeddedBackend();
  const b1 = createEmbeddedBackend();
  await a.admin().createTopics([{ name: 'x', numPartitions: 1 }]);
  assert.deepEqual(await b1.admin().listTopics(), []);
  const n1 = createEmbeddedBackend({ name: 'shared-test' });
  const n2 = createEmbeddedBackend({ name: 'shared-test' });
  await n1.admin().createTopics([{ name: 'y', numPartitions: 1 }]);
  assert.deepEqual(await n2.admin().listTopics(), ['y']);
  await n1.close();
  // The log stays open while another handle uses it.
  assert.deepEqual(await n2.admin().listTopics(), ['y']);
  await n2.close();
  const n3 = createEmbeddedBackend({ name: 'shared-test' });
  assert.deepEqual(await n3.admin().listTopics(), []);
  await Promise.all([a.close(), b1.close(), n3.close()]);
});
