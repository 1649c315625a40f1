/**
 * An exactly-once app that goes idle for longer than its transaction timeout must not hold a transaction open
 * (the log would abort it and fence the producer); it keeps processing when records come again.
 */
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
  describe(`exactly-once when idle on ${target.name}`, () => {
    it('survives an idle period longer than the transaction timeout', async () => {
      const backend = await target.create();
      const dir = tempDir('idle');
      const [input, output] = [uniqueName('idle-in'), uniqueName('idle-out')];
      const admin = backend.admin();
      await admin.createTopics([input, output].map((name) => ({ name, numPartitions: 1 })));
      await admin.close();
      const b = new StreamsBuilder();
      b.stream<string, string>(input, { keySerde: S, valueSerde: S }).groupByKey().count().toStream().to(output, { keySerde: S, valueSerde: L });
      const app = new KafkaStreams(b.build(), {
        applicationId: uniqueName('idle-app'),
        backend,
        stateDir: dir.path,
        processingGuarantee: 'exactly_once_v2',
        transactionTimeoutMs: 1000,
        logger: quietLogger,
      });
      try {
        await app.start();
        await produce(backend, input, S, S, [{ key: 'k', value: 'a' }]);
        await consumeUntil(backend, output, S, L, (rs) => latest(rs).get('k') === 1);
        await new Promise((r) => setTimeout(r, 2500));
        await produce(backend, input, S, S, [{ key: 'k', value: 'b' }]);
        await consumeUntil(backend, output, S, L, (rs) => latest(rs).get('k') === 2);
        assert.equal(app.state, 'RUNNING');
        assert.equal(app.metrics().recoveries, 0, 'no transaction was fenced');
      } finally {
        await app.close();
        await backend.close();
        dir.remove();
      }
    });
  });
}
