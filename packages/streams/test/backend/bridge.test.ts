/**
 * The backend bridge (backend/bridge/) that worker threads run their clients through: the record batch codec, the
 * error codec, calls in both directions, and a whole group consumer, transactional producer and admin used through a
 * `PortBackend` whose clients live on an embedded log behind a `BackendServer` (both ends of one MessageChannel here).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MessageChannel } from 'node:worker_threads';
import { BackendServer } from '../../src/backend/bridge/backend-server.js';
import { deserializeError, serializeError } from '../../src/backend/bridge/error-codec.js';
import { PortBackend } from '../../src/backend/bridge/port-backend.js';
import { PortRpc } from '../../src/backend/bridge/port-rpc.js';
import { decodeConsumed, decodeProduced, encodeRecords } from '../../src/backend/bridge/record-batch.js';
import { createEmbeddedBackend } from '../../src/backend/embedded/index.js';
import { CommitFailedError, isRetriable, ProducerFencedError, type ConsumedRecord, type TopicPartition } from '../../src/backend/port.js';

describe('record batches', () => {
  it('carry consumed records with null keys, empty values and headers in one transferable buffer', () => {
    const records: ConsumedRecord[] = [
      { topic: 'a', partition: 3, offset: 10, timestamp: 1700000000000, key: Buffer.from('k1'), value: Buffer.from('v1'), headers: { h: Buffer.from('x') } },
      { topic: 'b', partition: 0, offset: 2 ** 40, timestamp: 5, key: null, value: Buffer.alloc(0), headers: {} },
      { topic: 'a', partition: 1, offset: 0, timestamp: 0, key: Buffer.from('k3'), value: null, headers: { h: Buffer.from(''), i: Buffer.from('yz') } },
    ];
    const batch = encodeRecords(records);
    assert.equal(batch.transfer.length, 2);
    assert.deepEqual(decodeConsumed(batch.value), records);
  });

  it('carry produced records, keeping what was left out and string headers', () => {
    const records = [
      { topic: 't', key: Buffer.from('k'), value: Buffer.from('v') },
      { topic: 't', partition: 2, key: null, value: Buffer.from('w'), timestamp: 42, headers: { s: 'text', b: Buffer.from([1, 2]) } },
    ];
    assert.deepEqual(decodeProduced(encodeRecords(records).value), records);
  });
});

describe('errors across threads', () => {
  it('keep the port classes, flags and the cause chain', () => {
    const fenced = deserializeError(serializeError(new ProducerFencedError('fenced')));
    assert.ok(fenced instanceof ProducerFencedError);
    assert.ok(deserializeError(serializeError(new CommitFailedError('gone'))) instanceof CommitFailedError);
    const inner = Object.assign(new Error('leader moved'), { retriable: true, code: 6 });
    const outer = new Error('poll failed', { cause: inner });
    const back = deserializeError(serializeError(outer));
    assert.equal(back.message, 'poll failed');
    assert.ok(isRetriable(back));
    assert.equal((back.cause as { code?: number }).code, 6);
  });
});

describe('calls in both directions', () => {
  it('answers, fails with the error, and keeps a notification before a later call', async () => {
    const { port1, port2 } = new MessageChannel();
    const seen: string[] = [];
    const a = new PortRpc(port1, (method, args) => {
      if (method === 'add') return (args[0] as number) + (args[1] as number);
      throw new ProducerFencedError(`no ${method}`);
    });
    const b = new PortRpc(port2, (method, args) => {
      if (method === 'note') seen.push(args[0] as string);
      if (method === 'seen') return [...seen];
      return undefined;
    });
    try {
      assert.equal(await b.call<number>('add', [2, 3]), 5);
      await assert.rejects(b.call('other'), ProducerFencedError);
      a.notify('note', ['first']);
      assert.deepEqual(await a.call('seen'), ['first']);
    } finally {
      a.close(new Error('done'));
      b.close(new Error('done'));
      port1.close();
    }
  });
});

describe('a backend through the bridge', () => {
  it('runs admin, a transactional producer and a group consumer with its rebalance callbacks', async () => {
    const embedded = createEmbeddedBackend({ autoCreateTopics: false });
    const { port1, port2 } = new MessageChannel();
    let worker: PortRpc | undefined;
    const server = new BackendServer(embedded, () => owner);
    const owner: PortRpc = new PortRpc(port1, (method, args) => server.handle(method, args));
    const backend: PortBackend = new PortBackend(
      (worker = new PortRpc(port2, (method, args) => {
        if (method === 'rebalance') return backend.onRebalance(args[0] as number, args[1] as 'assigned', args[2] as TopicPartition[], args[3] as never);
        throw new Error(method);
      })),
      'embedded',
    );
    try {
      const admin = backend.admin();
      await admin.createTopics([{ name: 'in', numPartitions: 2 }, { name: 'out', numPartitions: 1 }]);
      assert.equal((await admin.describeTopics(['in'])).get('in'), 2);
      await admin.close();

      const plain = await backend.createProducer({ clientId: 'p' });
      for (let i = 0; i < 10; i++) plain.send({ topic: 'in', partition: i % 2, key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`) });
      await plain.flush();
      await plain.close();

      const assigned: TopicPartition[][] = [];
      const consumer = await backend.createConsumer({ clientId: 'c', groupId: 'g', isolationLevel: 'read_committed', autoOffsetReset: 'earliest' });
      await consumer.subscribe(['in'], {
        onPartitionsRevoked: async () => undefined,
        onPartitionsAssigned: async (partitions) => {
          // The mirror is current inside the callback, as on the owning side.
          assert.equal(consumer.assignment().length, partitions.length);
          assigned.push([...partitions]);
        },
      });
      const got: string[] = [];
      while (got.length < 10) for (const r of await consumer.poll(100, 50)) got.push(r.value?.toString() ?? '');
      assert.equal(assigned.length, 1);
      assert.deepEqual(got.sort(), Array.from({ length: 10 }, (_, i) => `v${i}`).sort());
      assert.equal(consumer.position({ topic: 'in', partition: 0 }), 5);

      // A transaction that carries the consumer's offsets, as the commit unit sends them.
      const tx = await backend.createProducer({ clientId: 't', transactionalId: 'bridge-tx' });
      await tx.initTransactions();
      await tx.beginTransaction();
      tx.send({ topic: 'out', key: null, value: Buffer.from('done') });
      await tx.sendOffsetsToTransaction([{ topic: 'in', partition: 0, offset: 5 }, { topic: 'in', partition: 1, offset: 5 }], consumer.groupMetadata());
      await tx.commitTransaction();
      await tx.close();
      assert.deepEqual(
        (await consumer.committed([{ topic: 'in', partition: 0 }])).map((c) => c.offset),
        [5],
      );
      await consumer.close();
      // A send the log refuses (unknown topic) surfaces at the next call, as a flush would report it.
      const bad = await backend.createProducer({ clientId: 'bad' });
      bad.send({ topic: 'missing', key: null, value: Buffer.from('x') });
      await assert.rejects(bad.flush());
      await bad.close();
    } finally {
      await server.close();
      owner.close(new Error('done'));
      worker?.close(new Error('done'));
      port1.close();
      await embedded.close();
    }
  });
});
