/**
 * Windowed aggregation and a stream-stream join on each backend, each across a restart in the middle of a window:
 * the second instance continues from the restored stores.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { QueryableStoreTypes } from '../../src/state/queryable-store-types.js';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { Suppressed } from '../../src/dsl/suppressed.js';
import { JoinWindows, TimeWindows } from '../../src/dsl/windows.js';
import { KafkaStreams } from '../../src/runtime/kafka-streams.js';
import { Serdes } from '../../src/serde/serdes.js';
import { WindowedSerdes } from '../../src/serde/windowed-serdes.js';
import type { Topology } from '../../src/topology/topology.js';
import { testBackends, uniqueName } from '../support/backends.js';
import { consumeUntil, produce, quietLogger, tempDir } from './harness.js';

const S = Serdes.string();
const L = Serdes.long();
const MINUTE = 60_000;
// A recent window boundary (a multiple of a minute, an hour ago): changelogs of window stores keep records for their
// retention plus a day by record timestamp, so a fixed date in the past would let the broker delete them mid-test.
const BASE = Math.floor(Date.now() / 60_000) * 60_000 - 60 * 60_000;

for (const target of testBackends()) {
  describe(`windows and joins on ${target.name}`, () => {
    it('a windowed count and its final results continue from restored stores after a restart mid-window', async () => {
      const backend = await target.create();
      const dir = tempDir('win');
      const fresh = tempDir('win2');
      const input = uniqueName('clicks');
      const output = uniqueName('clicks-per-minute');
      const finalOutput = uniqueName('clicks-per-minute-final');
      const admin = backend.admin();
      await admin.createTopics([input, output, finalOutput].map((name) => ({ name, numPartitions: 1 })));
      await admin.close();
      const applicationId = uniqueName('win-app');
      const topology = (): Topology => {
        const builder = new StreamsBuilder();
        const counts = builder
          .stream<string, string>(input, { keySerde: S, valueSerde: S })
          .groupByKey()
          .windowedBy(TimeWindows.ofSizeWithNoGrace(MINUTE))
          .count({ storeName: 'per-minute' });
        counts.toStream().to(output, { valueSerde: L });
        counts.suppress(Suppressed.untilWindowCloses()).toStream().to(finalOutput, { valueSerde: L });
        return builder.build();
      };
      const windowedKey = WindowedSerdes.timeWindowed(S, MINUTE);
      const show = (rs: Array<{ key: { key: string; window: { start: number } } | null; value: number | null }>): string[] =>
        rs.map((r) => `${r.key?.key}@${(r.key?.window.start ?? 0) - BASE}=${r.value}`);
      try {
        const first = new KafkaStreams(topology(), { applicationId, backend, stateDir: dir.path, commitIntervalMs: 100, logger: quietLogger });
        await first.start();
        await produce(backend, input, S, S, [
          { key: 'u1', value: 'a', timestamp: BASE + 1_000 },
          { key: 'u1', value: 'b', timestamp: BASE + 2_000 },
          { key: 'u2', value: 'c', timestamp: BASE + 3_000 },
        ]);
        await consumeUntil(backend, output, windowedKey, L, (rs) => rs.length >= 3);
        await first.close();

        // A fresh state directory: the window store can only come back through its changelog.
        const second = new KafkaStreams(topology(), { applicationId, backend, stateDir: fresh.path, commitIntervalMs: 100, logger: quietLogger });
        try {
          await second.start();
          await produce(backend, input, S, S, [
            { key: 'u1', value: 'd', timestamp: BASE + 30_000 },
            { key: 'u1', value: 'e', timestamp: BASE + MINUTE + 1 },
          ]);
          const records = await consumeUntil(backend, output, windowedKey, L, (rs) => rs.length >= 5);
          assert.deepEqual(show(records), ['u1@0=1', 'u1@0=2', 'u2@0=1', 'u1@0=3', `u1@${MINUTE}=1`], `after restoring ${second.metrics().restoredRecords} changelog records`);
          assert.ok(second.metrics().restoredRecords >= 3, `restored ${second.metrics().restoredRecords}`);
          // The first minute closed after the restart: its final counts include what the buffer held before it.
          const finals = await consumeUntil(backend, finalOutput, windowedKey, L, (rs) => rs.length >= 2);
          assert.deepEqual(show(finals), ['u1@0=3', 'u2@0=1']);
          // Interactive query of the window store, values without timestamps. Retention is size + grace, so the
          // first minute has expired now that stream time is past it; the second is there.
          const perMinute = second.store({ storeName: 'per-minute', type: QueryableStoreTypes.windowStore<string, number>() });
          assert.deepEqual([...perMinute.fetchRange('u1', BASE, BASE + MINUTE)].map((e) => [e.key - BASE, e.value]), [[MINUTE, 1]]);
          assert.equal(perMinute.fetch('u1', BASE + MINUTE), 1);
          // Kafka's fetch(key, from, to) overload, as processors see it.
          assert.deepEqual([...perMinute.fetch('u1', BASE, BASE + MINUTE)].map((e) => [e.key - BASE, e.value]), [[MINUTE, 1]]);
        } finally {
          await second.close();
        }
      } finally {
        await backend.close();
        dir.remove();
        fresh.remove();
      }
    });

    it('a left join finds partners buffered before a restart and emits unmatched ones when their window closes', async () => {
      const backend = await target.create();
      const dir = tempDir('ssjoin');
      const orders = uniqueName('orders');
      const payments = uniqueName('payments');
      const paid = uniqueName('paid');
      const admin = backend.admin();
      await admin.createTopics([orders, payments, paid].map((name) => ({ name, numPartitions: 2 })));
      await admin.close();
      const applicationId = uniqueName('ssjoin-app');
      const topology = (): Topology => {
        const builder = new StreamsBuilder();
        const orderStream = builder.stream<string, string>(orders, { keySerde: S, valueSerde: S });
        const paymentStream = builder.stream<string, string>(payments, { keySerde: S, valueSerde: S });
        orderStream
          .leftJoin(paymentStream, (order, payment) => `${order}:${payment ?? 'unpaid'}`, JoinWindows.ofTimeDifferenceWithNoGrace(5 * MINUTE))
          .to(paid, { valueSerde: S });
        return builder.build();
      };
      const run = (): KafkaStreams => new KafkaStreams(topology(), { applicationId, backend, stateDir: dir.path, commitIntervalMs: 100, logger: quietLogger });
      try {
        const first = run();
        await first.start();
        await produce(backend, orders, S, S, [
          { key: 'o1', value: 'book', timestamp: BASE },
          { key: 'o2', value: 'pen', timestamp: BASE + 1_000 },
          { key: 'o3', value: 'ink', timestamp: BASE + 1_500 },
        ]);
        await produce(backend, payments, S, S, [{ key: 'o1', value: 'card', timestamp: BASE + 2_000 }]);
        await consumeUntil(backend, paid, S, S, (rs) => rs.length >= 1);
        await first.close();

        const second = run();
        try {
          await second.start();
          // o2's order is only in the window store of the first instance: the payment must find it there.
          await produce(backend, payments, S, S, [{ key: 'o2', value: 'cash', timestamp: BASE + 60_000 }]);
          await consumeUntil(backend, paid, S, S, (rs) => rs.length >= 2);
          // o3 waits in the restored outer-join store; a later order with its key (same partition, so same task)
          // moves stream time past its window, and it comes out unpaid.
          await produce(backend, orders, S, S, [{ key: 'o3', value: 'ink again', timestamp: BASE + 10 * MINUTE }]);
          const records = await consumeUntil(backend, paid, S, S, (rs) => rs.length >= 3);
          // Two partitions: the order across keys is not defined.
          assert.deepEqual(records.map((r) => `${r.key}=${r.value}`).sort(), ['o1=book:card', 'o2=pen:cash', 'o3=ink:unpaid']);
        } finally {
          await second.close();
        }
      } finally {
        await backend.close();
        dir.remove();
      }
    });
  });
}
