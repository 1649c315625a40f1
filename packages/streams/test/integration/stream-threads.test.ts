/**
 * `numStreamThreads` (Kafka's `num.stream.threads`): the group spreads the tasks over the threads of one instance,
 * and the instance's output, queries, metrics, announcements and clean close cover all of them. On each backend.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { Serdes } from '../../src/serde/serdes.js';
import { KafkaStreams, type StreamThreadExceptionResponse } from '../../src/runtime/kafka-streams.js';
import type { Logger } from '../../src/runtime/config.js';
import { StreamsConfigError } from '../../src/runtime/errors.js';
import { QueryableStoreTypes } from '../../src/state/queryable-store-types.js';
import type { Backend } from '../../src/backend/port.js';
import { testBackends, uniqueName } from '../support/backends.js';
import { consumeUntil, latest, produce, quietLogger, tempDir } from './harness.js';

const S = Serdes.string();
const L = Serdes.long();
const TASKS = ['0_0', '0_1', '0_2', '0_3'];
/** Key `k<i>` occurs i % 3 + 1 times. */
const KEYS = Array.from({ length: 24 }, (_, i) => `k${i}`);
const expectedCount = (key: string): number => (Number(key.slice(1)) % 3) + 1;
const INPUT = KEYS.flatMap((key) => Array.from({ length: expectedCount(key) }, () => ({ key, value: 'x' })));

