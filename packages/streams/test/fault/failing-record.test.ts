/**
 * A record whose processing fails with the `fail` handler: nothing is committed past it (tasks close dirty, the open
 * transaction is aborted), and a restart processes it again. Then the uncaught-exception handler's three answers
 * (KIP-671). Both backends, both guarantees.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend } from '../../src/backend/port.js';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { Serdes } from '../../src/serde/serdes.js';
import { KafkaStreams, type KafkaStreamsState, type StreamThreadExceptionResponse } from '../../src/runtime/kafka-streams.js';
import { testBackends, uniqueName } from '../support/backends.js';
import { consumeUntil, produce, quietLogger, tempDir } from '../integration/harness.js';

const S = Serdes.string();
const L = Serdes.long();
const INPUT = ['a', 'b', 'poison', 'c', 'd'];

async function waitFor(what: string, condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function createTopics(backend: Backend, names: string[], partitions = 1): Promise<void> {
  const admin = backend.admin();
  await admin.createTopics(names.map((name) => ({ name, numPartitions: partitions })));
  await admin.close();
}

/** input → upper-cased to `output`, and a count per key to `counts`; `fails(value)` decides when the mapper throws. */
function topology(input: string, output: string, counts: string, fails: (value: string) => boolean): ReturnType<StreamsBuilder['build']> {
  const builder = new StreamsBuilder();
  const stream = builder.stream<string, string>(input, { keySerde: S, valueSerde: S });
  stream
    .mapValues((v) => {
      if (fails(v)) throw new Error(`cannot handle ${v}`);
      return v.toUpperCase();
    })
    .to(output, { keySerde: S, valueSerde: S });
  stream.groupByKey().count({ storeName: 'counts' }).toStream().to(counts, { keySerde: S, valueSerde: L });
  return builder.build();
}

async function committedOffset(backend: Backend, groupId: string, topic: string): Promise<number> {
  const consumer = await backend.createConsumer({ clientId: `${groupId}-probe`, groupId, isolationLevel: 'read_committed', autoOffsetReset: 'earliest' });
  try {
    const [c] = await consumer.committed([{ topic, partition: 0 }]);
    return c?.offset ?? -1;
  } finally {
    await consumer.close();
  }
}

