/**
 * The Kafka backend against a real broker. Registered only when KAFKA_BOOTSTRAP_SERVERS is set: the test runner
 * starts a local broker and sets it, and in CI it fails the run when the native client cannot be loaded, so these
 * never silently disappear there.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type {
  Backend,
  ConsumedRecord,
  Consumer,
  ConsumerOptions,
  RebalanceListener,
  TopicPartition,
} from '../../../src/backend/port.js';
import { ProducerFencedError } from '../../../src/backend/port.js';
import { createKafkaBackend } from '../../../src/backend/kafka/index.js';
import { kafkaBootstrapServers, uniqueName } from '../../support/backends.js';

const bootstrapServers = kafkaBootstrapServers;

/** Polls until `count` records arrived; the deadline only guards against hanging, it asserts nothing about speed. */
async function pollRecords(consumer: Consumer, count: number, deadlineMs = 20_000): Promise<ConsumedRecord[]> {
  const records: ConsumedRecord[] = [];
  const deadline = Date.now() + deadlineMs;
  while (records.length < count && Date.now() < deadline) records.push(...(await consumer.poll(500, 200)));
  return records;
}

/** Polls until `done()` holds, returning what arrived meanwhile. */
async function pollUntil(consumers: Consumer[], done: () => boolean, deadlineMs = 30_000): Promise<ConsumedRecord[]> {
  const records: ConsumedRecord[] = [];
  const deadline = Date.now() + deadlineMs;
  while (!done() && Date.now() < deadline) {
    const batches = await Promise.all(consumers.map((c) => c.poll(500, 100)));
    for (const batch of batches) records.push(...batch);
  }
  return records;
}

const text = (b: Buffer | null): string | null => (b === null ? null : b.toString('utf8'));

const noopListener: RebalanceListener = {
  onPartitionsAssigned: async () => undefined,
  onPartitionsRevoked: async () => undefined,
};

