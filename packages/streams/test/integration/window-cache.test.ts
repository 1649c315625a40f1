/**
 * The window store's record cache in the runtime: a windowed count forwards, and change-logs, the latest count per
 * window when the task commits (here when the app closes, the commit interval being long); with
 * `statestoreCacheMaxBytes: 0` every update goes to both.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { TimeWindows } from '../../src/dsl/windows.js';
import { Serdes } from '../../src/serde/serdes.js';
import { WindowedSerdes } from '../../src/serde/windowed-serdes.js';
import { KafkaStreams } from '../../src/runtime/kafka-streams.js';
import { QueryableStoreTypes } from '../../src/state/queryable-store-types.js';
import { testBackends, uniqueName } from '../support/backends.js';
import { consumeUntil, produce, quietLogger, tempDir } from './harness.js';

const S = Serdes.string();
const L = Serdes.long();
const SIZE = 60_000;

for (const target of testBackends()) {
  describe(`window store record cache on ${target.name}`, () => {
    it('coalesces window updates between commits, in the output and the changelog; a zero-byte cache sends each', async () => {
      const backend = await target.create();
      const dir = tempDir('window-cache');
      const input = uniqueName('wcache-in');
      const admin = backend.admin();
      const outputs = [uniqueName('wcache-out'), uniqueName('wnocache-out')];
      await admin.createTopics([input, ...outputs].map((name) => ({ name, numPartitions: 1 })));
      await admin.close();
      const appIds = [uniqueName('wcache-app'), uniqueName('wnocache-app')];
      const app = (i: number, cacheBytes: number | undefined): KafkaStreams => {
        const builder = new StreamsBuilder();
        builder
          .stream<string, string>(input, { keySerde: S, valueSerde: S })
          .groupByKey()
          .windowedBy(TimeWindows.ofSizeWithNoGrace(SIZE))
          .count({ storeName: 'counts', caching: true })
          .toStream()
          .to(outputs[i] as string, { valueSerde: L });
        return new KafkaStreams(builder.build(), {
          applicationId: appIds[i] as string,
          backend,
          stateDir: dir.path,
          // Long enough that no commit happens while the test looks: only close() commits.
          commitIntervalMs: 600_000,
          ...(cacheBytes !== undefined ? { statestoreCacheMaxBytes: cacheBytes } : {}),
          logger: quietLogger,
        });
      };
      const cached = app(0, undefined);
      const uncached = app(1, 0);
      const windowed = WindowedSerdes.timeWindowed(S, SIZE);
      const show = (records: Array<{ key: { key: string; window: { start: number } } | null; value: number | null }>): string[] =>
        records.map((r) => `${r.key?.key}@${r.key?.window.start}=${r.value}`);
      // The changelog key is the store key (key + window start + sequence number); its value the plain count.
      const changelog = async (appId: string, count: number): Promise<string[]> => {
        const records = await consumeUntil(backend, `${appId}-counts-changelog`, Serdes.bytes(), L, (rs) => rs.length >= count);
        return records.map((r) => `${r.key?.subarray(0, r.key.length - 12).toString()}=${r.value}`);
      };
      try {
        const keys = ['a', 'a', 'b', 'a', 'b', 'a', 'a'];
        await produce(backend, input, S, S, keys.map((key, i) => ({ key, value: `v${i}`, timestamp: 1000 + i })));
        await cached.start();
        await uncached.start();
        const every = ['a@0=1', 'a@0=2', 'b@0=1', 'a@0=3', 'b@0=2', 'a@0=4', 'a@0=5'];
        // Every update goes out (and to the changelog) at once without a cache...
        assert.deepEqual(show(await consumeUntil(backend, outputs[1] as string, windowed, L, (rs) => rs.length >= 7)), every);
        assert.deepEqual(await changelog(appIds[1] as string, 7), every.map((e) => e.replace('@0', '')));
        // ...while the cached app has counted everything (its store reads through the cache) but sent nothing yet.
        await cached.waitForRunning();
        const store = cached.store({ storeName: 'counts', type: QueryableStoreTypes.windowStore<string, number>() });
        for (let i = 0; i < 300 && store.fetch('a', 0) !== 5; i++) await sleep(50);
        assert.equal(store.fetch('a', 0), 5);
        assert.equal(store.fetch('b', 0), 2);
        await cached.close();
        // Flushed in the order of each window's last write: b (record 5), then a (record 7).
        assert.deepEqual(show(await consumeUntil(backend, outputs[0] as string, windowed, L, (rs) => rs.length >= 2)), ['b@0=2', 'a@0=5']);
        assert.deepEqual(await changelog(appIds[0] as string, 2), ['b=2', 'a=5']);
      } finally {
        await cached.close();
        await uncached.close();
        await backend.close();
        dir.remove();
      }
    });
  });
}
