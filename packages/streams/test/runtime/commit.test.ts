/**
 * The commit unit against the in-memory embedded log: the order of its steps, and that a failure at any step
 * commits nothing after it (no offsets past output that is not durable, no checkpoint past offsets).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEmbeddedBackend } from '../../src/backend/embedded/index.js';
import type { Backend, Consumer, Producer, TopicPartitionOffset } from '../../src/backend/port.js';
import { Commit, type CommittableTask } from '../../src/runtime/commit.js';
import { b, pollUntil, recordingListener, str } from '../backend/embedded/helpers.js';
import { quietLogger } from '../integration/harness.js';

const tp = { topic: 'in', partition: 0 };

/** A task stand-in that records the commit's calls into `log`. */
function fakeTask(log: string[], offsets: TopicPartitionOffset[], changelog = 'app-store-changelog'): CommittableTask & { positions: Map<string, number> } {
  const positions = new Map([[`${changelog}:0`, 0]]);
  let needed = true;
  return {
    id: '0_0',
    positions,
    get commitNeeded() {
      return needed;
    },
    flushState: () => log.push('flush stores'),
    consumedOffsets: () => offsets,
    stateManager: {
      advance: (written) => {
        log.push('advance positions');
        for (const key of positions.keys()) {
          const next = written.get(key);
          if (next !== undefined) positions.set(key, next);
        }
      },
      maybeCheckpoint: () => log.push(`checkpoint ${JSON.stringify(Object.fromEntries(positions))}`),
    },
    markCommitted: () => {
      needed = false;
      log.push('marked committed');
    },
  };
}

/** Wraps a producer so the test sees (and can fail) each call. */
function spyProducer(inner: Producer, log: string[], failOn?: string): Producer {
  const wrap =
    <A extends unknown[], R>(name: string, f: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      log.push(`producer ${name}`);
      if (failOn === name) throw new Error(`${name} failed`);
      return f(...args);
    };
  return {
    send: (r) => inner.send(r),
    flush: wrap('flush', () => inner.flush()),
    initTransactions: () => inner.initTransactions(),
    beginTransaction: wrap('begin', () => inner.beginTransaction()),
    sendOffsetsToTransaction: wrap('sendOffsets', (o: ReadonlyArray<TopicPartitionOffset>, g: Parameters<Producer['sendOffsetsToTransaction']>[1]) =>
      inner.sendOffsetsToTransaction(o, g),
    ),
    commitTransaction: wrap('commitTransaction', () => inner.commitTransaction()),
    abortTransaction: wrap('abortTransaction', () => inner.abortTransaction()),
    close: () => inner.close(),
  };
}

