import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEmbeddedBackend } from '../../../src/backend/embedded/index.js';
import { ProducerFencedError, type Backend, type Consumer } from '../../../src/backend/port.js';
import { b, pollUntil, recordingListener, str } from './helpers.js';

async function setup(partitions = 1): Promise<Backend> {
  const backend = createEmbeddedBackend();
  await backend.admin().createTopics([{ name: 't', numPartitions: partitions }]);
  return backend;
}

async function reader(backend: Backend, isolation: 'read_committed' | 'read_uncommitted', partitions = 1): Promise<Consumer> {
  const c = await backend.createConsumer({ clientId: isolation, isolationLevel: isolation, autoOffsetReset: 'earliest' });
  await c.assign(Array.from({ length: partitions }, (_, partition) => ({ topic: 't', partition, offset: -1 })));
  return c;
}

const values = (records: ReadonlyArray<{ value: Buffer | null }>): Array<string | null> => records.map((r) => str(r.value));

test('committed transactions become visible to read_committed; aborted ones never do; read_uncommitted sees both', async () => {
  const backend = await setup();
  const producer = await backend.createProducer({ clientId: 'p', transactionalId: 'tx' });
  await producer.initTransactions();
  await producer.beginTransaction();
  producer.send({ topic: 't', key: null, value: b('c1') });
  producer.send({ topic: 't', key: null, value: b('c2') });
  const committed = await reader(backend, 'read_committed');
  assert.deepEqual(await committed.poll(10, 0), []);
  await producer.commitTransaction();

  await producer.beginTransaction();
  producer.send({ topic: 't', key: null, value: b('a1') });
  await producer.abortTransaction();

  await producer.beginTransaction();
  producer.send({ topic: 't', key: null, value: b('c3') });
  await producer.commitTransaction();

  assert.deepEqual(values(await pollUntil(committed, 3)), ['c1', 'c2', 'c3']);
  const uncommitted = await reader(backend, 'read_uncommitted');
  assert.deepEqual(values(await pollUntil(uncommitted, 4)), ['c1', 'c2', 'a1', 'c3']);
  // Offsets: c1 0, c2 1, commit marker 2, a1 3, abort marker 4, c3 5, commit marker 6.
  assert.deepEqual((await pollUntil(uncommitted, 0)).length, 0);
  const tp = { topic: 't', partition: 0 };
  assert.equal(committed.position(tp), 7);
  assert.deepEqual(await committed.endOffsets([tp]), [{ ...tp, offset: 7 }]);
  await backend.close();
});

test('an open transaction blocks read_committed at its first offset (LSO), even for later non-transactional records', async () => {
  const backend = await setup();
  const plain = await backend.createProducer({ clientId: 'plain' });
  const tx = await backend.createProducer({ clientId: 'tx', transactionalId: 'tx' });
  await tx.initTransactions();
  plain.send({ topic: 't', key: null, value: b('before') });
  await tx.beginTransaction();
  tx.send({ topic: 't', key: null, value: b('in-tx') });
  plain.send({ topic: 't', key: null, value: b('after') });
  await plain.flush();

  const rc = await reader(backend, 'read_committed');
  const ru = await reader(backend, 'read_uncommitted');
  const tp = { topic: 't', partition: 0 };
  assert.deepEqual(values(await rc.poll(10, 0)), ['before']);
  assert.deepEqual(await rc.poll(10, 0), []);
  assert.deepEqual(await rc.endOffsets([tp]), [{ ...tp, offset: 1 }]);
  assert.deepEqual(await ru.endOffsets([tp]), [{ ...tp, offset: 3 }]);
  assert.deepEqual(values(await ru.poll(10, 0)), ['before', 'in-tx', 'after']);

  // A blocked read_committed poll wakes up when the transaction completes.
  const waiting = rc.poll(10, 30000);
  setTimeout(() => void tx.commitTransaction(), 10);
  assert.deepEqual(values(await waiting), ['in-tx', 'after']);
  await backend.close();
});

test('interleaved transactions are delivered in offset order once the earlier one completes', async () => {
  const backend = await setup();
  const a = await backend.createProducer({ clientId: 'a', transactionalId: 'a' });
  const c = await backend.createProducer({ clientId: 'c', transactionalId: 'c' });
  await a.initTransactions();
  await c.initTransactions();
  await a.beginTransaction();
  await c.beginTransaction();
  a.send({ topic: 't', key: null, value: b('a1') });
  c.send({ topic: 't', key: null, value: b('c1') });
  a.send({ topic: 't', key: null, value: b('a2') });
  await c.commitTransaction();
  const rc = await reader(backend, 'read_committed');
  assert.deepEqual(await rc.poll(10, 0), []);
  await a.abortTransaction();
  assert.deepEqual(values(await rc.poll(10, 0)), ['c1']);
  await backend.close();
});