if (bootstrapServers !== undefined) {
  describe('Kafka backend (real broker)', () => {
    let backend: Backend;

    const consumerOptions = (overrides: Partial<ConsumerOptions> = {}): ConsumerOptions => ({
      clientId: uniqueName('consumer'),
      isolationLevel: 'read_committed',
      autoOffsetReset: 'earliest',
      ...overrides,
    });

    before(async () => {
      backend = createKafkaBackend({ bootstrapServers });
    });

    after(async () => {
      await backend.close();
    });

    it('admin creates, describes, lists and deletes topics; creating an existing topic is no error', async () => {
      const admin = backend.admin();
      const a = uniqueName('admin-a');
      const b = uniqueName('admin-b');
      await admin.createTopics([
        { name: a, numPartitions: 3 },
        { name: b, numPartitions: 1, config: { 'cleanup.policy': 'compact' } },
      ]);
      await admin.createTopics([{ name: a, numPartitions: 3 }]);

      const missing = uniqueName('admin-missing');
      const described = await admin.describeTopics([a, b, missing]);
      assert.equal(described.get(a), 3);
      assert.equal(described.get(b), 1);
      assert.equal(described.has(missing), false);

      const listed = await admin.listTopics();
      assert.ok(listed.includes(a) && listed.includes(b));
      assert.ok(!listed.includes('__consumer_offsets'), 'internal topics are not listed');

      await admin.deleteTopics([a, b, missing]);
      const deadline = Date.now() + 15_000;
      let remaining = await admin.describeTopics([a, b]);
      while (remaining.size > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        remaining = await admin.describeTopics([a, b]);
      }
      assert.equal(remaining.size, 0);
      await admin.close();
    });

    it('a committed transaction is read by a read_committed consumer, with keys, headers and timestamps', async () => {
      const topic = uniqueName('txn-roundtrip');
      await backend.admin().createTopics([{ name: topic, numPartitions: 2 }]);
      const producer = await backend.createProducer({ clientId: 'p', transactionalId: uniqueName('txn') });
      await producer.initTransactions();
      await producer.beginTransaction();
      for (let i = 0; i < 4; i++) {
        producer.send({
          topic,
          partition: i % 2,
          key: Buffer.from(`k${i}`),
          value: Buffer.from(`v${i}`),
          timestamp: 1_700_000_000_000 + i,
          headers: { source: 'test', n: Buffer.from([i]) },
        });
      }
      const flushed = await producer.flush();
      assert.deepEqual(
        flushed.sort((x, y) => x.partition - y.partition),
        [
          { topic, partition: 0, offset: 1 },
          { topic, partition: 1, offset: 1 },
        ],
      );
      await producer.commitTransaction();

      const consumer = await backend.createConsumer(consumerOptions());
      await consumer.assign([
        { topic, partition: 0, offset: -1 },
        { topic, partition: 1, offset: -1 },
      ]);
      const records = await pollRecords(consumer, 4);
      const sorted = records.sort((x, y) => x.timestamp - y.timestamp);
      assert.deepEqual(
        sorted.map((r) => [r.partition, r.offset, text(r.key), text(r.value), r.timestamp]),
        [
          [0, 0, 'k0', 'v0', 1_700_000_000_000],
          [1, 0, 'k1', 'v1', 1_700_000_000_001],
          [0, 1, 'k2', 'v2', 1_700_000_000_002],
          [1, 1, 'k3', 'v3', 1_700_000_000_003],
        ],
      );
      assert.equal(text(sorted[0]?.headers.source ?? null), 'test');
      assert.deepEqual(sorted[3]?.headers.n, Buffer.from([3]));

      // Two records and the commit marker: the last stable offset sits past the marker, and the position gets
      // there once the fetch carrying the marker is processed (restoring relies on reaching the end offset).
      const end = await consumer.endOffsets([{ topic, partition: 0 }]);
      assert.deepEqual(end, [{ topic, partition: 0, offset: 3 }]);
      const extra = await pollUntil([consumer], () => consumer.position({ topic, partition: 0 }) === 3);
      assert.deepEqual(extra, []);
      assert.equal(consumer.position({ topic, partition: 0 }), 3);
      assert.deepEqual(await consumer.beginningOffsets([{ topic, partition: 0 }]), [{ topic, partition: 0, offset: 0 }]);
      await consumer.close();
      await producer.close();
    });

    it('records cross from the client intact: null and empty keys and values, several headers, large values, two topics in one batch', async () => {
      // The patched client hands a batch over as one packed buffer (packed-batch.ts); every field must survive it.
      const topics = [uniqueName('packed-a'), uniqueName('packed-b')];
      for (const name of topics) await backend.admin().createTopics([{ name, numPartitions: 1 }]);
      const large = Buffer.alloc(300_000, 7); // over the worker's first 64 KiB buffer: it must grow
      const sent: Array<{ key: Buffer | null; value: Buffer | null; headers: Record<string, Buffer> }> = [
        { key: null, value: Buffer.from('no key'), headers: {} },
        { key: Buffer.from('tombstone'), value: null, headers: {} },
        { key: Buffer.alloc(0), value: Buffer.alloc(0), headers: { a: Buffer.from('1'), 'ü-b': Buffer.alloc(0) } },
        { key: Buffer.from('large'), value: large, headers: { c: Buffer.from([0, 255]) } },
      ];
      const producer = await backend.createProducer({ clientId: 'p' });
      sent.forEach((r, i) =>
        producer.send({ topic: topics[i % 2] as string, partition: 0, timestamp: 1_700_000_000_000 + i, ...r }),
      );
      await producer.flush();
      const consumer = await backend.createConsumer(consumerOptions());
      await consumer.assign(topics.map((topic) => ({ topic, partition: 0, offset: -1 })));
      const records = (await pollRecords(consumer, sent.length)).sort((x, y) => x.timestamp - y.timestamp);
      assert.deepEqual(
        records.map((r) => [r.topic, r.offset, r.key, r.value, r.headers, r.timestamp]),
        sent.map((r, i) => [topics[i % 2], Math.floor(i / 2), r.key, r.value, r.headers, 1_700_000_000_000 + i]),
      );
      // Positions move past what was returned, per topic.
      assert.deepEqual(
        topics.map((topic) => consumer.position({ topic, partition: 0 })),
        [2, 2],
      );
      await consumer.close();
      await producer.close();
    });

    it('an aborted transaction is invisible to read_committed and visible to read_uncommitted', async () => {
      const topic = uniqueName('txn-abort');
      await backend.admin().createTopics([{ name: topic, numPartitions: 1 }]);
      const producer = await backend.createProducer({ clientId: 'p', transactionalId: uniqueName('txn') });
      await producer.initTransactions();

      await producer.beginTransaction();
      producer.send({ topic, key: null, value: Buffer.from('aborted-1') });
      producer.send({ topic, key: null, value: Buffer.from('aborted-2') });
      await producer.flush();
      await producer.abortTransaction();

      await producer.beginTransaction();
      producer.send({ topic, key: null, value: Buffer.from('committed') });
      await producer.commitTransaction();

      // An open transaction holds the last stable offset back while the high watermark moves on.
      await producer.beginTransaction();
      producer.send({ topic, key: null, value: Buffer.from('open') });
      await producer.flush();

      const tp: TopicPartition = { topic, partition: 0 };
      const committedReader = await backend.createConsumer(consumerOptions());
      const uncommittedReader = await backend.createConsumer(consumerOptions({ isolationLevel: 'read_uncommitted' }));
      // offsets: 0,1 aborted; 2 abort marker; 3 committed; 4 commit marker; 5 open
      assert.deepEqual(await committedReader.endOffsets([tp]), [{ ...tp, offset: 5 }]);
      assert.deepEqual(await uncommittedReader.endOffsets([tp]), [{ ...tp, offset: 6 }]);

      await committedReader.assign([{ ...tp, offset: 0 }]);
      await uncommittedReader.assign([{ ...tp, offset: 0 }]);
      const all = await pollRecords(uncommittedReader, 4);
      assert.deepEqual(all.map((r) => text(r.value)), ['aborted-1', 'aborted-2', 'committed', 'open']);
      const visible = await pollRecords(committedReader, 1);
      assert.deepEqual(visible.map((r) => [r.offset, text(r.value)]), [[3, 'committed']]);

      await producer.commitTransaction();
      const more = await pollRecords(committedReader, 1);
      assert.deepEqual(more.map((r) => [r.offset, text(r.value)]), [[5, 'open']]);

      await Promise.all([committedReader.close(), uncommittedReader.close(), producer.close()]);
    });

    it('sendOffsetsToTransaction commits the group offsets with the transaction, and not when aborted', async () => {
      const input = uniqueName('eos-in');
      const output = uniqueName('eos-out');
      const groupId = uniqueName('eos-group');
      await backend.admin().createTopics([
        { name: input, numPartitions: 1 },
        { name: output, numPartitions: 1 },
      ]);
      const seed = await backend.createProducer({ clientId: 'seed' });
      for (let i = 0; i < 3; i++) seed.send({ topic: input, key: null, value: Buffer.from(`in${i}`) });
      await seed.flush();

      const consumer = await backend.createConsumer(consumerOptions({ groupId }));
      await consumer.subscribe([input], noopListener);
      const records = await pollRecords(consumer, 3);
      assert.equal(records.length, 3);

      const producer = await backend.createProducer({ clientId: 'p', transactionalId: uniqueName('eos') });
      await producer.initTransactions();
      const tp = { topic: input, partition: 0 };

      // Aborted: the offset of the first record must not stick.
      await producer.beginTransaction();
      producer.send({ topic: output, key: null, value: Buffer.from('out-aborted') });
      await producer.sendOffsetsToTransaction([{ ...tp, offset: 1 }], consumer.groupMetadata());
      await producer.abortTransaction();
      assert.deepEqual(await consumer.committed([tp]), [{ ...tp, offset: -1 }]);

      await producer.beginTransaction();
      producer.send({ topic: output, key: null, value: Buffer.from('out') });
      await producer.sendOffsetsToTransaction([{ ...tp, offset: 3 }], consumer.groupMetadata());
      await producer.commitTransaction();
      assert.deepEqual(await consumer.committed([tp]), [{ ...tp, offset: 3 }]);

      await Promise.all([consumer.close(), producer.close(), seed.close()]);
    });

    it('a newer producer with the same transactional id fences the older one', async () => {
      const topic = uniqueName('fence');
      await backend.admin().createTopics([{ name: topic, numPartitions: 1 }]);
      const transactionalId = uniqueName('fenced-id');
      const old = await backend.createProducer({ clientId: 'old', transactionalId });
      await old.initTransactions();
      await old.beginTransaction();
      old.send({ topic, key: null, value: Buffer.from('zombie') });
      await old.flush();

      const fresh = await backend.createProducer({ clientId: 'new', transactionalId });
      await fresh.initTransactions();

      await assert.rejects(old.commitTransaction(), ProducerFencedError);
      await Promise.all([old.close(), fresh.close()]);
    });

    it('two group members split the partitions with the range assignor, and listeners are awaited', async () => {
      const topicA = uniqueName('range-a');
      const topicB = uniqueName('range-b');
      const groupId = uniqueName('range-group');
      await backend.admin().createTopics([
        { name: topicA, numPartitions: 4 },
        { name: topicB, numPartitions: 4 },
      ]);
      const seed = await backend.createProducer({ clientId: 'seed' });
      for (let p = 0; p < 4; p++) {
        seed.send({ topic: topicA, partition: p, key: null, value: Buffer.from(`a${p}`) });
        seed.send({ topic: topicB, partition: p, key: null, value: Buffer.from(`b${p}`) });
      }
      await seed.flush();

      const events: string[] = [];
      const assignedTo = new Map<string, TopicPartition[]>();
      const listenerFor = (name: string): RebalanceListener => ({
        onPartitionsAssigned: async (partitions) => {
          events.push(`${name}:assign-start`);
          // A slow listener (restoring state, say) must finish before this member gets records.
          await new Promise((resolve) => setTimeout(resolve, 200));
          assignedTo.set(name, [...partitions]);
          events.push(`${name}:assign-end`);
        },
        onPartitionsRevoked: async () => {
          events.push(`${name}:revoke`);
          assignedTo.delete(name);
        },
      });
      const received = new Map<string, ConsumedRecord[]>([
        ['m1', []],
        ['m2', []],
      ]);

      const m1 = await backend.createConsumer(consumerOptions({ groupId, clientId: 'm1', sessionTimeoutMs: 10_000 }));
      await m1.subscribe([topicA, topicB], listenerFor('m1'));
      // m1 alone gets everything first.
      await pollUntil([m1], () => (assignedTo.get('m1')?.length ?? 0) === 8);
      assert.equal(assignedTo.get('m1')?.length, 8);

      const m2 = await backend.createConsumer(consumerOptions({ groupId, clientId: 'm2', sessionTimeoutMs: 10_000 }));
      await m2.subscribe([topicA, topicB], listenerFor('m2'));
      const twoMembers = (): boolean =>
        (assignedTo.get('m1')?.length ?? 0) === 4 && (assignedTo.get('m2')?.length ?? 0) === 4;
      const deadline = Date.now() + 60_000;
      while (!twoMembers() && Date.now() < deadline) {
        const [r1, r2] = await Promise.all([m1.poll(500, 100), m2.poll(500, 100)]);
        for (const r of r1 ?? []) {
          assert.ok(events.lastIndexOf('m1:assign-end') > events.lastIndexOf('m1:assign-start'));
          received.get('m1')?.push(r);
        }
        for (const r of r2 ?? []) {
          assert.ok(events.lastIndexOf('m2:assign-end') > events.lastIndexOf('m2:assign-start'));
          received.get('m2')?.push(r);
        }
      }
      assert.ok(twoMembers(), `partitions not split: ${JSON.stringify([...assignedTo])}`);

      // Range assignment: partitions 0-1 of both topics to one member, 2-3 of both to the other (co-partitioned).
      const describe = (tps: TopicPartition[] | undefined): string[] =>
        (tps ?? []).map((tp) => `${tp.topic === topicA ? 'a' : 'b'}${tp.partition}`).sort();
      const split = [describe(assignedTo.get('m1')), describe(assignedTo.get('m2'))].sort();
      assert.deepEqual(split, [
        ['a0', 'a1', 'b0', 'b1'],
        ['a2', 'a3', 'b2', 'b3'],
      ]);
      assert.deepEqual(describe(m1.assignment()), describe(assignedTo.get('m1')));
      assert.ok(events.includes('m1:revoke'), 'eager rebalancing revokes before reassigning');

      await Promise.all([m1.close(), m2.close(), seed.close()]);
    });
  });
}

