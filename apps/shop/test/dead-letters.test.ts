/**
 * How every shop service is configured to meet a record it cannot handle (`createService`): a record that cannot
 * be read, and one whose processing throws, both go to the app's dead-letter topic with the reason, and the app
 * keeps running and processing what follows.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createEmbeddedBackend, Serdes, StreamsBuilder } from '@tributary/streams';
import { z } from 'zod';
import { createService } from '../src/services/service-runtime.js';
import { deadLetterTopic } from '../src/topics.js';
import { quietLogger, readRawTopic, tempDir, writeRaw } from './support.js';

describe('dead letters', () => {
  it('sets aside unreadable and unprocessable records with the reason, and goes on', async () => {
    const dir = tempDir('dead-letters');
    const backend = createEmbeddedBackend({ dataDir: join(dir.path, 'log') });
    const appId = 'dead-letter-demo';
    const admin = backend.admin();
    await admin.createTopics([
      { name: 'in', numPartitions: 1 },
      { name: 'out', numPartitions: 1 },
      { name: deadLetterTopic(appId), numPartitions: 1 },
    ]);
    await admin.close();
    const builder = new StreamsBuilder();
    builder
      .stream<string, { n: number }>('in', { keySerde: Serdes.string(), valueSerde: Serdes.json(z.object({ n: z.number() })) })
      .mapValues((v) => {
        if (v.n < 0) throw new RangeError(`cannot handle ${v.n}`);
        return String(v.n * 2);
      })
      .to('out', { keySerde: Serdes.string(), valueSerde: Serdes.string() });
    const app = createService(builder.build(), appId, { backend, stateDir: join(dir.path, 'state'), logger: quietLogger, commitIntervalMs: 20 });
    try {
      await app.start();
      await app.waitForRunning();
      await writeRaw(backend, 'in', 'garbled', '{"n":');
      await writeRaw(backend, 'in', 'negative', '{"n":-1}');
      await writeRaw(backend, 'in', 'fine', '{"n":21}');
      const out = await readRawTopic(backend, 'out', (rs) => rs.length > 0, 30_000);
      assert.deepEqual(
        out.map((r) => [r.key?.toString('utf8'), r.value?.toString('utf8')]),
        [['fine', '42']],
      );
      const dead = await readRawTopic(backend, deadLetterTopic(appId), (rs) => rs.length >= 2, 30_000);
      const byKey = new Map(dead.map((r) => [r.key?.toString('utf8'), r]));
      assert.equal(byKey.get('garbled')?.value?.toString('utf8'), '{"n":');
      assert.match(byKey.get('garbled')?.headers['__streams.errors.message']?.toString('utf8') ?? '', /JSON/);
      assert.equal(byKey.get('negative')?.value?.toString('utf8'), '{"n":-1}');
      assert.match(byKey.get('negative')?.headers['__streams.errors.message']?.toString('utf8') ?? '', /cannot handle -1/);
      assert.equal(byKey.get('negative')?.headers['__streams.errors.topic']?.toString('utf8'), 'in');
      assert.equal(app.state, 'RUNNING');
    } finally {
      await app.close();
      await backend.close();
      dir.remove();
    }
  });
});
