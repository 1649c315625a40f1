/**
 * The streams core on each backend: the same application code on the embedded log and on a real Kafka broker.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { Serdes } from '../../src/serde/serdes.js';
import { KafkaStreams } from '../../src/runtime/kafka-streams.js';
import { QueryableStoreTypes } from '../../src/state/queryable-store-types.js';
import type { ReadOnlyKeyValueStore } from '../../src/state/store.js';
import { testBackends, uniqueName } from '../support/backends.js';
import { consumeUntil, latest, produce, quietLogger, tempDir } from './harness.js';

const S = Serdes.string();
const L = Serdes.long();

for (const target of testBackends()) {
  describe(`streams core on ${target.name}`, () => {
    it('word count over two input partitions and a repartition topic', async () => {
      const backend = await target.create();
      const dir = tempDir('wc');
      const input = uniqueName('wc-in');
      const output = uniqueName('wc-out');
      const admin = backend.admin();
      await admin.createTopics([
        { name: input, numPartitions: 2 },
        { name: output, numPartitions: 1 },
      ]);
      await admin.close();
      const builder = new StreamsBuilder();
      builder
        .stream<string, string>(input, { keySerde: S, valueSerde: S })
        .flatMapValues((v) => v.toLowerCase().split(/\W+/).filter(Boolean))
        .groupBy((_k, w) => w, { keySerde: S })
        .count({ storeName: 'counts' })
        .toStream()
        .to(output, { keySerde: S, valueSerde: L });
      const app = new KafkaStreams(builder.build(), {
        applicationId: uniqueName('wc-app'),
        backend,
        stateDir: dir.path,
        commitIntervalMs: 100,
        logger: quietLogger,
      });
      try {
        await app.start();
        await produce(backend, input, S, S, [
          { key: 'a', value: 'the quick brown fox' },
          { key: 'b', value: 'the lazy dog' },
          { key: 'c', value: 'The end' },
        ]);
        // Words go through two repartition partitions, whose tasks' output interleaves in any order: wait for all.
        const records = await consumeUntil(backend, output, S, L, (rs) => {
          const counts = latest(rs);
          return counts.get('the') === 3 && counts.get('fox') === 1 && counts.get('dog') === 1;
        });
        const table = latest(records);
        assert.equal(table.get('the'), 3);
        assert.equal(table.get('fox'), 1);
        assert.equal(table.get('dog'), 1);
        await app.waitForRunning();
        const store = app.store({ storeName: 'counts', type: QueryableStoreTypes.keyValueStore<string, number>() });
        assert.equal(store.get('the'), 3);
        const prometheus = await app.prometheusMetrics();
        assert.match(prometheus, /tributary_state\{[^}]*state="RUNNING"[^}]*\} 1/);
        assert.match(prometheus, /tributary_records_processed_total\{[^}]*\} [1-9]/);
        assert.match(prometheus, /tributary_active_tasks\{[^}]*\} [1-9]/);
      } finally {
        await app.close();
        await backend.close();
        dir.remove();
      }
    });

    it('stream-table lookup and a KTable aggregation with a subtractor', async () => {
      const backend = await target.create();
      const dir = tempDir('join');
      const orders = uniqueName('orders');
      const customers = uniqueName('customers');
      const enriched = uniqueName('enriched');
      const perRegion = uniqueName('per-region');
      const admin = backend.admin();
      await admin.createTopics([orders, customers, enriched, perRegion].map((name) => ({ name, numPartitions: 1 })));
      await admin.close();
      const J = Serdes.json<{ name: string; region: string }>();
      const builder = new StreamsBuilder();
      const customerTable = builder.table<string, { name: string; region: string }>(customers, { keySerde: S, valueSerde: J, storeName: 'customers' });
      builder
        .stream<string, string>(orders, { keySerde: S, valueSerde: S })
        .leftJoin(customerTable, (item, c) => `${item} for ${c?.name ?? 'unknown'}`)
        .to(enriched, { keySerde: S, valueSerde: S });
      customerTable
        .groupBy((_id, c) => [c.region, c.name] as const, { keySerde: S, valueSerde: S })
        .count({ storeName: 'region-counts' })
        .toStream()
        .to(perRegion, { keySerde: S, valueSerde: L });
      const app = new KafkaStreams(builder.build(), {
        applicationId: uniqueName('join-app'),
        backend,
        stateDir: dir.path,
        commitIntervalMs: 100,
        logger: quietLogger,
      });
      try {
        await app.start();
        await produce(backend, customers, S, J, [
          { key: 'c1', value: { name: 'Ann', region: 'north' } },
          { key: 'c2', value: { name: 'Bob', region: 'north' } },
        ]);
        await consumeUntil(backend, perRegion, S, L, (rs) => latest(rs).get('north') === 2);
        await produce(backend, orders, S, S, [
          { key: 'c1', value: 'book' },
          { key: 'c9', value: 'pen' },
        ]);
        const joined = await consumeUntil(backend, enriched, S, S, (rs) => rs.length >= 2);
        assert.deepEqual(joined, [
          { key: 'c1', value: 'book for Ann' },
          { key: 'c9', value: 'pen for unknown' },
        ]);
        // Bob moves south: north loses one (subtractor), south gains one (adder); Ann is deleted.
        await produce(backend, customers, S, J, [
          { key: 'c2', value: { name: 'Bob', region: 'south' } },
          { key: 'c1', value: null },
        ]);
        const counts = await consumeUntil(backend, perRegion, S, L, (rs) => latest(rs).get('north') === 0 && latest(rs).get('south') === 1);
        assert.deepEqual(
          counts.map((r) => `${r.key}=${r.value}`),
          ['north=1', 'north=2', 'north=1', 'south=1', 'north=0'],
        );
      } finally {
        await app.close();
        await backend.close();
        dir.remove();
      }
    });

    it('restores state from the changelog after a restart, without replaying input', async () => {
      const backend = await target.create();
      const dir = tempDir('restore');
      const input = uniqueName('restore-in');
      const output = uniqueName('restore-out');
      const admin = backend.admin();
      await admin.createTopics([input, output].map((name) => ({ name, numPartitions: 1 })));
      await admin.close();
      const applicationId = uniqueName('restore-app');
      const topology = (): ReturnType<StreamsBuilder['build']> => {
        const builder = new StreamsBuilder();
        builder
          .stream<string, string>(input, { keySerde: S, valueSerde: S })
          .groupByKey()
          .count({ storeName: 'totals', storeType: 'memory' })
          .toStream()
          .to(output, { keySerde: S, valueSerde: L });
        return builder.build();
      };
      const run = async (records: Array<{ key: string; value: string }>, expectTotal: number, stateDir: string): Promise<KafkaStreams> => {
        const app = new KafkaStreams(topology(), { applicationId, backend, stateDir, commitIntervalMs: 100, logger: quietLogger });
        await app.start();
        await produce(backend, input, S, S, records);
        await consumeUntil(backend, output, S, L, (rs) => latest(rs).get('k') === expectTotal);
        return app;
      };
      try {
        const first = await run([{ key: 'k', value: '1' }, { key: 'k', value: '2' }, { key: 'k', value: '3' }], 3, dir.path);
        await first.close();
        // A fresh state directory: the in-memory store can only come back from the changelog.
        const fresh = tempDir('restore2');
        const second = await run([{ key: 'k', value: '4' }], 4, fresh.path);
        const metrics = second.metrics();
        // Only the new record was processed: the first three came back through the changelog.
        assert.equal(metrics.processedRecords, 1);
        assert.ok(metrics.restoredRecords >= 3, `restored ${metrics.restoredRecords}`);
        const store = second.store({ storeName: 'totals', type: QueryableStoreTypes.keyValueStore<string, number>() }) as ReadOnlyKeyValueStore<string, number>;
        assert.equal(store.get('k'), 4);
        await second.close();
        fresh.remove();
      } finally {
        await backend.close();
        dir.remove();
      }
    });

    for (const guarantee of ['at_least_once', 'exactly_once_v2'] as const) {
      it(`a persistent store restarts from its checkpoint under ${guarantee}: nothing is replayed from the changelog`, async () => {
        const backend = await target.create();
        const dir = tempDir('checkpoint');
        const input = uniqueName('cp-in');
        const output = uniqueName('cp-out');
        const admin = backend.admin();
        await admin.createTopics([input, output].map((name) => ({ name, numPartitions: 2 })));
        await admin.close();
        const applicationId = uniqueName('cp-app');
        const start = async (): Promise<KafkaStreams> => {
          const builder = new StreamsBuilder();
          builder
            .stream<string, string>(input, { keySerde: S, valueSerde: S })
            .groupByKey()
            .count({ storeName: 'persistent-totals' })
            .toStream()
            .to(output, { keySerde: S, valueSerde: L });
          const app = new KafkaStreams(builder.build(), {
            applicationId,
            backend,
            stateDir: dir.path,
            processingGuarantee: guarantee,
            commitIntervalMs: 100,
            logger: quietLogger,
          });
          await app.start();
          return app;
        };
        try {
          const first = await start();
          await produce(backend, input, S, S, Array.from({ length: 50 }, (_, i) => ({ key: `k${i % 5}`, value: 'x' })));
          await consumeUntil(backend, output, S, L, (rs) => [...latest(rs).values()].filter((v) => v === 10).length === 5);
          await first.close();
          const second = await start();
          await produce(backend, input, S, S, [{ key: 'k0', value: 'x' }]);
          await consumeUntil(backend, output, S, L, (rs) => latest(rs).get('k0') === 11);
          // Exactly-once too: a clean close writes the checkpoints (only a crash or a dirty close leaves none).
          assert.equal(second.metrics().restoredRecords, 0, 'the LMDB store was reopened at its checkpoint');
          assert.equal(second.metrics().processedRecords, 1);
          await second.close();
        } finally {
          await backend.close();
          dir.remove();
        }
      });
    }
  });
}
