/**
 * Redriving dead letters on its own, on the embedded log: what is written where, what is skipped and why, and that
 * the action is logged with all of it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createEmbeddedBackend, type Logger } from '@tributary/streams';
import { DeadLetters, REDRIVEN_HEADER } from '../src/console/dead-letters.js';
import { readRawTopic, tempDir } from './support.js';

describe('console dead-letter redrive', () => {
  it('writes the chosen dead letters back to their origin, skips what it cannot, and logs it', async () => {
    const dir = tempDir('console-dlq');
    const backend = createEmbeddedBackend({ dataDir: join(dir.path, 'log') });
    const logged: Array<{ fields: unknown; message: string | undefined }> = [];
    const logger: Logger = {
      info: (fields: unknown, message?: string) => void logged.push({ fields, message }),
      warn: () => undefined,
      error: () => undefined,
      debug: () => undefined,
    };
    try {
      const admin = backend.admin();
      await admin.createTopics([
        { name: 'in', numPartitions: 2 },
        { name: 'app-dead-letters', numPartitions: 1 },
      ]);
      await admin.close();
      const producer = await backend.createProducer({ clientId: 'test' });
      producer.send({
        topic: 'app-dead-letters',
        partition: 0,
        key: Buffer.from('k1'),
        value: Buffer.from('{"bad":'),
        headers: { '__streams.errors.topic': 'in', '__streams.errors.message': 'malformed JSON', trace: 'abc' },
      });
      producer.send({ topic: 'app-dead-letters', partition: 0, key: Buffer.from('k2'), value: Buffer.from('x') });
      await producer.flush();
      await producer.close();

      const dlq = new DeadLetters(backend, logger);
      const listed = await dlq.list('app-dead-letters', 10);
      assert.equal(listed.length, 2);
      assert.equal(listed.find((d) => d.key === 'k1')?.error.message, 'malformed JSON');

      const outcome = await dlq.redrive('app-dead-letters', [{ partition: 0, offset: 0 }, { partition: 0, offset: 1 }, { partition: 0, offset: 9 }], '127.0.0.1');
      assert.deepEqual(outcome.redriven, [{ partition: 0, offset: 0, to: 'in' }]);
      assert.deepEqual(
        outcome.skipped.map((s) => [s.offset, s.reason]),
        [
          [1, 'no __streams.errors.topic header'],
          [9, 'not in the log (deleted or never written)'],
        ],
      );
      const [copy] = await readRawTopic(backend, 'in', (rs) => rs.length > 0, 10_000);
      assert.equal(copy?.key?.toString(), 'k1');
      assert.equal(copy?.value?.toString(), '{"bad":');
      assert.deepEqual(
        Object.fromEntries(Object.entries(copy?.headers ?? {}).map(([k, v]) => [k, v.toString()])),
        { trace: 'abc', [REDRIVEN_HEADER]: 'app-dead-letters/0/0' },
      );
      assert.equal(logged.length, 1);
      assert.equal(logged[0]?.message, 'console: dead letters redriven');
      assert.deepEqual(logged[0]?.fields, { deadLetterTopic: 'app-dead-letters', redriven: outcome.redriven, skipped: outcome.skipped, by: '127.0.0.1' });
    } finally {
      await backend.close();
      dir.remove();
    }
  });
});
