/** The embedded-log guide's example: a durable log in a directory, which survives a restart of the process. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmbeddedBackend } from '@tributary/streams';
import { readTopic } from './read-topic.js';

export async function survivesRestart(): Promise<string[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'embedded-guide-'));
  try {
    const first = createEmbeddedBackend({ dataDir });
    await first.admin().createTopics([{ name: 'events', numPartitions: 1 }]);
    const producer = await first.createProducer({ clientId: 'writer' });
    for (const event of ['created', 'paid', 'shipped']) producer.send({ topic: 'events', key: Buffer.from('order-1'), value: Buffer.from(event) });
    await producer.flush(); // acknowledged records are on disk
    await producer.close();
    await first.close();

    const second = createEmbeddedBackend({ dataDir }); // as after a restart
    try {
      return (await readTopic(second, 'events', 3)).map((r) => r.value?.toString() ?? '');
    } finally {
      await second.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
