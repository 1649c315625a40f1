/**
 * Input topics of the benchmark matrix, pre-loaded once per workload (format, partitions, keys) and read by every run
 * of every contender that needs them; the join's table topic is loaded the first time a join row asks for it.
 */
import { connectProducer, createTopics, disconnectProducer, produceAll } from './kafka-io.mjs';
import { formatOf } from './formats.mjs';
import { preloadBaseTimestamp, tableSizeFor } from './records.mjs';

/**
 * `input(row)` resolves to `{topic, table?, base, partitions}`: `base` is record 0's timestamp (records are 1 ms
 * apart), which the windowed case's expected counts depend on.
 */
export function workloadLoader({ bootstrap, records, log }) {
  const loaded = new Map();

  async function preload(topic, partitions, config, count, recordAt) {
    await createTopics(bootstrap, [{ name: topic, partitions, ...(config ? { config } : {}) }]);
    const started = Date.now();
    const producer = await connectProducer(bootstrap);
    try {
      await produceAll(producer, topic, count, recordAt);
    } finally {
      await disconnectProducer(producer);
    }
    log(`pre-loaded ${count} records into ${topic} (${partitions} partitions) in ${Date.now() - started} ms`);
  }

  return {
    async input(row) {
      const id = `${row.format}-${row.partitions}p-${row.keys}keys`;
      let w = loaded.get(id);
      const format = formatOf(row.format);
      if (w === undefined) {
        w = { topic: `bench-in-${id}`, partitions: row.partitions, base: preloadBaseTimestamp(records, Date.now()), table: undefined };
        await preload(w.topic, w.partitions, undefined, records, (i) => format.event(i, row.keys, w.base + i));
        loaded.set(id, w);
      }
      if (row.case === 'join' && w.table === undefined && format.user !== undefined) {
        const table = `bench-users-${id}`;
        // Co-partitioned with the events (same partition count, same partitioner), as a stream-table join needs.
        await preload(table, w.partitions, { 'cleanup.policy': 'compact' }, tableSizeFor(row.keys), (j) => format.user(j));
        w.table = table;
      }
      return w;
    },
  };
}