async function waitFor(what: string, condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A logger that keeps error lines, so a test can tell that closing logged none. */
function errorRecorder(): Logger & { errors: string[] } {
  const errors: string[] = [];
  return { ...quietLogger, errors, error: (obj, msg) => errors.push(`${msg ?? ''} ${JSON.stringify(obj)}`) };
}

async function createTopics(backend: Backend, input: string, output: string): Promise<void> {
  const admin = backend.admin();
  await admin.createTopics([
    { name: input, numPartitions: 4 },
    { name: output, numPartitions: 1 },
  ]);
  await admin.close();
}

/** Counts per key; `fail(key)` makes the counting processor throw for that record. */
function countTopology(input: string, output: string, fail: (key: string) => boolean = () => false): ReturnType<StreamsBuilder['build']> {
  const builder = new StreamsBuilder();
  builder
    .stream<string, string>(input, { keySerde: S, valueSerde: S })
    .peek((key) => {
      if (fail(key)) throw new Error(`cannot handle ${key}`);
    })
    .groupByKey()
    .count({ storeName: 'counts' })
    .toStream()
    .to(output, { keySerde: S, valueSerde: L });
  return builder.build();
}

describe('numStreamThreads configuration', () => {
  it('refuses a count below 1 and the combination with standby replicas', () => {
    const topology = countTopology('in', 'out');
    assert.throws(() => new KafkaStreams(topology, { applicationId: 'threads-0', numStreamThreads: 0, logger: quietLogger }), StreamsConfigError);
    assert.throws(() => new KafkaStreams(topology, { applicationId: 'threads-half', numStreamThreads: 1.5, logger: quietLogger }), StreamsConfigError);
    assert.throws(
      () => new KafkaStreams(topology, { applicationId: 'threads-standby', numStreamThreads: 2, numStandbyReplicas: 1, logger: quietLogger }),
      /numStandbyReplicas/,
    );
  });
});

for (const target of testBackends()) {
  describe(`two stream threads on ${target.name}`, () => {
    it('spread four tasks over both threads; output, queries, metrics and close cover both', async () => {
      const backend = await target.create();
      const dir = tempDir('threads');
      const [input, output] = [uniqueName('threads-in'), uniqueName('threads-out')];
      await createTopics(backend, input, output);
      const applicationId = uniqueName('threads-app');
      const logger = errorRecorder();
      const app = new KafkaStreams(countTopology(input, output), {
        applicationId,
        backend,
        stateDir: dir.path,
        processingGuarantee: 'exactly_once_v2',
        commitIntervalMs: 50,
        numStreamThreads: 2,
        // Announced (not served): the instance's two threads announce their tasks under one process.
        applicationServer: 'localhost:7070',
        logger,
      });
      try {
        await app.start();
        await app.waitForRunning();
        const threads = app.metadataForLocalThreads();
        assert.deepEqual(
          threads.map((t) => t.threadName),
          [1, 2].map((n) => `${applicationId}-${app.processId}-StreamThread-${n}`),
        );
        for (const t of threads) assert.ok(t.activeTasks.length > 0, `${t.threadName} has no task: ${JSON.stringify(threads)}`);
        assert.deepEqual(threads.flatMap((t) => t.activeTasks).sort(), TASKS, 'each task in exactly one thread');

        await produce(backend, input, S, S, INPUT);
        const records = await consumeUntil(backend, output, S, L, (rs) => {
          const table = latest(rs);
          return KEYS.every((k) => table.get(k) === expectedCount(k));
        });
        // Exactly once: every count appears once, in order, per key.
        for (const key of KEYS) {
          assert.deepEqual(
            records.filter((r) => r.key === key).map((r) => r.value),
            Array.from({ length: expectedCount(key) }, (_, i) => i + 1),
          );
        }

        // Interactive queries see the store of every task, whichever thread runs it.
        const store = app.store({ storeName: 'counts', type: QueryableStoreTypes.keyValueStore<string, number>() });
        const partitions = new Set<number>();
        for (const key of KEYS) {
          assert.equal(store.get(key), expectedCount(key), key);
          const meta = app.queryMetadataForKey('counts', key, S);
          assert.deepEqual(meta.activeHost, { host: 'localhost', port: 7070 });
          partitions.add(meta.partition);
        }
        assert.deepEqual([...partitions].sort(), [0, 1, 2, 3], 'the keys cover every task');
        assert.equal(store.approximateNumEntries(), KEYS.length);
        assert.equal([...store.all()].length, KEYS.length);

        // Metrics add both threads up: each thread only reads its own partitions.
        const metrics = app.metrics();
        assert.deepEqual([...metrics.tasks].sort(), TASKS);
        assert.ok(metrics.processedRecords >= INPUT.length, `processed ${metrics.processedRecords} of ${INPUT.length}`);
        assert.ok(metrics.commits >= 2);
        assert.match(await app.prometheusMetrics(), /tributary_active_tasks\{[^}]*\} 4/);

        // The two threads' announcements merge into one instance.
        await waitFor('both threads announced', () => {
          const mine = app.allMetadata().filter((m) => m.processId === app.processId);
          return mine.length === 1 && [...(mine[0]?.activeTasks ?? [])].sort().join() === TASKS.join();
        });
      } finally {
        await app.close();
        await backend.close();
      }
      try {
        assert.equal(app.state, 'NOT_RUNNING');
        assert.deepEqual(logger.errors, []);
        // A clean close under exactly-once commits and writes a checkpoint for every task of both threads.
        for (const task of TASKS) assert.ok(existsSync(join(dir.path, applicationId, task, '.checkpoint')), `no checkpoint for ${task}`);
      } finally {
        dir.remove();
      }
    });

    it('REPLACE_THREAD replaces the failed thread in its place; the other runs on', async () => {
      const backend = await target.create();
      const dir = tempDir('threads-replace');
      const [input, output] = [uniqueName('threads-rin'), uniqueName('threads-rout')];
      await createTopics(backend, input, output);
      const applicationId = uniqueName('threads-rapp');
      let failures = 0;
      // The first time it meets k5 its thread fails: a transient fault.
      const app = new KafkaStreams(
        countTopology(input, output, (key) => key === 'k5' && failures++ === 0),
        { applicationId, backend, stateDir: dir.path, processingGuarantee: 'exactly_once_v2', commitIntervalMs: 50, numStreamThreads: 2, logger: quietLogger },
      );
      const seen: Error[] = [];
      app.setUncaughtExceptionHandler((error): StreamThreadExceptionResponse => {
        seen.push(error);
        return 'REPLACE_THREAD';
      });
      try {
        await app.start();
        await app.waitForRunning();
        await produce(backend, input, S, S, INPUT);
        const records = await consumeUntil(backend, output, S, L, (rs) => {
          const table = latest(rs);
          return KEYS.every((k) => table.get(k) === expectedCount(k));
        });
        for (const key of KEYS) {
          assert.deepEqual(
            records.filter((r) => r.key === key).map((r) => r.value),
            Array.from({ length: expectedCount(key) }, (_, i) => i + 1),
          );
        }
        assert.equal(seen.length, 1);
        assert.match(seen[0]?.message ?? '', /cannot handle k5/);
        assert.equal(app.metrics().threadReplacements, 1);
        await waitFor('RUNNING', () => app.state === 'RUNNING');
        // The replacement took the dead thread's number: still threads 1 and 2.
        assert.deepEqual(
          app.metadataForLocalThreads().map((t) => t.threadName),
          [1, 2].map((n) => `${applicationId}-${app.processId}-StreamThread-${n}`),
        );
      } finally {
        await app.close();
        await backend.close();
        dir.remove();
      }
    });
  });
}
