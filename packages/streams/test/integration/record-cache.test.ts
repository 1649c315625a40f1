/**
 * The record cache in the runtime: a DSL aggregation forwards the latest value per key when the task commits (here
 * when the app closes, the commit interval being long), and with `statestoreCacheMaxBytes: 0` every update. The
 * budget is the thread's, shared by all its tasks (Kafka's ThreadCache), not one per task.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { Serdes } from '../../src/serde/serdes.js';
import { KafkaStreams } from '../../src/runtime/kafka-streams.js';
import { QueryableStoreTypes } from '../../src/state/queryable-store-types.js';
import { CACHE_ENTRY_OVERHEAD_BYTES } from '../../src/state/record-cache.js';
import { testBackends, uniqueName } from '../support/backends.js';
import { consumeUntil, produce, quietLogger, tempDir } from './harness.js';

const S = Serdes.string();
const L = Serdes.long();

for (const target of testBackends()) {
  describe(`record cache on ${target.name}`, () => {
    it('coalesces updates between commits; a zero-byte cache forwards each', async () => {
      const backend = await target.create();
      const dir = tempDir('cache');
      const input = uniqueName('cache-in');
      const admin = backend.admin();
      const outputs = [uniqueName('cache-out'), uniqueName('nocache-out')];
      await admin.createTopics([input, ...outputs].map((name) => ({ name, numPartitions: 1 })));
      await admin.close();
      const app = (output: string, cacheBytes: number | undefined): KafkaStreams => {
        const builder = new StreamsBuilder();
        builder.stream<string, string>(input, { keySerde: S, valueSerde: S }).groupByKey().count({ storeName: 'counts', caching: true }).toStream().to(output, { keySerde: S, valueSerde: L });
        return new KafkaStreams(builder.build(), {
          applicationId: uniqueName('cache-app'),
          backend,
          stateDir: dir.path,
          // Long enough that no commit happens while the test looks: only close() commits.
          commitIntervalMs: 600_000,
          ...(cacheBytes !== undefined ? { statestoreCacheMaxBytes: cacheBytes } : {}),
          logger: quietLogger,
        });
      };
      const cached = app(outputs[0] as string, undefined);
      const uncached = app(outputs[1] as string, 0);
      try {
        await produce(backend, input, S, S, [1, 2, 3, 4, 5].map((n) => ({ key: 'a', value: `v${n}` })));
        await cached.start();
        await uncached.start();
        // Every update is forwarded at once without a cache...
        const each = await consumeUntil(backend, outputs[1] as string, S, L, (rs) => rs.some((r) => r.value === 5));
        assert.deepEqual(each.map((r) => r.value), [1, 2, 3, 4, 5]);
        // ...while the cached app has counted all five (its store reads through the cache) but forwarded nothing yet.
        await cached.waitForRunning();
        const store = cached.store({ storeName: 'counts', type: QueryableStoreTypes.keyValueStore<string, number>() });
        for (let i = 0; i < 300 && store.get('a') !== 5; i++) await sleep(50);
        assert.equal(store.get('a'), 5);
        await cached.close();
        const coalesced = await consumeUntil(backend, outputs[0] as string, S, L, (rs) => rs.some((r) => r.value === 5));
        assert.deepEqual(coalesced, [{ key: 'a', value: 5 }]);
      } finally {
        await cached.close();
        await uncached.close();
        await backend.close();
        dir.remove();
      }
    });

    it('one budget for all the tasks of a thread: over it, updates are evicted and forwarded before any commit', async () => {
      const backend = await target.create();
      const dir = tempDir('cache-shared');
      const input = uniqueName('shared-in');
      const output = uniqueName('shared-out');
      const admin = backend.admin();
      await admin.createTopics([input, output].map((name) => ({ name, numPartitions: 4 })));
      await admin.close();
      // 40 keys over 4 partitions (4 tasks), a budget of about 8 cached counts (key of 3 bytes, value and timestamp
      // 16). Had each task a budget of its own, the tasks would hold some 32 of the 40 counts until a commit; sharing
      // one, at least 32 are evicted, and so forwarded, while the commit is still ten minutes away.
      const keys = Array.from({ length: 40 }, (_, i) => `k${String(i).padStart(2, '0')}`);
      const builder = new StreamsBuilder();
      builder.stream<string, string>(input, { keySerde: S, valueSerde: S }).groupByKey().count({ storeName: 'counts', caching: true }).toStream().to(output, { keySerde: S, valueSerde: L });
      const app = new KafkaStreams(builder.build(), {
        applicationId: uniqueName('shared-app'),
        backend,
        stateDir: dir.path,
        commitIntervalMs: 600_000,
        statestoreCacheMaxBytes: 8 * (CACHE_ENTRY_OVERHEAD_BYTES + 3 + 16),
        logger: quietLogger,
      });
      try {
        await produce(backend, input, S, S, keys.map((key) => ({ key, value: 'v' })));
        await app.start();
        const forwarded = await consumeUntil(backend, output, S, L, (rs) => rs.length >= 32);
        assert.ok(forwarded.length >= 32 && forwarded.length <= 40, `${forwarded.length} counts forwarded`);
        assert.ok(forwarded.every((r) => r.value === 1 && keys.includes(r.key as string)));
        await app.close();
        const all = await consumeUntil(backend, output, S, L, (rs) => new Set(rs.map((r) => r.key)).size === 40);
        assert.equal(all.length, 40, 'each key forwarded once: evicted, or flushed at the closing commit');
      } finally {
        await app.close();
        await backend.close();
        dir.remove();
      }
    });
  });
}
