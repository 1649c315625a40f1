import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmbeddedBackend } from '../../../src/backend/embedded/index.js';
import { EmbeddedConsumer } from '../../../src/backend/embedded/embedded-consumer.js';
import { EmbeddedLog } from '../../../src/backend/embedded/embedded-log.js';
import { EmbeddedProducer } from '../../../src/backend/embedded/embedded-producer.js';
import { LogStorageError } from '../../../src/backend/embedded/log-errors.js';
import type { ConsumedRecord } from '../../../src/backend/port.js';
import { b, pollUntil, str } from './helpers.js';
import { collectGarbage } from '../../support/collectable.js';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-segments-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function readFrom(
  log: EmbeddedLog,
  topic: string,
  offset: number,
  options: { isolation?: 'read_committed' | 'read_uncommitted'; reset?: 'earliest' | 'latest' } = {},
): Promise<ConsumedRecord[]> {
  const consumer = new EmbeddedConsumer(log, {
    clientId: 'r',
    isolationLevel: options.isolation ?? 'read_uncommitted',
    autoOffsetReset: options.reset ?? 'earliest',
  });
  await consumer.assign([{ topic, partition: 0, offset }]);
  const out: ConsumedRecord[] = [];
  for (;;) {
    const batch = await consumer.poll(300, 0);
    if (batch.length === 0) return out;
    out.push(...batch);
  }
}

function segmentFiles(dataDir: string, topic: string): string[] {
  return readdirSync(join(dataDir, 'topics', topic, '0')).filter((n) => n.endsWith('.log')).sort();
}

async function produce(log: EmbeddedLog, topic: string, count: number, value: (i: number) => Buffer | null, key?: (i: number) => Buffer, timestamp?: (i: number) => number): Promise<void> {
  const producer = new EmbeddedProducer(log, { clientId: 'p' });
  for (let i = 0; i < count; i++) {
    producer.send({ topic, partition: 0, key: key?.(i) ?? null, value: value(i), ...(timestamp ? { timestamp: timestamp(i) } : {}) });
  }
  await producer.flush();
}

test('segments roll at segment.bytes; records far behind the in-memory tail are read back from the files, also after reopen', async (t) => {
  const dataDir = tempDir(t);
  const log = new EmbeddedLog(dataDir, undefined);
  log.createTopic({ name: 't', numPartitions: 1, config: { 'segment.bytes': '8192' } });
  // More records than the in-memory tail keeps (4,096), so that the first ones come from disk.
  await produce(log, 't', 6000, (i) => b(`value-${i}`.padEnd(60, '.')), (i) => b(`k${i}`));
  assert.ok(segmentFiles(dataDir, 't').length > 10);
  const check = (records: ConsumedRecord[], from: number): void => {
    assert.equal(records.length, 6000 - from);
    records.forEach((r, i) => {
      assert.equal(r.offset, from + i);
      assert.equal(str(r.key), `k${from + i}`);
    });
  };
  check(await readFrom(log, 't', 0), 0);
  check(await readFrom(log, 't', 4321), 4321);
  log.close();
  const reopened = new EmbeddedLog(dataDir, undefined);
  check(await readFrom(reopened, 't', 0), 0);
  check(await readFrom(reopened, 't', 2500), 2500);
  reopened.close();
});

