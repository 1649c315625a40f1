import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmbeddedBackend } from '../../../src/backend/embedded/index.js';
import { EmbeddedConsumer } from '../../../src/backend/embedded/embedded-consumer.js';
import { EmbeddedLog } from '../../../src/backend/embedded/embedded-log.js';
import { EmbeddedProducer } from '../../../src/backend/embedded/embedded-producer.js';
import { EntryKind, encodeEntry } from '../../../src/backend/embedded/record-codec.js';
import type { ConsumedRecord } from '../../../src/backend/port.js';
import { b, pollUntil, recordingListener, str } from './helpers.js';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-embedded-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function readAll(log: EmbeddedLog, topic: string, partition: number, isolation: 'read_committed' | 'read_uncommitted'): Promise<ConsumedRecord[]> {
  const consumer = new EmbeddedConsumer(log, { clientId: 'r', isolationLevel: isolation, autoOffsetReset: 'earliest' });
  await consumer.assign([{ topic, partition, offset: -1 }]);
  const out: ConsumedRecord[] = [];
  for (;;) {
    const batch = await consumer.poll(1000, 0);
    if (batch.length === 0) return out;
    out.push(...batch);
  }
}

test('topics, records, headers and committed offsets survive close and reopen', async (t) => {
  const dataDir = tempDir(t);
  const first = createEmbeddedBackend({ dataDir });
  await first.admin().createTopics([{ name: 'orders', numPartitions: 2, config: { 'cleanup.policy': 'compact' } }]);
  const producer = await first.createProducer({ clientId: 'p' });
  for (let i = 0; i < 100; i++) {
    producer.send({ topic: 'orders', key: b(`k${i}`), value: i % 10 === 0 ? null : b(`v${i}`), timestamp: 1000 + i, headers: { n: String(i) } });
  }
  await producer.flush();
  const consumer = await first.createConsumer({ clientId: 'c', groupId: 'g', isolationLevel: 'read_committed', autoOffsetReset: 'earliest' });
  await consumer.subscribe(['orders'], recordingListener('c', []));
  const consumed = await pollUntil(consumer, 30);
  await consumer.commit([{ topic: 'orders', partition: 0, offset: 5 }]);
  await consumer.close();
  await first.close();

  const second = createEmbeddedBackend({ dataDir });
  assert.deepEqual(await second.admin().describeTopics(['orders']), new Map([['orders', 2]]));
  const again = await second.createConsumer({ clientId: 'c', isolationLevel: 'read_uncommitted', autoOffsetReset: 'earliest' });
  await again.assign([0, 1].map((partition) => ({ topic: 'orders', partition, offset: -1 })));
  const records = await pollUntil(again, 100);
  assert.equal(records.length, 100);
  const byKey = new Map(records.map((r) => [str(r.key), r]));
  assert.equal(str(byKey.get('k7')!.value), 'v7');
  assert.equal(byKey.get('k20')!.value, null);
  assert.equal(byKey.get('k7')!.timestamp, 1007);
  assert.deepEqual(byKey.get('k7')!.headers, { n: b('7') });
  const sample = consumed[0]!;
  const same = records.find((r) => r.partition === sample.partition && r.offset === sample.offset)!;
  assert.equal(str(same.key), str(sample.key));
  const group = await second.createConsumer({ clientId: 'c2', groupId: 'g', isolationLevel: 'read_committed', autoOffsetReset: 'earliest' });
  assert.deepEqual(await group.committed([{ topic: 'orders', partition: 0 }]), [{ topic: 'orders', partition: 0, offset: 5 }]);
  // Appends continue at the next offset.
  const p2 = await second.createProducer({ clientId: 'p2' });
  p2.send({ topic: 'orders', partition: 0, key: null, value: b('next') });
  const [last] = await p2.flush();
  assert.equal(last!.offset, records.filter((r) => r.partition === 0).length);
  await second.close();
});

test('backends opened on one data directory share one log', async (t) => {
  const dataDir = tempDir(t);
  const a = createEmbeddedBackend({ dataDir });
  const b2 = createEmbeddedBackend({ dataDir: join(dataDir, '.') });
  await a.admin().createTopics([{ name: 'x', numPartitions: 1 }]);
  assert.deepEqual(await b2.admin().listTopics(), ['x']);
  await a.close();
  await b2.close();
});

test('after a crash, committed transactions are visible, open ones aborted, and offsets are not reused', async (t) => {
  const dataDir = tempDir(t);
  const log = new EmbeddedLog(dataDir, undefined);
  log.createTopic({ name: 't', numPartitions: 1 });
  const committedProducer = new EmbeddedProducer(log, { clientId: 'a', transactionalId: 'a' });
  await committedProducer.initTransactions();
  await committedProducer.beginTransaction();
  committedProducer.send({ topic: 't', key: null, value: b('kept') });
  await committedProducer.commitTransaction();
  const openProducer = new EmbeddedProducer(log, { clientId: 'b', transactionalId: 'b' });
  await openProducer.initTransactions();
  await openProducer.beginTransaction();
  openProducer.send({ topic: 't', key: null, value: b('in-flight') });
  await openProducer.flush();
  // A crash: the process goes away without closing; a new process opens the directory.
  const recovered = new EmbeddedLog(dataDir, undefined);
  assert.deepEqual((await readAll(recovered, 't', 0, 'read_committed')).map((r) => str(r.value)), ['kept']);
  assert.deepEqual((await readAll(recovered, 't', 0, 'read_uncommitted')).map((r) => str(r.value)), ['kept', 'in-flight']);
  // kept 0, commit marker 1, in-flight 2, abort marker written by recovery 3.
  assert.equal(recovered.partition('t', 0)!.highWatermark, 4);
  assert.equal(recovered.partition('t', 0)!.lastStableOffset, 4);
  recovered.close();
  log.close();
});