describe('Kafka backend without a broker', () => {
  it('reports fencing errors of librdkafka as ProducerFencedError', async () => {
    const { toPortError } = await import('../../../src/backend/kafka/errors.js');
    const fenced = Object.assign(new Error('Producer fenced by newer instance'), { code: 90 });
    const generation = Object.assign(new Error('Specified group generation id is not valid'), { code: 22 });
    const other = Object.assign(new Error('Broker: Message size too large'), { code: 10 });
    assert.ok(toPortError(fenced, 'commit') instanceof ProducerFencedError);
    assert.ok(toPortError(generation, 'sendOffsetsToTransaction') instanceof ProducerFencedError);
    const plain = toPortError(other, 'send');
    assert.ok(!(plain instanceof ProducerFencedError));
    assert.match(plain.message, /Message size too large/);
  });

  it('creates a Kafka backend without loading the native client; a closed one refuses clients', async () => {
    // Creation is synchronous and loads nothing (KafkaStreams creates its backend in its constructor, also where
    // the native client is missing); the client is loaded by the first admin, producer or consumer.
    const backend = createKafkaBackend({ bootstrapServers: '127.0.0.1:1' });
    assert.equal(backend.kind, 'kafka');
    await backend.close();
    await assert.rejects(backend.createProducer({ clientId: 'p' }), /closed/);
  });
});