test('segment.ms rolls the active segment by age; segment.jitter.ms rolls each segment up to that much earlier, drawn at random', async (t) => {
  const dataDir = tempDir(t);
  t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  t.mock.method(Math, 'random', () => 0.5);
  const log = new EmbeddedLog(dataDir, undefined);
  log.createTopic({ name: 'plain', numPartitions: 1, config: { 'segment.ms': '10000' } });
  log.createTopic({ name: 'jittered', numPartitions: 1, config: { 'segment.ms': '10000', 'segment.jitter.ms': '10000' } });
  const at = async (ms: number): Promise<void> => {
    t.mock.timers.setTime(1_000_000 + ms);
    for (const topic of ['plain', 'jittered']) await produce(log, topic, 1, (i) => b(`v${ms}-${i}`));
  };
  await at(0);
  await at(4_999);
  assert.deepEqual([segmentFiles(dataDir, 'plain').length, segmentFiles(dataDir, 'jittered').length], [1, 1]);
  // The jittered topic's segment rolls at 10,000 - 0.5 × 10,000 ms; the plain one waits for the full segment.ms.
  await at(5_000);
  assert.deepEqual([segmentFiles(dataDir, 'plain').length, segmentFiles(dataDir, 'jittered').length], [1, 2]);
  await at(10_000);
  assert.deepEqual([segmentFiles(dataDir, 'plain').length, segmentFiles(dataDir, 'jittered').length], [2, 3]);
  assert.deepEqual((await readFrom(log, 'jittered', 0)).map((r) => str(r.value)), ['v0-0', 'v4999-0', 'v5000-0', 'v10000-0']);
  log.close();
});

test('reads from the files of many partitions share one read buffer, and each partition reads its own records', async (t) => {
  const dataDir = tempDir(t);
  const partitions = 64;
  const first = new EmbeddedLog(dataDir, undefined);
  first.createTopic({ name: 't', numPartitions: partitions });
  const producer = new EmbeddedProducer(first, { clientId: 'p' });
  for (let p = 0; p < partitions; p++) for (let i = 0; i < 3; i++) producer.send({ topic: 't', partition: p, key: b(`p${p}`), value: b(`v${p}-${i}`) });
  await producer.flush();
  first.close();
  // Reopened, the in-memory tails are empty: every read below goes to the files.
  await collectGarbage();
  const before = process.memoryUsage().arrayBuffers;
  const log = new EmbeddedLog(dataDir, undefined);
  const consumer = new EmbeddedConsumer(log, { clientId: 'r', isolationLevel: 'read_uncommitted', autoOffsetReset: 'earliest' });
  await consumer.assign(Array.from({ length: partitions }, (_, p) => ({ topic: 't', partition: p, offset: 1 })));
  const records = await pollUntil(consumer, partitions * 2);
  await collectGarbage();
  const grown = process.memoryUsage().arrayBuffers - before;
  // A 256 KiB buffer per partition was 16 MiB here.
  assert.ok(grown < 4 * 1024 * 1024, `Buffer memory grew by ${grown} bytes for ${partitions} partitions`);
  for (let p = 0; p < partitions; p++) {
    const own = records.filter((r) => r.partition === p).map((r) => `${str(r.key)}:${str(r.value)}`);
    assert.deepEqual(own, [`p${p}:v${p}-1`, `p${p}:v${p}-2`]);
  }
  await consumer.close();
  log.close();
});

test('retention.ms deletes closed segments whose newest record is older; consumers below the log start follow auto.offset.reset', async (t) => {
  const dataDir = tempDir(t);
  const log = new EmbeddedLog(dataDir, undefined);
  log.createTopic({ name: 't', numPartitions: 1, config: { 'segment.bytes': '4096', 'retention.ms': '3600000' } });
  const now = Date.now();
  // 300 records two hours old, then 100 fresh ones.
  await produce(log, 't', 400, (i) => b(`v${i}`.padEnd(50, '.')), undefined, (i) => (i < 300 ? now - 7_200_000 : now));
  await log.commitOffsets('g', [['t', 0, 10]]);
  log.clean(now);
  const p = log.partition('t', 0)!;
  assert.ok(p.logStartOffset > 0 && p.logStartOffset <= 300, `log start ${p.logStartOffset}`);
  const files = segmentFiles(dataDir, 't');
  assert.equal(Number(files[0]!.slice(0, 20)), p.logStartOffset);
  const earliest = await readFrom(log, 't', -1);
  assert.equal(earliest[0]!.offset, p.logStartOffset);
  assert.equal(earliest.length, 400 - p.logStartOffset);
  // A committed position below the log start resets, as Kafka's OffsetOutOfRange does.
  const group = new EmbeddedConsumer(log, { clientId: 'c', groupId: 'g', isolationLevel: 'read_uncommitted', autoOffsetReset: 'latest' });
  await group.assign([{ topic: 't', partition: 0, offset: -1 }]);
  assert.equal(group.position({ topic: 't', partition: 0 }), 400);
  const seeking = new EmbeddedConsumer(log, { clientId: 'd', isolationLevel: 'read_uncommitted', autoOffsetReset: 'earliest' });
  await seeking.assign([{ topic: 't', partition: 0, offset: 5 }]);
  assert.equal((await seeking.poll(1, 0))[0]!.offset, p.logStartOffset);
  log.close();
  const reopened = new EmbeddedLog(dataDir, undefined);
  assert.equal(reopened.partition('t', 0)!.logStartOffset, p.logStartOffset);
  reopened.close();
});