test('a transaction whose commit entry reached disk is completed as committed on recovery', async (t) => {
  const dataDir = tempDir(t);
  const log = new EmbeddedLog(dataDir, undefined);
  log.createTopic({ name: 't', numPartitions: 2 });
  const group = log.group('app');
  const producer = new EmbeddedProducer(log, { clientId: 'p', transactionalId: 'p' });
  await producer.initTransactions();
  await producer.beginTransaction();
  producer.send({ topic: 't', partition: 0, key: null, value: b('x') });
  producer.send({ topic: 't', partition: 1, key: null, value: b('y') });
  await producer.sendOffsetsToTransaction([{ topic: 'in', partition: 0, offset: 42 }], { groupId: 'app', generationId: -1, memberId: '' });
  await producer.commitTransaction();
  assert.equal(group.offsets.get('in\u00000'), 42);
  log.close();
  // Simulates a crash between the durable commit entry and the markers: cut the markers off both partition files.
  for (const partition of [0, 1]) {
    const file = join(dataDir, 'topics', 't', String(partition), '00000000000000000000.log');
    truncateSync(file, firstEntrySize(file));
    assert.ok(statSync(file).size > 0);
  }
  const recovered = new EmbeddedLog(dataDir, undefined);
  assert.deepEqual((await readAll(recovered, 't', 0, 'read_committed')).map((r) => str(r.value)), ['x']);
  assert.deepEqual((await readAll(recovered, 't', 1, 'read_committed')).map((r) => str(r.value)), ['y']);
  assert.equal(recovered.group('app').offsets.get('in\u00000'), 42);
  recovered.close();
});

function firstEntrySize(file: string): number {
  const data = readFileSync(file);
  return 8 + data.readUInt32BE(0);
}

test('a torn tail (partial write) is cut off on load; earlier records are intact', async (t) => {
  const dataDir = tempDir(t);
  const first = createEmbeddedBackend({ dataDir });
  await first.admin().createTopics([{ name: 't', numPartitions: 1 }]);
  const producer = await first.createProducer({ clientId: 'p' });
  producer.send({ topic: 't', key: null, value: b('one') });
  producer.send({ topic: 't', key: null, value: b('two') });
  await producer.flush();
  await first.close();
  // A torn write only happens in a crash: no clean-shutdown marker then.
  rmSync(join(dataDir, '.clean-shutdown'));
  appendFileSync(join(dataDir, 'topics', 't', '0', '00000000000000000000.log'), Buffer.from([0, 0, 0, 99, 1, 2, 3]));

  const second = createEmbeddedBackend({ dataDir });
  const log = new EmbeddedLog(dataDir, undefined);
  assert.deepEqual((await readAll(log, 't', 0, 'read_uncommitted')).map((r) => str(r.value)), ['one', 'two']);
  log.close();
  const p2 = await second.createProducer({ clientId: 'p' });
  p2.send({ topic: 't', key: null, value: b('three') });
  assert.deepEqual(await p2.flush(), [{ topic: 't', partition: 0, offset: 2 }]);
  await second.close();
  const third = new EmbeddedLog(dataDir, undefined);
  assert.deepEqual((await readAll(third, 't', 0, 'read_uncommitted')).map((r) => str(r.value)), ['one', 'two', 'three']);
  third.close();
});

test('deleted topics stay deleted after reopen', async (t) => {
  const dataDir = tempDir(t);
  const first = createEmbeddedBackend({ dataDir });
  await first.admin().createTopics([{ name: 'gone', numPartitions: 1 }, { name: 'stays', numPartitions: 1 }]);
  await first.admin().deleteTopics(['gone']);
  await first.close();
  const second = createEmbeddedBackend({ dataDir });
  assert.deepEqual(await second.admin().listTopics(), ['stays']);
  await second.close();
});

test('a data directory of the format before segments (one file per partition, metadata without checksums) opens as it was', async (t) => {
  const dataDir = tempDir(t);
  mkdirSync(join(dataDir, 'topics', 't'), { recursive: true });
  writeFileSync(
    join(dataDir, 'meta.jsonl'),
    [{ t: 'topic', name: 't', partitions: 1, config: {} }, { t: 'offsets', group: 'g', offsets: [['t', 0, 2]] }].map((e) => JSON.stringify(e) + '\n').join(''),
  );
  writeFileSync(
    join(dataDir, 'topics', 't', '0.log'),
    Buffer.concat([0, 1, 2].map((i) => encodeEntry(EntryKind.Data, i, 0, 1000 + i, b(`k${i}`), b(`v${i}`), {}))),
  );
  const log = new EmbeddedLog(dataDir, undefined);
  assert.deepEqual((await readAll(log, 't', 0, 'read_uncommitted')).map((r) => str(r.value)), ['v0', 'v1', 'v2']);
  assert.equal(log.group('g').offsets.get('t\u00000'), 2);
  log.close();
  assert.ok(existsSync(join(dataDir, 'topics', 't', '0', '00000000000000000000.log')));
  assert.ok(!existsSync(join(dataDir, 'topics', 't', '0.log')));
  assert.match(readFileSync(join(dataDir, 'meta.jsonl'), 'utf8'), /^[0-9a-f]{8} \{/);
});