test('initTransactions fences the older producer and aborts its open transaction', async () => {
  const backend = await setup();
  const old = await backend.createProducer({ clientId: 'old', transactionalId: 'same' });
  await old.initTransactions();
  await old.beginTransaction();
  old.send({ topic: 't', key: null, value: b('zombie') });

  const fresh = await backend.createProducer({ clientId: 'new', transactionalId: 'same' });
  await fresh.initTransactions();
  assert.throws(() => old.send({ topic: 't', key: null, value: b('more') }), ProducerFencedError);
  await assert.rejects(old.commitTransaction(), ProducerFencedError);
  await assert.rejects(old.beginTransaction(), ProducerFencedError);

  await fresh.beginTransaction();
  fresh.send({ topic: 't', key: null, value: b('live') });
  await fresh.commitTransaction();
  const rc = await reader(backend, 'read_committed');
  assert.deepEqual(values(await pollUntil(rc, 1)), ['live']);
  assert.deepEqual(await rc.poll(10, 0), []);
  await backend.close();
});

test('sendOffsetsToTransaction commits offsets with the records, atomically; abort discards both', async () => {
  const backend = await setup();
  const consumer = await backend.createConsumer({ clientId: 'c', groupId: 'app', isolationLevel: 'read_committed', autoOffsetReset: 'earliest' });
  await consumer.subscribe(['t'], recordingListener('c', []));
  await consumer.poll(1, 0);
  const tp = { topic: 't', partition: 0 };
  const producer = await backend.createProducer({ clientId: 'p', transactionalId: 'app-0_0' });
  await producer.initTransactions();

  await producer.beginTransaction();
  producer.send({ topic: 't', key: null, value: b('out1') });
  await producer.sendOffsetsToTransaction([{ ...tp, offset: 11 }], consumer.groupMetadata());
  assert.deepEqual(await consumer.committed([tp]), [{ ...tp, offset: -1 }]);
  await producer.abortTransaction();
  assert.deepEqual(await consumer.committed([tp]), [{ ...tp, offset: -1 }]);

  await producer.beginTransaction();
  producer.send({ topic: 't', key: null, value: b('out2') });
  await producer.sendOffsetsToTransaction([{ ...tp, offset: 12 }], consumer.groupMetadata());
  await producer.commitTransaction();
  assert.deepEqual(await consumer.committed([tp]), [{ ...tp, offset: 12 }]);
  await consumer.close();
  await backend.close();
});

test('sendOffsetsToTransaction with a stale group generation is fenced (KIP-447)', async () => {
  const backend = await setup(2);
  const listener = recordingListener('c1', []);
  const c1 = await backend.createConsumer({ clientId: 'c1', groupId: 'app', isolationLevel: 'read_committed', autoOffsetReset: 'earliest' });
  await c1.subscribe(['t'], listener);
  await c1.poll(1, 0);
  const stale = c1.groupMetadata();
  const c2 = await backend.createConsumer({ clientId: 'c2', groupId: 'app', isolationLevel: 'read_committed', autoOffsetReset: 'earliest' });
  await c2.subscribe(['t'], recordingListener('c2', []));
  await Promise.all([c1.poll(1, 1000), c2.poll(1, 1000)]);
  assert.ok(c1.groupMetadata().generationId > stale.generationId);

  const producer = await backend.createProducer({ clientId: 'p', transactionalId: 'x' });
  await producer.initTransactions();
  await producer.beginTransaction();
  await assert.rejects(producer.sendOffsetsToTransaction([{ topic: 't', partition: 0, offset: 1 }], stale), ProducerFencedError);
  await producer.sendOffsetsToTransaction([{ topic: 't', partition: 0, offset: 1 }], c1.groupMetadata());
  await producer.commitTransaction();
  await Promise.all([c1.close(), c2.close()]);
  await backend.close();
});

test('a transaction left open past its timeout is aborted and its producer fenced', async () => {
  const backend = await setup();
  const producer = await backend.createProducer({ clientId: 'p', transactionalId: 'slow', transactionTimeoutMs: 20 });
  await producer.initTransactions();
  await producer.beginTransaction();
  producer.send({ topic: 't', key: null, value: b('late') });
  const rc = await reader(backend, 'read_committed');
  // The abort marker advances the LSO, which wakes this poll; nothing is returned.
  assert.deepEqual(await rc.poll(10, 200), []);
  await new Promise((r) => setTimeout(r, 40));
  await assert.rejects(producer.commitTransaction(), ProducerFencedError);
  assert.equal(rc.position({ topic: 't', partition: 0 }), 2);
  await backend.close();
});

test('transactional API misuse is rejected', async () => {
  const backend = await setup();
  const plain = await backend.createProducer({ clientId: 'p' });
  await assert.rejects(plain.initTransactions());
  const tx = await backend.createProducer({ clientId: 'tx', transactionalId: 'tx' });
  assert.throws(() => tx.send({ topic: 't', key: null, value: b('x') }));
  await tx.initTransactions();
  assert.throws(() => tx.send({ topic: 't', key: null, value: b('x') }));
  await assert.rejects(tx.commitTransaction());
  await tx.beginTransaction();
  await assert.rejects(tx.beginTransaction());
  await tx.abortTransaction();
  await backend.close();
});