test('topic defaults (a broker\'s log.* settings) apply to topics that do not set a config themselves, and are not written into them', async (t) => {
  const dataDir = tempDir(t);
  const log = new EmbeddedLog(dataDir, undefined, undefined, { 'segment.bytes': '4096', 'retention.ms': '3600000' });
  log.createTopic({ name: 'plain', numPartitions: 1 });
  log.createTopic({ name: 'kept', numPartitions: 1, config: { 'retention.ms': '-1' } });
  const now = Date.now();
  for (const topic of ['plain', 'kept']) {
    await produce(log, topic, 400, (i) => b(`v${i}`.padEnd(50, '.')), undefined, (i) => (i < 300 ? now - 7_200_000 : now));
    // The default segment size rolls both.
    assert.ok(segmentFiles(dataDir, topic).length > 3, topic);
  }
  log.clean(now);
  assert.ok(log.partition('plain', 0)!.logStartOffset > 0, 'the default retention.ms applies');
  assert.equal(log.partition('kept', 0)!.logStartOffset, 0, "the topic's own retention.ms wins");
  log.close();
  const reopened = new EmbeddedLog(dataDir, undefined);
  assert.deepEqual(reopened.topic('plain')!.config, {});
  assert.deepEqual(reopened.topic('kept')!.config, { 'retention.ms': '-1' });
  reopened.close();
});

/** Three partitions of 400 records each whose first 300 are past retention: one cleaner step each moves its log start. */
async function threeExpiringPartitions(t: { after(fn: () => void): void }): Promise<{ log: EmbeddedLog; producer: EmbeddedProducer; now: number; starts: () => number[] }> {
  const log = new EmbeddedLog(tempDir(t), undefined);
  log.createTopic({ name: 't', numPartitions: 3, config: { 'segment.bytes': '4096', 'retention.ms': '3600000' } });
  const now = Date.now();
  const producer = new EmbeddedProducer(log, { clientId: 'p' });
  for (let p = 0; p < 3; p++) {
    for (let i = 0; i < 400; i++) producer.send({ topic: 't', partition: p, key: null, value: b(`v${i}`.padEnd(50, '.')), timestamp: i < 300 ? now - 7_200_000 : now });
  }
  await producer.flush();
  return { log, producer, now, starts: () => [0, 1, 2].map((p) => log.partition('t', p)!.logStartOffset) };
}

test('the cleaner\'s rounds work in slices, letting the event loop run between partitions', async (t) => {
  const { log, producer, now, starts } = await threeExpiringPartitions(t);
  // A zero slice cleans one partition, then yields.
  const round = log.cleanInSlices(now, 0);
  assert.deepEqual(starts().map((s) => s > 0), [true, false, false]);
  assert.equal(log.cleanInSlices(now, 0), round, 'a round under way is joined, not started twice');
  let ranBetween = false;
  setImmediate(() => (ranBetween = true));
  await round;
  assert.equal(ranBetween, true);
  assert.ok(starts().every((s) => s > 0), `log starts ${starts().join(', ')}`);
  // A round done within its first slice is over too: the next one cleans again.
  await log.cleanInSlices(now, 60_000);
  for (let i = 0; i < 400; i++) producer.send({ topic: 't', partition: 0, key: null, value: b(`w${i}`.padEnd(50, '.')), timestamp: now - 7_200_000 });
  await producer.flush();
  const before = starts()[0]!;
  await log.cleanInSlices(now + 7_200_000, 60_000);
  assert.ok(starts()[0]! > before, 'a later round ran');
  log.close();
});

