/**
 * The record cache in the runtime: a DSL aggregation forwards the latest value per key when the task commits (here
 * when the app closes, the commit interval being long), and with `statestoreCacheMaxBytes: 0` every update.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { Serdes } from '../../src/serde/serdes.js';
import { KafkaStreams } from '../../src/runtime/kafka-streams.js';
import { QueryableStoreTypes } from '../../src/state/queryable-store-types.js';
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
  });
}
