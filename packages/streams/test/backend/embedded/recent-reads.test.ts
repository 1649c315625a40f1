import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmbeddedBackend } from '../../../src/backend/embedded/index.js';
import type { Backend, ConsumedRecord } from '../../../src/backend/port.js';
import { b, str } from './helpers.js';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-recent-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function readAll(backend: Backend, topic: string, isolation: 'read_committed' | 'read_uncommitted'): Promise<ConsumedRecord[]> {
  const consumer = await backend.createConsumer({ clientId: `r-${isolation}`, isolationLevel: isolation, autoOffsetReset: 'earliest' });
  await consumer.assign([{ topic, partition: 0, offset: -1 }]);
  const out: ConsumedRecord[] = [];
  for (;;) {
    // A small poll: reads stop and resume inside the runs kept in memory.
    const batch = await consumer.poll(7, 0);
    if (batch.length === 0) break;
    out.push(...batch);
  }
  await consumer.close();
  return out;
}

const value = (i: number): Buffer => Buffer.alloc(1000, 97 + (i % 26));

test('a durable partition serves every record, from staged entries, recent ones kept in memory and the files alike', async (t) => {
  const dataDir = tempDir(t);
  const backend = createEmbeddedBackend({ dataDir, autoCreateTopics: false });
  await backend.admin().createTopics([{ name: 'log', numPartitions: 1 }]);
  const producer = await backend.createProducer({ clientId: 'p' });
  // About 3 MB: more than a partition keeps in memory (at most 1 MiB), so the oldest come from the files.
  for (let i = 0; i < 3000; i++) {
    producer.send({ topic: 'log', partition: 0, key: b(`k${i}`), value: value(i), timestamp: 1000 + i, ...(i % 100 === 0 ? { headers: { n: String(i) } } : {}) });
    if (i % 500 === 499) await producer.flush();
  }
  await producer.flush();
  // Sent and read before the event loop turns: these are still staged, not yet written.
  for (let i = 3000; i < 3005; i++) producer.send({ topic: 'log', partition: 0, key: b(`k${i}`), value: value(i), timestamp: 1000 + i });
  const records = await readAll(backend, 'log', 'read_uncommitted');
  assert.equal(records.length, 3005);
  records.forEach((r, i) => {
    assert.equal(r.offset, i);
    assert.equal(str(r.key), `k${i}`);
    assert.deepEqual(r.value, value(i));
    assert.equal(r.timestamp, 1000 + i);
    assert.deepEqual(r.headers, i % 100 === 0 && i < 3000 ? { n: b(String(i)) } : {});
  });
  await producer.close();
  await backend.close();

  const reopened = createEmbeddedBackend({ dataDir, autoCreateTopics: false });
  const again = await readAll(reopened, 'log', 'read_uncommitted');
  assert.deepEqual(
    again.map((r) => [r.offset, str(r.key)]),
    records.map((r) => [r.offset, str(r.key)]),
  );
  await reopened.close();
});

test('read_committed reads of a durable partition skip aborted records and markers, in memory and after reopening', async (t) => {
  const dataDir = tempDir(t);
  const backend = createEmbeddedBackend({ dataDir, autoCreateTopics: false });
  await backend.admin().createTopics([{ name: 'tx', numPartitions: 1 }]);
  const producer = await backend.createProducer({ clientId: 'tp', transactionalId: 'tx-1' });
  await producer.initTransactions();
  await producer.beginTransaction();
  for (const v of ['a1', 'a2', 'a3']) producer.send({ topic: 'tx', partition: 0, key: null, value: b(v) });
  await producer.abortTransaction();
  await producer.beginTransaction();
  for (const v of ['c1', 'c2']) producer.send({ topic: 'tx', partition: 0, key: null, value: b(v) });
  await producer.commitTransaction();
  const expectCommitted = ['c1', 'c2'];
  const expectAll = ['a1', 'a2', 'a3', 'c1', 'c2'];
  assert.deepEqual((await readAll(backend, 'tx', 'read_committed')).map((r) => str(r.value)), expectCommitted);
  assert.deepEqual((await readAll(backend, 'tx', 'read_uncommitted')).map((r) => str(r.value)), expectAll);
  // A turn of the event loop writes the staged entries; they are then read from the copy kept in memory.
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual((await readAll(backend, 'tx', 'read_committed')).map((r) => str(r.value)), expectCommitted);
  await producer.close();
  await backend.close();

  const reopened = createEmbeddedBackend({ dataDir, autoCreateTopics: false });
  assert.deepEqual((await readAll(reopened, 'tx', 'read_committed')).map((r) => str(r.value)), expectCommitted);
  assert.deepEqual((await readAll(reopened, 'tx', 'read_uncommitted')).map((r) => str(r.value)), expectAll);
  await reopened.close();
});