test('a round resumes on a timer, four times as long after each slice as the slice worked, not on the next turn', async (t) => {
  const { log, now, starts: logStarts } = await threeExpiringPartitions(t);
  const starts = (): boolean[] => logStarts().map((s) => s > 0);
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const round = log.cleanInSlices(now, 0);
  for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(starts(), [true, false, false], 'turns of the event loop alone do not resume the round');
  for (let i = 0; i < 5 && !starts().every(Boolean); i++) t.mock.timers.tick(1_000);
  await round;
  assert.deepEqual(starts(), [true, true, true]);
  log.close();
});

test('retention.bytes keeps the newest segments within the limit; the active segment is never deleted', async (t) => {
  const dataDir = tempDir(t);
  const log = new EmbeddedLog(dataDir, undefined);
  log.createTopic({ name: 't', numPartitions: 1, config: { 'segment.bytes': '4096', 'retention.bytes': '10000' } });
  await produce(log, 't', 600, (i) => b(`v${i}`.padEnd(50, '.')));
  log.clean(Date.now());
  const p = log.partition('t', 0)!;
  assert.ok(p.logStartOffset > 0);
  const files = segmentFiles(dataDir, 't');
  assert.ok(files.length >= 2 && files.length <= 4, files.join(','));
  assert.equal((await readFrom(log, 't', -1)).length, 600 - p.logStartOffset);
  log.clean(Date.now());
  assert.deepEqual(segmentFiles(dataDir, 't'), files);
  log.close();
});

test('deleteRecords moves the log start durably and deletes whole segments below it; -1 means the high watermark', async (t) => {
  const dataDir = tempDir(t);
  const backend = createEmbeddedBackend({ dataDir });
  const admin = backend.admin();
  await admin.createTopics([{ name: 'repartition', numPartitions: 1, config: { 'segment.bytes': '2048' } }]);
  const producer = await backend.createProducer({ clientId: 'p' });
  for (let i = 0; i < 300; i++) producer.send({ topic: 'repartition', partition: 0, key: null, value: b(`r${i}`.padEnd(40, '.')) });
  await producer.flush();
  const before = segmentFiles(dataDir, 'repartition').length;
  await admin.deleteRecords([{ topic: 'repartition', partition: 0, offset: 250 }]);
  assert.ok(segmentFiles(dataDir, 'repartition').length < before);
  const consumer = await backend.createConsumer({ clientId: 'c', isolationLevel: 'read_uncommitted', autoOffsetReset: 'earliest' });
  await consumer.assign([{ topic: 'repartition', partition: 0, offset: -1 }]);
  assert.deepEqual(await consumer.beginningOffsets([{ topic: 'repartition', partition: 0 }]), [{ topic: 'repartition', partition: 0, offset: 250 }]);
  const rest = await consumer.poll(1000, 0);
  assert.deepEqual(
    rest.map((r) => r.offset),
    Array.from({ length: 50 }, (_, i) => 250 + i),
  );
  await assert.rejects(admin.deleteRecords([{ topic: 'repartition', partition: 0, offset: 301 }]), RangeError);
  await consumer.close();
  await backend.close();

  const again = createEmbeddedBackend({ dataDir });
  const c2 = await again.createConsumer({ clientId: 'c', isolationLevel: 'read_uncommitted', autoOffsetReset: 'earliest' });
  assert.deepEqual(await c2.beginningOffsets([{ topic: 'repartition', partition: 0 }]), [{ topic: 'repartition', partition: 0, offset: 250 }]);
  await again.admin().deleteRecords([{ topic: 'repartition', partition: 0, offset: -1 }]);
  assert.deepEqual(await c2.beginningOffsets([{ topic: 'repartition', partition: 0 }]), [{ topic: 'repartition', partition: 0, offset: 300 }]);
  await c2.close();
  await again.close();
});

