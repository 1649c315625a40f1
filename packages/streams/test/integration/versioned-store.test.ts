/**
 * A versioned table on each backend, across a restart with a fresh state directory: its history comes back from the
 * changelog, so a late stream record still joins the version that was valid at its time.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { KafkaStreams } from '../../src/runtime/kafka-streams.js';
import { Serdes } from '../../src/serde/serdes.js';
import { Stores } from '../../src/state/stores.js';
import type { Topology } from '../../src/topology/topology.js';
import { testBackends, uniqueName } from '../support/backends.js';
import { consumeUntil, produce, quietLogger, tempDir } from './harness.js';

const S = Serdes.string();
// Recent timestamps: the changelog is compacted and kept by record time, so old fixed dates could be deleted mid-test.
const BASE = Date.now() - 60 * 60_000;

for (const target of testBackends()) {
  describe(`versioned store on ${target.name}`, () => {
    it('restores its history from the changelog; joins read it as of the stream record time', async () => {
      const backend = await target.create();
      const dir = tempDir('versioned');
      const fresh = tempDir('versioned2');
      const [prices, orders, priced, echo] = ['prices', 'orders', 'priced', 'prices-echo'].map((n) => uniqueName(n)) as [string, string, string, string];
      const admin = backend.admin();
      await admin.createTopics([prices, orders, priced, echo].map((name) => ({ name, numPartitions: 1 })));
      await admin.close();
      const applicationId = uniqueName('versioned-app');
      const topology = (): Topology => {
        const builder = new StreamsBuilder();
        const table = builder.table<string, string>(prices, {
          keySerde: S,
          valueSerde: S,
          storeSupplier: Stores.inMemoryVersionedKeyValueStore('prices-store', 24 * 60 * 60_000),
        });
        table.toStream().to(echo, { keySerde: S, valueSerde: S });
        builder
          .stream<string, string>(orders, { keySerde: S, valueSerde: S })
          .leftJoin(table, (order, price) => `${order}@${price ?? 'none'}`)
          .to(priced, { keySerde: S, valueSerde: S });
        return builder.build();
      };
      try {
        const first = new KafkaStreams(topology(), { applicationId, backend, stateDir: dir.path, commitIntervalMs: 100, logger: quietLogger });
        await first.start();
        await produce(backend, prices, S, S, [
          { key: 'apple', value: '1.00', timestamp: BASE + 10 },
          { key: 'apple', value: '2.00', timestamp: BASE + 20 },
        ]);
        await consumeUntil(backend, echo, S, S, (rs) => rs.length >= 2);
        await produce(backend, orders, S, S, [{ key: 'apple', value: 'o1', timestamp: BASE + 25 }]);
        await consumeUntil(backend, priced, S, S, (rs) => rs.length >= 1);
        await first.close();

        // A fresh state directory and an in-memory store: the versions can only come back through the changelog.
        const second = new KafkaStreams(topology(), { applicationId, backend, stateDir: fresh.path, commitIntervalMs: 100, logger: quietLogger });
        try {
          await second.start();
          await produce(backend, orders, S, S, [{ key: 'apple', value: 'o2', timestamp: BASE + 15 }]);
          const out = await consumeUntil(backend, priced, S, S, (rs) => rs.length >= 2);
          assert.deepEqual(out.map((r) => r.value), ['o1@2.00', 'o2@1.00']);
          assert.ok(second.metrics().restoredRecords >= 2, `restored ${second.metrics().restoredRecords}`);
        } finally {
          await second.close();
        }
      } finally {
        await backend.close();
        dir.remove();
        fresh.remove();
      }
    });
  });
}
