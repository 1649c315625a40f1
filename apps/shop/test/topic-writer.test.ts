/**
 * The API's writer replaces a producer that an error left unusable. The first producer here fails its flush with the
 * error the Kafka backend raises when a native call never answers (`fatal` and `retriable`, down a cause chain): a
 * frozen broker is what causes it for real (packages/streams/test/fault/broker-restart.test.ts), and that takes
 * minutes. Every other producer is the embedded log's own.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createEmbeddedBackend, type Producer } from '@tributary/streams';
import { buildServer } from '../src/http/server.js';
import { TopicWriter, WriteUnavailableError } from '../src/http/topic-writer.js';
import { TOPICS } from '../src/topics.js';
import { standaloneApiDeps } from './standalone-api.js';
import { quietLogger, readRawTopic, tempDir } from './support.js';

/** Queues on `inner`, flushes with `flush`, and closes `inner`. */
function wrapped(inner: Producer, flush: () => Promise<Awaited<ReturnType<Producer['flush']>>>, onClose = (): void => undefined): Producer {
  return {
    send: (record) => inner.send(record),
    flush,
    initTransactions: () => inner.initTransactions(),
    beginTransaction: () => inner.beginTransaction(),
    sendOffsetsToTransaction: (offsets, group) => inner.sendOffsetsToTransaction(offsets, group),
    commitTransaction: () => inner.commitTransaction(),
    abortTransaction: () => inner.abortTransaction(),
    close: async () => {
      onClose();
      await inner.close();
    },
  };
}

/** Every flush fails as a hung native call does on Kafka; closing it is recorded. */
function hungProducer(inner: Producer, closes: string[]): Producer {
  const hung = Object.assign(new Error('flush: no answer from the client after 135000 ms (its own timeout passed)'), { fatal: true, retriable: true });
  // The answer comes late, as a hung call's deadline does, so that concurrent requests all wait on this producer.
  const flush = (): Promise<never> => new Promise((_, reject) => setTimeout(() => reject(new Error('flushing the API writes', { cause: hung })), 200));
  return wrapped(inner, flush, () => closes.push('hung'));
}

describe('the API writer', () => {
  it('answers 503 with Retry-After when its producer is unusable, and the next request goes through a new one', async () => {
    const dir = tempDir('topic-writer');
    const backend = createEmbeddedBackend({ dataDir: join(dir.path, 'log') });
    const admin = backend.admin();
    await admin.createTopics([{ name: TOPICS.orders, numPartitions: 1 }]);
    await admin.close();
    const created: string[] = [];
    const closes: string[] = [];
    const writer = await TopicWriter.start(async () => {
      const producer = await backend.createProducer({ clientId: `api-${created.length}` });
      created.push(created.length === 0 ? 'hung' : 'fresh');
      return created.length === 1 ? hungProducer(producer, closes) : producer;
    }, quietLogger);
    const server = buildServer(standaloneApiDeps(writer, new Map()), quietLogger);
    const order = (id: string): object => ({ id, customerId: 7, product: 'JUMPERS', quantity: 1, price: 10 });
    try {
      // Three requests share the failing flush: each is told to retry, and the producer is replaced once.
      const failed = await Promise.all(['w-1', 'w-2', 'w-3'].map((id) => server.inject({ method: 'POST', url: '/v1/orders', payload: order(id) })));
      for (const reply of failed) {
        assert.equal(reply.statusCode, 503);
        assert.equal(reply.headers['retry-after'], '1');
        assert.match((reply.json() as { error: string }).error, /did not acknowledge the write/);
      }
      // The retry of an order that failed is not refused as a duplicate, and it goes through the new producer.
      const retried = await server.inject({ method: 'POST', url: '/v1/orders', payload: order('w-1') });
      assert.equal(retried.statusCode, 201);
      const next = await server.inject({ method: 'POST', url: '/v1/orders', payload: order('w-4') });
      assert.equal(next.statusCode, 201);
      assert.deepEqual(created, ['hung', 'fresh']);
      assert.equal(writer.replacements, 1);
      const records = await readRawTopic(backend, TOPICS.orders, (rs) => rs.some((r) => r.key?.toString('utf8') === 'w-4'), 30_000);
      // The hung producer's records were queued on a real producer, so they may reach the log, as a timed-out write
      // to Kafka may: the API said "may or may not be in the log". The retried and the later write are there.
      const keys = records.map((r) => r.key?.toString('utf8'));
      assert.ok(keys.includes('w-1') && keys.includes('w-4'), `keys in the log: ${keys.join(', ')}`);
    } finally {
      await server.close();
      await writer.close();
      await backend.close();
      dir.remove();
    }
    // The unusable producer was closed, in the background, and waited for by close().
    assert.deepEqual(closes, ['hung']);
  });

  it('keeps a producer whose error a retry cures, and reports an error that is neither as it is', async () => {
    const dir = tempDir('topic-writer-keep');
    const backend = createEmbeddedBackend({ dataDir: join(dir.path, 'log') });
    let creates = 0;
    let failure: Error = Object.assign(new Error('Broker: Not enough in-sync replicas'), { retriable: true });
    const writer = await TopicWriter.start(async () => {
      creates++;
      const inner = await backend.createProducer({ clientId: `api-keep-${creates}` });
      return wrapped(inner, () => Promise.reject(failure));
    }, quietLogger);
    try {
      await assert.rejects(writer.writeTombstone(TOPICS.orders, 'k'), WriteUnavailableError);
      failure = new Error('a bug');
      await assert.rejects(writer.writeTombstone(TOPICS.orders, 'k'), (e: unknown) => !(e instanceof WriteUnavailableError) && (e as Error).message === 'a bug');
      assert.equal(creates, 1);
      assert.equal(writer.replacements, 0);
    } finally {
      await writer.close();
      await backend.close();
      dir.remove();
    }
  });
});