test('deleteRecords on an in-memory log drops the records below the new start', async () => {
  const backend = createEmbeddedBackend();
  const producer = await backend.createProducer({ clientId: 'p' });
  for (let i = 0; i < 10; i++) producer.send({ topic: 'm', partition: 0, key: null, value: b(`m${i}`) });
  await producer.flush();
  await backend.admin().deleteRecords([{ topic: 'm', partition: 0, offset: 7 }]);
  const consumer = await backend.createConsumer({ clientId: 'c', isolationLevel: 'read_uncommitted', autoOffsetReset: 'earliest' });
  await consumer.assign([{ topic: 'm', partition: 0, offset: -1 }]);
  assert.deepEqual(
    (await consumer.poll(100, 0)).map((r) => str(r.value)),
    ['m7', 'm8', 'm9'],
  );
  await backend.close();
});

test('compaction keeps the latest record per key in closed segments, drops aborted records and expired tombstones', async (t) => {
  const dataDir = tempDir(t);
  const log = new EmbeddedLog(dataDir, undefined);
  log.createTopic({ name: 'table', numPartitions: 1, config: { 'cleanup.policy': 'compact', 'segment.bytes': '2048', 'delete.retention.ms': '60000' } });
  const now = Date.now();
  // Ten keys updated 30 times; k3 deleted long ago, k4 deleted just now.
  await produce(log, 'table', 300, (i) => b(`k${i % 10}=${Math.floor(i / 10)}`), (i) => b(`k${i % 10}`), () => now - 600_000);
  await produce(log, 'table', 1, () => null, () => b('k3'), () => now - 600_000);
  await produce(log, 'table', 1, () => null, () => b('k4'), () => now);
  const tx = new EmbeddedProducer(log, { clientId: 'tx', transactionalId: 'tx' });
  await tx.initTransactions();
  await tx.beginTransaction();
  tx.send({ topic: 'table', partition: 0, key: b('k5'), value: b('aborted') });
  await tx.abortTransaction();
  // Enough later records that the ones above sit in closed segments.
  await produce(log, 'table', 100, (i) => b(`z${i}`.padEnd(40, '.')), (i) => b(`z${i}`));
  const before = await readFrom(log, 'table', 0);
  log.clean(now);
  const after = await readFrom(log, 'table', 0);
  assert.ok(after.length < before.length);
  const latest = new Map<string, string | null>();
  for (const r of after) latest.set(str(r.key)!, str(r.value));
  for (const k of [0, 1, 2, 6, 7, 8, 9]) assert.equal(latest.get(`k${k}`), `k${k}=29`);
  assert.ok(!latest.has('k3'), 'a tombstone older than delete.retention.ms is dropped with the key');
  assert.ok(latest.has('k4') && latest.get('k4') === null, 'a recent tombstone is kept');
  assert.equal(latest.get('k5'), 'k5=29', 'the aborted record is gone');
  const keyed = after.filter((r) => str(r.key)!.startsWith('k'));
  assert.equal(keyed.length, 9, keyed.map((r) => `${str(r.key)}@${r.offset}`).join(' '));
  // Offsets keep their values (gaps), and the cleaned log reads the same after reopening.
  for (let i = 1; i < after.length; i++) assert.ok(after[i]!.offset > after[i - 1]!.offset);
  log.close();
  const reopened = new EmbeddedLog(dataDir, undefined);
  assert.deepEqual(
    (await readFrom(reopened, 'table', 0)).map((r) => r.offset),
    after.map((r) => r.offset),
  );
  reopened.close();
});