function spyConsumer(inner: Consumer, log: string[]): Consumer {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'commit') {
        return async (offsets: ReadonlyArray<TopicPartitionOffset>) => {
          log.push(`consumer commit ${offsets.map((o) => `${o.topic}-${o.partition}@${o.offset}`).join(',')}`);
          return target.commit(offsets);
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

async function setup(): Promise<{ backend: Backend; consumer: Consumer }> {
  const backend = createEmbeddedBackend();
  await backend.admin().createTopics([
    { name: 'in', numPartitions: 1 },
    { name: 'out', numPartitions: 1 },
    { name: 'app-store-changelog', numPartitions: 1 },
  ]);
  const consumer = await backend.createConsumer({ clientId: 'c', groupId: 'app', isolationLevel: 'read_committed', autoOffsetReset: 'earliest' });
  await consumer.subscribe(['in'], recordingListener('c', []));
  await consumer.poll(1, 0);
  return { backend, consumer };
}

async function readAll(backend: Backend, topic: string): Promise<Array<string | null>> {
  const reader = await backend.createConsumer({ clientId: 'r', isolationLevel: 'read_committed', autoOffsetReset: 'earliest' });
  await reader.assign([{ topic, partition: 0, offset: 0 }]);
  const out: Array<string | null> = [];
  for (let i = 0; i < 5; i++) for (const r of await reader.poll(1000, 20)) out.push(str(r.value));
  await reader.close();
  return out;
}

test('at-least-once: stores flushed, output flushed, then offsets committed, then checkpoints with the written changelog offsets', async () => {
  const { backend, consumer } = await setup();
  const log: string[] = [];
  const producer = spyProducer(await backend.createProducer({ clientId: 'p' }), log);
  const commit = new Commit(producer, spyConsumer(consumer, log), { exactlyOnce: false, productionExceptionHandler: 'fail', logger: quietLogger });
  const task = fakeTask(log, [{ ...tp, offset: 5 }]);
  producer.send({ topic: 'out', key: b('k'), value: b('v') });
  producer.send({ topic: 'app-store-changelog', partition: 0, key: b('k'), value: b('1') });
  producer.send({ topic: 'app-store-changelog', partition: 0, key: b('k'), value: b('2') });
  const result = await commit.commit([task]);
  assert.equal(result.committed, 1);
  assert.deepEqual(log, [
    'flush stores',
    'producer flush',
    'consumer commit in-0@5',
    'advance positions',
    'checkpoint {"app-store-changelog:0":2}',
    'marked committed',
  ]);
  assert.deepEqual(await consumer.committed([tp]), [{ ...tp, offset: 5 }]);
  // Nothing left to commit: a second commit does nothing.
  log.length = 0;
  assert.equal((await commit.commit([task])).committed, 0);
  assert.deepEqual(log, []);
  await consumer.close();
  await backend.close();
});

test('at-least-once: output that could not be flushed commits no offsets and writes no checkpoint', async () => {
  const { backend, consumer } = await setup();
  const log: string[] = [];
  const producer = spyProducer(await backend.createProducer({ clientId: 'p' }), log, 'flush');
  const commit = new Commit(producer, spyConsumer(consumer, log), { exactlyOnce: false, productionExceptionHandler: 'fail', logger: quietLogger });
  const task = fakeTask(log, [{ ...tp, offset: 5 }]);
  await assert.rejects(commit.commit([task]), /Producing output failed: flush failed/);
  assert.deepEqual(log, ['flush stores', 'producer flush']);
  assert.deepEqual(await consumer.committed([tp]), [{ ...tp, offset: -1 }]);
  assert.equal(task.commitNeeded, true);
  await consumer.close();
  await backend.close();
});

test('exactly-once: output, changelog and offsets commit together in one transaction; no checkpoint while running', async () => {
  const { backend, consumer } = await setup();
  const log: string[] = [];
  const inner = await backend.createProducer({ clientId: 'p', transactionalId: 'app-1' });
  await inner.initTransactions();
  const producer = spyProducer(inner, log);
  const commit = new Commit(producer, consumer, { exactlyOnce: true, productionExceptionHandler: 'fail', logger: quietLogger });
  await commit.begin();
  assert.equal(commit.inTransaction, true);
  producer.send({ topic: 'out', key: b('k'), value: b('committed') });
  producer.send({ topic: 'app-store-changelog', partition: 0, key: b('k'), value: b('1') });
  const task = fakeTask(log, [{ ...tp, offset: 3 }]);
  await commit.commit([task]);
  assert.equal(commit.inTransaction, false);
  assert.deepEqual(log, ['producer begin', 'flush stores', 'producer flush', 'producer sendOffsets', 'producer commitTransaction', 'advance positions', 'marked committed']);
  assert.deepEqual(task.positions.get('app-store-changelog:0'), 1);
  assert.deepEqual(await consumer.committed([tp]), [{ ...tp, offset: 3 }]);
  assert.deepEqual(await readAll(backend, 'out'), ['committed']);
  await consumer.close();
  await backend.close();
});

test('exactly-once: a failed commit leaves nothing visible; abort discards output and offsets', async () => {
  const { backend, consumer } = await setup();
  const log: string[] = [];
  const inner = await backend.createProducer({ clientId: 'p', transactionalId: 'app-1' });
  await inner.initTransactions();
  const producer = spyProducer(inner, log, 'commitTransaction');
  const commit = new Commit(producer, consumer, { exactlyOnce: true, productionExceptionHandler: 'fail', logger: quietLogger });
  await commit.begin();
  producer.send({ topic: 'out', key: b('k'), value: b('aborted') });
  const task = fakeTask(log, [{ ...tp, offset: 3 }]);
  await assert.rejects(commit.commit([task]), /commitTransaction failed/);
  assert.ok(!log.includes('advance positions') && !log.includes('marked committed'));
  await commit.abort();
  assert.equal(commit.inTransaction, false);
  assert.deepEqual(await consumer.committed([tp]), [{ ...tp, offset: -1 }]);
  assert.deepEqual(await readAll(backend, 'out'), []);
  await consumer.close();
  await backend.close();
});

test('exactly-once: an open transaction is always finished, even with nothing to commit', async () => {
  const { backend, consumer } = await setup();
  const inner = await backend.createProducer({ clientId: 'p', transactionalId: 'app-1' });
  await inner.initTransactions();
  const commit = new Commit(inner, consumer, { exactlyOnce: true, productionExceptionHandler: 'fail', logger: quietLogger });
  await commit.begin();
  inner.send({ topic: 'out', key: b('k'), value: b('from a punctuation') });
  await commit.commit([]);
  assert.equal(commit.inTransaction, false);
  const reader = await backend.createConsumer({ clientId: 'r', isolationLevel: 'read_committed', autoOffsetReset: 'earliest' });
  await reader.assign([{ topic: 'out', partition: 0, offset: 0 }]);
  assert.deepEqual((await pollUntil(reader, 1)).map((r) => str(r.value)), ['from a punctuation']);
  await reader.close();
  await consumer.close();
  await backend.close();
});
