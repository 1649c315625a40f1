/** A poison record goes to the dead-letter topic with the reason, and processing goes on (both backends). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { Serdes } from '../../src/serde/serdes.js';
import { KafkaStreams } from '../../src/runtime/kafka-streams.js';
import { DLQ_HEADERS } from '../../src/runtime/record-failures.js';
import { testBackends, uniqueName } from '../support/backends.js';
import { consumeUntil, produce, quietLogger, tempDir } from '../integration/harness.js';

const S = Serdes.string();
const B = Serdes.bytes();

for (const target of testBackends()) {
  describe(`dead-letter topic on ${target.name}`, () => {
    it('skips a malformed record, writes it to the DLQ with the error, and keeps processing', async () => {
      const backend = await target.create();
      const dir = tempDir('dlq');
      const [input, output, dlq] = [uniqueName('dlq-in'), uniqueName('dlq-out'), uniqueName('dlq')];
      const admin = backend.admin();
      await admin.createTopics([input, output, dlq].map((name) => ({ name, numPartitions: 1 })));
      await admin.close();
      const J = Serdes.json<{ n: number }>();
      const builder = new StreamsBuilder();
      builder
        .stream<string, { n: number }>(input, { keySerde: S, valueSerde: J })
        .mapValues((v) => ({ n: v.n * 2 }))
        .to(output, { keySerde: S, valueSerde: J });
      const app = new KafkaStreams(builder.build(), {
        applicationId: uniqueName('dlq-app'),
        backend,
        stateDir: dir.path,
        commitIntervalMs: 100,
        deserializationExceptionHandler: 'logAndContinue',
        deadLetterQueueTopic: dlq,
        logger: quietLogger,
      });
      try {
        await app.start();
        await produce(backend, input, S, B, [
          { key: 'a', value: Buffer.from('{"n":1}') },
          { key: 'bad', value: Buffer.from('{not json') },
          { key: 'b', value: Buffer.from('{"n":2}') },
        ]);
        const out = await consumeUntil(backend, output, S, J, (rs) => rs.length >= 2);
        assert.deepEqual(out, [
          { key: 'a', value: { n: 2 } },
          { key: 'b', value: { n: 4 } },
        ]);
        const consumer = await backend.createConsumer({ clientId: 'dlq-reader', isolationLevel: 'read_committed', autoOffsetReset: 'earliest' });
        try {
          await consumer.assign([{ topic: dlq, partition: 0, offset: 0 }]);
          let dead: Awaited<ReturnType<typeof consumer.poll>> = [];
          for (let i = 0; i < 100 && dead.length === 0; i++) dead = await consumer.poll(10, 200);
          assert.equal(dead.length, 1);
          const r = dead[0];
          assert.equal(r?.key?.toString(), 'bad');
          assert.equal(r?.value?.toString(), '{not json');
          assert.equal(r?.headers[DLQ_HEADERS.topic]?.toString(), input);
          assert.equal(r?.headers[DLQ_HEADERS.offset]?.toString(), '1');
          assert.match(r?.headers[DLQ_HEADERS.message]?.toString() ?? '', new RegExp(`Deserialization|JSON|${input}`));
        } finally {
          await consumer.close();
        }
        assert.equal(app.state, 'RUNNING');
      } finally {
        await app.close();
        await backend.close();
        dir.remove();
      }
    });
  });
}