for (const target of testBackends()) {
  for (const guarantee of ['at_least_once', 'exactly_once_v2'] as const) {
    describe(`a failing record on ${target.name}, ${guarantee}`, { timeout: 180_000 }, () => {
      it('commits nothing past the record; a restart processes it again', async () => {
        const backend = await target.create();
        const dir = tempDir('failing');
        const [input, output, counts, applicationId] = [uniqueName('fr-in'), uniqueName('fr-out'), uniqueName('fr-counts'), uniqueName('fr-app')];
        await createTopics(backend, [input, output, counts]);
        await produce(backend, input, S, S, INPUT.map((value) => ({ key: 'k', value })));
        const config = { applicationId, backend, stateDir: dir.path, processingGuarantee: guarantee, commitIntervalMs: 50, logger: quietLogger };
        const broken = new KafkaStreams(topology(input, output, counts, (v) => v === 'poison'), config);
        const states: KafkaStreamsState[] = [];
        broken.setStateListener((s) => states.push(s));
        try {
          await broken.start();
          await waitFor('the app to fail', () => broken.state === 'ERROR');
        } finally {
          await broken.close();
        }
        // The default handler (SHUTDOWN_CLIENT) stopped the instance; no offset was committed past the failing record.
        assert.equal(states.at(-1), 'ERROR');
        const committed = await committedOffset(backend, applicationId, input);
        assert.ok(committed <= INPUT.indexOf('poison'), `committed offset ${committed} is past the failing record`);

        const fixed = new KafkaStreams(topology(input, output, counts, () => false), config);
        try {
          await fixed.start();
          const out = await consumeUntil(backend, output, S, S, (rs) => rs.some((r) => r.value === 'D'));
          const countsOut = await consumeUntil(backend, counts, S, L, (rs) => rs.some((r) => r.value !== null && r.value >= 5));
          if (guarantee === 'exactly_once_v2') {
            // Nothing of the failed attempt is visible: every record exactly once, the count exactly 1..5.
            assert.deepEqual(out.map((r) => r.value), ['A', 'B', 'POISON', 'C', 'D']);
            assert.deepEqual(countsOut.map((r) => r.value), [1, 2, 3, 4, 5]);
          } else {
            // At least once: the failing record and everything after it is there (earlier ones may repeat).
            for (const v of ['A', 'B', 'POISON', 'C', 'D']) assert.ok(out.some((r) => r.value === v), `${v} missing from ${JSON.stringify(out)}`);
          }
        } finally {
          await fixed.close();
          await backend.close();
          dir.remove();
        }
      });

      it('REPLACE_THREAD: a new thread resumes from the last commit and the app heals', async () => {
        const backend = await target.create();
        const dir = tempDir('replace');
        const [input, output, counts] = [uniqueName('rt-in'), uniqueName('rt-out'), uniqueName('rt-counts')];
        await createTopics(backend, [input, output, counts]);
        await produce(backend, input, S, S, INPUT.map((value) => ({ key: 'k', value })));
        let failures = 0;
        // Fails the first time it meets the poison record only: a transient fault.
        const app = new KafkaStreams(topology(input, output, counts, (v) => v === 'poison' && failures++ === 0), {
          applicationId: uniqueName('rt-app'),
          backend,
          stateDir: dir.path,
          processingGuarantee: guarantee,
          commitIntervalMs: 50,
          logger: quietLogger,
        });
        const seen: Error[] = [];
        app.setUncaughtExceptionHandler((error): StreamThreadExceptionResponse => {
          seen.push(error);
          return 'REPLACE_THREAD';
        });
        const states: KafkaStreamsState[] = [];
        app.setStateListener((s) => states.push(s));
        try {
          await app.start();
          const out = await consumeUntil(backend, output, S, S, (rs) => rs.some((r) => r.value === 'D'));
          assert.equal(seen.length, 1);
          assert.match(seen[0]?.message ?? '', /cannot handle poison/);
          assert.equal(app.metrics().threadReplacements, 1);
          assert.ok(!states.includes('ERROR') && !states.includes('PENDING_ERROR'), `states ${states.join(',')}`);
          if (guarantee === 'exactly_once_v2') assert.deepEqual(out.map((r) => r.value), ['A', 'B', 'POISON', 'C', 'D']);
          else for (const v of ['A', 'B', 'POISON', 'C', 'D']) assert.ok(out.some((r) => r.value === v));
          await waitFor('RUNNING', () => app.state === 'RUNNING');
        } finally {
          await app.close();
          await backend.close();
          dir.remove();
        }
      });
    });
  }
}

describe('SHUTDOWN_APPLICATION on the embedded log', () => {
  it('stops every instance of the application', async () => {
    const target = testBackends()[0];
    assert.ok(target);
    const backend = await target.create();
    const dir1 = tempDir('shutdown-1');
    const dir2 = tempDir('shutdown-2');
    const [input, output, counts, applicationId] = [uniqueName('sa-in'), uniqueName('sa-out'), uniqueName('sa-counts'), uniqueName('sa-app')];
    await createTopics(backend, [input, output, counts], 2);
    // The poison record fails once only: the other instance, taking over its partition, would process it fine and
    // stops only because it was asked to.
    let poisoned = 0;
    const make = (stateDir: string): KafkaStreams =>
      new KafkaStreams(topology(input, output, counts, (v) => v === 'poison' && poisoned++ === 0), {
        applicationId,
        backend,
        stateDir,
        commitIntervalMs: 50,
        logger: quietLogger,
      });
    const apps = [make(dir1.path), make(dir2.path)];
    let calls = 0;
    for (const app of apps) {
      app.setUncaughtExceptionHandler(() => {
        calls++;
        return 'SHUTDOWN_APPLICATION';
      });
    }
    try {
      for (const app of apps) await app.start();
      await waitFor('both instances running', () => apps.every((a) => a.state === 'RUNNING'));
      // Keys spread over both partitions; only one instance meets the poison record.
      await produce(backend, input, S, S, [...Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: 'ok' })), { key: 'k0', value: 'poison' }]);
      await waitFor('both instances in ERROR', () => apps.every((a) => a.state === 'ERROR'));
      assert.equal(calls, 1, 'only the failing instance consults its handler');
    } finally {
      for (const app of apps) await app.close();
      await backend.close();
      dir1.remove();
      dir2.remove();
    }
  });
});