test('a compaction in the cleaner\'s rounds pauses between segments; records appended meanwhile stay, a moved log start ends the pass', async (t) => {
  const dataDir = tempDir(t);
  const log = new EmbeddedLog(dataDir, undefined);
  log.createTopic({ name: 'table', numPartitions: 1, config: { 'cleanup.policy': 'compact', 'segment.bytes': '4096' } });
  const now = Date.now();
  const value = (round: number, k: number): Buffer => b(`k${k}=${round}`.padEnd(40, '.'));
  // 20 rounds over 10 keys: many closed segments, each key superseded 19 times.
  await produce(log, 'table', 200, (i) => value(Math.floor(i / 10), i % 10), (i) => b(`k${i % 10}`));
  const segmentsBefore = segmentFiles(dataDir, 'table').length;
  assert.ok(segmentsBefore > 3, `${segmentsBefore} segments`);
  // A zero slice runs one step (one segment read) and yields: the pass is under way, nothing rewritten yet.
  const round = log.cleanInSlices(now, 0);
  assert.equal((await readFrom(log, 'table', 0)).length, 200, 'nothing rewritten after the first step');
  // Newer values for half the keys while the pass is paused: they are the latest, whatever the pass decided.
  await produce(log, 'table', 5, (k) => value(99, k), (k) => b(`k${k}`));
  await round;
  const latest = (records: ConsumedRecord[]): Map<string, string> => new Map(records.map((r) => [str(r.key)!, str(r.value)!.replace(/\.+$/, '')]));
  const after = await readFrom(log, 'table', 0);
  assert.ok(after.length < 205, `compacted: ${after.length} records`);
  assert.deepEqual(
    [...latest(after)].sort(),
    Array.from({ length: 10 }, (_, k) => [`k${k}`, `k${k}=${k < 5 ? 99 : 19}`]).sort(),
  );

  // A log start moved past the segments of a paused pass ends it: nothing of the pass is applied, nothing fails.
  await produce(log, 'table', 200, (i) => value(100 + Math.floor(i / 10), i % 10), (i) => b(`k${i % 10}`));
  const warnings: string[] = [];
  const onWarning = (w: Error): void => void warnings.push(w.message);
  process.on('warning', onWarning);
  t.after(() => process.off('warning', onWarning));
  const second = log.cleanInSlices(now, 0);
  const end = log.partition('table', 0)!.highWatermark;
  log.deleteRecords('table', 0, end - 20);
  await second;
  await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
  assert.deepEqual(warnings, [], 'the pass gave up without an error');
  const kept = await readFrom(log, 'table', 0);
  assert.equal(kept[0]!.offset, log.partition('table', 0)!.logStartOffset);
  assert.deepEqual([...latest(kept)].sort(), Array.from({ length: 10 }, (_, k) => [`k${k}`, `k${k}=119`]).sort());
  log.close();
});

