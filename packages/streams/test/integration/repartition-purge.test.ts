/** Committed records of repartition topics are deleted (Kafka Streams' purge), on both backends. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { Serdes } from '../../src/serde/serdes.js';
import { KafkaStreams } from '../../src/runtime/kafka-streams.js';
import { testBackends, uniqueName } from '../support/backends.js';
import { consumeUntil, latest, produce, quietLogger, tempDir } from './harness.js';

const S = Serdes.string();
const L = Serdes.long();

for (const target of testBackends()) {
  describe(`repartition purge on ${target.name}`, () => {
    it('deletes what was consumed and committed from the repartition topic', async () => {
      const backend = await target.create();
      const dir = tempDir('purge');
      const [input, output, applicationId] = [uniqueName('purge-in'), uniqueName('purge-out'), uniqueName('purge-app')];
      const admin = backend.admin();
      await admin.createTopics([input, output].map((name) => ({ name, numPartitions: 1 })));
      const builder = new StreamsBuilder();
      builder
        .stream<string, string>(input, { keySerde: S, valueSerde: S })
        .groupBy((_key, value) => value, { keySerde: S, valueSerde: S })
        .count()
        .toStream()
        .to(output, { keySerde: S, valueSerde: L });
      const app = new KafkaStreams(builder.build(), {
        applicationId,
        backend,
        stateDir: dir.path,
        commitIntervalMs: 50,
        repartitionPurgeIntervalMs: 0,
        logger: quietLogger,
      });
      try {
        await app.start();
        await produce(backend, input, S, S, Array.from({ length: 100 }, (_, i) => ({ key: `k${i}`, value: `v${i % 10}` })));
        await consumeUntil(backend, output, S, L, (rs) => [...latest(rs).values()].filter((v) => v === 10).length === 10);
        const repartition = (await admin.listTopics()).find((t) => t.startsWith(applicationId) && t.endsWith('-repartition'));
        assert.ok(repartition, 'the app has a repartition topic');
        const probe = await backend.createConsumer({ clientId: 'purge-probe', isolationLevel: 'read_uncommitted', autoOffsetReset: 'earliest' });
        try {
          // The purge runs after a commit without holding processing up: give it a few commits' time.
          let start = 0;
          for (let i = 0; i < 100 && start === 0; i++) {
            start = (await probe.beginningOffsets([{ topic: repartition, partition: 0 }]))[0]?.offset ?? 0;
            if (start === 0) await new Promise((r) => setTimeout(r, 100));
          }
          assert.ok(start > 0, `the repartition topic's log start moved (${start})`);
          assert.ok(start <= 100, `never past what was written (${start})`);
        } finally {
          await probe.close();
        }
      } finally {
        await app.close();
        await admin.close();
        await backend.close();
        dir.remove();
      }
    });
  });
}