test('compaction drops the markers of transactions with no record left, and deletes the segments it empties', async (t) => {
  const dataDir = tempDir(t);
  const log = new EmbeddedLog(dataDir, undefined);
  log.createTopic({ name: 'changelog', numPartitions: 1, config: { 'cleanup.policy': 'compact', 'segment.bytes': '1024', 'delete.retention.ms': '60000' } });
  const tx = new EmbeddedProducer(log, { clientId: 'tx', transactionalId: 'tx' });
  await tx.initTransactions();
  const transaction = async (records: Array<[string, string | null]>, outcome: 'commit' | 'abort' = 'commit'): Promise<void> => {
    await tx.beginTransaction();
    for (const [key, value] of records) tx.send({ topic: 'changelog', partition: 0, key: b(key), value: value === null ? null : b(value.padEnd(30, '.')) });
    if (outcome === 'commit') await tx.commitTransaction();
    else await tx.abortTransaction();
  };
  // A record that stays the latest of its key: its transaction's marker must stay with it.
  await transaction([['kept', 'kept-1']]);
  await transaction([['gone', 'aborted']], 'abort');
  // Many transactions over three keys, one of them deleted at the end: all but the last values are superseded.
  for (let i = 0; i < 60; i++) await transaction([[`k${i % 3}`, `v${i}`]]);
  await transaction([['k0', null]]);
  // Non-transactional records close the segments above.
  await produce(log, 'changelog', 40, (i) => b(`z${i}`.padEnd(30, '.')), (i) => b(`z${i % 4}`));
  const p = log.partition('changelog', 0)!;
  const files = segmentFiles(dataDir, 'changelog').length;

  // Within delete.retention.ms of the markers (and of the k0 tombstone) they all stay; an hour later they go.
  log.clean(Date.now());
  assert.ok(p.abortedTxns.size === 1);
  log.clean(Date.now() + 3_600_000);
  assert.equal(p.abortedTxns.size, 0, 'the aborted transaction has no record left to skip');
  const left = segmentFiles(dataDir, 'changelog').length;
  assert.ok(left < files / 2, `${left} of ${files} segment files left`);
  const latest = (records: ConsumedRecord[]): string[] => records.map((r) => `${str(r.key)}=${str(r.value)?.replace(/\.+$/, '')}@${r.offset}`);
  const compacted = await readFrom(log, 'changelog', 0, { isolation: 'read_committed' });
  // The latest value of each key; k0's tombstone went with it.
  assert.deepEqual(
    latest(compacted).filter((r) => !r.startsWith('z')).map((r) => r.replace(/@\d+$/, '')),
    ['kept=kept-1', 'k1=v58', 'k2=v59'],
  );
  log.close();

  // Reopened, nothing is taken for an unfinished transaction: the kept record is visible and the LSO is the end.
  const reopened = new EmbeddedLog(dataDir, undefined);
  const q = reopened.partition('changelog', 0)!;
  assert.equal(q.lastStableOffset, q.highWatermark);
  assert.deepEqual(latest(await readFrom(reopened, 'changelog', 0, { isolation: 'read_committed' })), latest(compacted));
  reopened.close();
});

test('a failed write stops its partition with an error and a commit over it aborts with markers, so the LSO moves on', async (t) => {
  const dataDir = tempDir(t);
  const log = new EmbeddedLog(dataDir, undefined);
  log.createTopic({ name: 't', numPartitions: 2 });
  const tx = new EmbeddedProducer(log, { clientId: 'tx', transactionalId: 'tx' });
  await tx.initTransactions();
  await tx.beginTransaction();
  tx.send({ topic: 't', partition: 0, key: null, value: b('a0') });
  tx.send({ topic: 't', partition: 1, key: null, value: b('a1') });
  // An I/O error on partition 1's file: a descriptor that no longer works.
  Reflect.set(log.partition('t', 1)!.file!.active, 'fd', 2 ** 30);
  await assert.rejects(tx.commitTransaction(), LogStorageError);
  const p0 = log.partition('t', 0)!;
  assert.equal(p0.lastStableOffset, p0.highWatermark, 'the abort marker moved the LSO');
  assert.deepEqual(await readFrom(log, 't', 0, { isolation: 'read_committed' }), []);
  // Partition 1 takes no more writes (no gap, no torn entry); partition 0 goes on.
  const plain = new EmbeddedProducer(log, { clientId: 'p' });
  assert.throws(() => plain.send({ topic: 't', partition: 1, key: null, value: b('x') }), LogStorageError);
  assert.equal(log.partition('t', 1)!.highWatermark, 0, 'records that never reached the file are forgotten');
  await tx.beginTransaction();
  tx.send({ topic: 't', partition: 0, key: null, value: b('b0') });
  await tx.commitTransaction();
  assert.deepEqual(
    (await readFrom(log, 't', 0, { isolation: 'read_committed' })).map((r) => str(r.value)),
    ['b0'],
  );
  log.close();
  const reopened = new EmbeddedLog(dataDir, undefined);
  assert.deepEqual(
    (await readFrom(reopened, 't', 0, { isolation: 'read_committed' })).map((r) => str(r.value)),
    ['b0'],
  );
  reopened.close();
});
