import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedConsumer } from '../../../src/backend/embedded/embedded-consumer.js';
import { EmbeddedLog } from '../../../src/backend/embedded/embedded-log.js';
import { EmbeddedProducer } from '../../../src/backend/embedded/embedded-producer.js';
import { checkDataDir, repairDataDir } from '../../../src/backend/embedded/log-check.js';
import { CorruptLogError } from '../../../src/backend/embedded/log-errors.js';
import { EntryKind, encodeEntry } from '../../../src/backend/embedded/record-codec.js';
import type { ConsumedRecord } from '../../../src/backend/port.js';
import { b, str } from './helpers.js';

const SEGMENT = '00000000000000000000.log';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-corrupt-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function readAll(log: EmbeddedLog, topic: string, partition: number): Promise<ConsumedRecord[]> {
  const consumer = new EmbeddedConsumer(log, { clientId: 'r', isolationLevel: 'read_committed', autoOffsetReset: 'earliest' });
  await consumer.assign([{ topic, partition, offset: -1 }]);
  const out: ConsumedRecord[] = [];
  for (;;) {
    const batch = await consumer.poll(500, 0);
    if (batch.length === 0) return out;
    out.push(...batch);
  }
}

/** 120 orders in `orders` (1 partition) and a few other topics, then a clean close, as the shop run. */
async function writeOrders(dataDir: string, count = 120): Promise<void> {
  const log = new EmbeddedLog(dataDir, undefined);
  log.createTopic({ name: 'orders', numPartitions: 1 });
  log.createTopic({ name: 'payments', numPartitions: 2 });
  log.createTopic({ name: 'stock', numPartitions: 1, config: { 'cleanup.policy': 'compact' } });
  const producer = new EmbeddedProducer(log, { clientId: 'p' });
  for (let i = 0; i < count; i++) {
    producer.send({ topic: 'orders', key: b(`order-${i}`), value: b(`{"id":${i},"total":${i * 3}}`.padEnd(100, ' ')) });
    producer.send({ topic: 'payments', key: b(`order-${i}`), value: b(`paid ${i}`) });
  }
  await producer.flush();
  await log.commitOffsets('shop', [['orders', 0, count]]);
  log.close();
}

function flipByte(path: string, position: number): void {
  const data = readFileSync(path);
  data[position] = data[position]! ^ 0x10;
  writeFileSync(path, data);
}

test('one flipped byte a third into a cleanly closed partition refuses to open, naming the file, the byte and the fix', async (t) => {
  const dataDir = tempDir(t);
  await writeOrders(dataDir);
  const file = join(dataDir, 'topics', 'orders', '0', SEGMENT);
  const size = statSync(file).size;
  flipByte(file, Math.floor(size / 3));
  assert.throws(
    () => new EmbeddedLog(dataDir, undefined),
    (err: unknown) =>
      err instanceof CorruptLogError &&
      err.file === file &&
      err.message.includes('valid entries follow') &&
      err.message.includes('tributary-log repair') &&
      err.position <= Math.floor(size / 3),
  );
  // Nothing was cut or deleted by the refusal.
  assert.equal(statSync(file).size, size);
  assert.deepEqual(readdirSync(join(dataDir, 'topics')).sort(), ['orders', 'payments', 'stock']);
});

test('check reports the damaged range and the offsets lost; repair quarantines it and the log opens with every other record', async (t) => {
  const dataDir = tempDir(t);
  await writeOrders(dataDir);
  const file = join(dataDir, 'topics', 'orders', '0', SEGMENT);
  flipByte(file, Math.floor(statSync(file).size / 3));

  const report = checkDataDir(dataDir);
  assert.equal(report.damages.length, 1);
  const damage = report.damages[0]!;
  assert.equal(damage.file, join('topics', 'orders', '0', SEGMENT));
  assert.equal(damage.tornTail, false);
  const match = /^offsets (\d+)\.\.(\d+)$/.exec(damage.lost);
  assert.ok(match, damage.lost);
  const [first, last] = [Number(match[1]), Number(match[2])];
  assert.equal(first, last, 'one flipped byte damages one entry');

  const repaired = repairDataDir(dataDir);
  assert.equal(repaired.repaired.length, 1);
  assert.ok(repaired.quarantineDir !== undefined && existsSync(repaired.quarantineDir));
  assert.deepEqual(checkDataDir(dataDir).damages, []);

  const log = new EmbeddedLog(dataDir, undefined);
  const records = await readAll(log, 'orders', 0);
  assert.equal(records.length, 119);
  assert.deepEqual(
    records.map((r) => r.offset),
    Array.from({ length: 120 }, (_, i) => i).filter((i) => i !== first),
  );
  for (const r of records) assert.equal(str(r.key), `order-${r.offset}`);
  assert.equal((await readAll(log, 'payments', 0)).length + (await readAll(log, 'payments', 1)).length, 120);
  assert.equal(log.group('shop').offsets.get('orders\u00000'), 120);
  // Appends go on after the last offset, never reusing one.
  const producer = new EmbeddedProducer(log, { clientId: 'p' });
  producer.send({ topic: 'orders', key: null, value: b('next') });
  assert.deepEqual(await producer.flush(), [{ topic: 'orders', partition: 0, offset: 120 }]);
  log.close();
});

test('repair --truncate cuts the partition at its first damage and reports the valid entries it cut', async (t) => {
  const dataDir = tempDir(t);
  await writeOrders(dataDir);
  const file = join(dataDir, 'topics', 'orders', '0', SEGMENT);
  flipByte(file, Math.floor(statSync(file).size / 2));
  const repaired = repairDataDir(dataDir, { truncate: true });
  assert.equal(repaired.repaired.length, 1);
  assert.ok(repaired.notes.some((n) => /cut \d+ valid entries/.test(n)), repaired.notes.join('\n'));
  const log = new EmbeddedLog(dataDir, undefined);
  const records = await readAll(log, 'orders', 0);
  assert.ok(records.length > 0 && records.length < 120);
  assert.deepEqual(
    records.map((r) => r.offset),
    Array.from({ length: records.length }, (_, i) => i),
  );
  log.close();
});

test('after a clean shutdown even a damaged last entry refuses to open; after a crash a torn last entry is cut', async (t) => {
  const dataDir = tempDir(t);
  await writeOrders(dataDir, 10);
  const file = join(dataDir, 'topics', 'orders', '0', SEGMENT);
  flipByte(file, statSync(file).size - 3);
  assert.throws(() => new EmbeddedLog(dataDir, undefined), /shut down cleanly/);
  assert.ok(existsSync(join(dataDir, '.clean-shutdown')), 'a refused open keeps the marker, so a retry refuses too');
  assert.throws(() => new EmbeddedLog(dataDir, undefined), CorruptLogError);
  // The same bytes after a crash (no marker): a torn append, which check reports as such and opening cuts.
  rmSync(join(dataDir, '.clean-shutdown'));
  const torn = checkDataDir(dataDir).damages;
  assert.equal(torn.length, 1);
  assert.equal(torn[0]!.tornTail, true);
  assert.match(torn[0]!.lost, /every entry after offset 8 in this file \(a torn tail: cut on open\)/);
  const log = new EmbeddedLog(dataDir, undefined);
  assert.equal((await readAll(log, 'orders', 0)).length, 9);
  log.close();
});

test('an entry whose stored offset is not the next one refuses to open (entries are never renumbered by position)', async (t) => {
  const dataDir = tempDir(t);
  await writeOrders(dataDir, 5);
  rmSync(join(dataDir, '.clean-shutdown'));
  const file = join(dataDir, 'topics', 'orders', '0', SEGMENT);
  // A valid checksum, an offset already used.
  appendFileSync(file, encodeEntry(EntryKind.Data, 2, 0, Date.now(), null, b('dup'), {}));
  appendFileSync(file, encodeEntry(EntryKind.Data, 5, 0, Date.now(), null, b('next'), {}));
  assert.throws(() => new EmbeddedLog(dataDir, undefined), /stores offset 2/);
});

test('one flipped bit in a metadata line followed by others refuses to open and deletes nothing', async (t) => {
  const dataDir = tempDir(t);
  await writeOrders(dataDir);
  const meta = join(dataDir, 'meta.jsonl');
  const lines = readFileSync(meta, 'utf8').split('\n');
  assert.ok(lines.length > 4);
  const third = Buffer.from(lines[2]!, 'utf8');
  third[12] = third[12]! ^ 0x01;
  lines[2] = third.toString('utf8');
  writeFileSync(meta, lines.join('\n'));
  assert.throws(() => new EmbeddedLog(dataDir, undefined), (err: unknown) => err instanceof CorruptLogError && /line 3/.test(err.message));
  assert.deepEqual(readdirSync(join(dataDir, 'topics')).sort(), ['orders', 'payments', 'stock']);

  // Repair drops the line and re-registers a topic whose line it was, so that opening deletes nothing.
  const report = repairDataDir(dataDir);
  assert.equal(report.repaired.length, 1);
  const log = new EmbeddedLog(dataDir, undefined);
  assert.deepEqual([...log.topicNames()].sort(), ['orders', 'payments', 'stock']);
  assert.equal((await readAll(log, 'orders', 0)).length, 120);
  log.close();
});

test('a torn last metadata line after a crash is ignored, and a topic directory it leaves unnamed is kept, not deleted', async (t) => {
  const dataDir = tempDir(t);
  await writeOrders(dataDir, 3);
  rmSync(join(dataDir, '.clean-shutdown'));
  const meta = join(dataDir, 'meta.jsonl');
  // The topic line of `stock` torn off: its directory is unknown to what the metadata says.
  const lines = readFileSync(meta, 'utf8').split('\n').filter((l) => l.length > 0);
  const stockLine = lines.findIndex((l) => l.includes('"stock"'));
  const rest = lines.filter((_, i) => i !== stockLine);
  writeFileSync(meta, rest.join('\n') + '\n' + lines[stockLine]!.slice(0, 20));
  for (let open = 0; open < 2; open++) {
    const log = new EmbeddedLog(dataDir, undefined);
    assert.ok(!log.topic('stock'));
    log.close();
    assert.ok(existsSync(join(dataDir, 'topics', 'stock', '0', SEGMENT)), 'a directory the metadata does not name is kept');
  }
  assert.ok(checkDataDir(dataDir).notes.some((n) => n.includes('"stock"')));
  repairDataDir(dataDir);
  const log = new EmbeddedLog(dataDir, undefined);
  assert.equal((await readAll(log, 'stock', 0)).length, 0);
  assert.ok(log.topic('stock'), 're-registered by repair');
  log.close();
});

test('a new topic does not adopt the records of a directory the metadata does not name: it is moved to quarantine', async (t) => {
  const dataDir = tempDir(t);
  await writeOrders(dataDir, 3);
  const meta = join(dataDir, 'meta.jsonl');
  // The metadata loses every line naming `payments` (as if repaired without it); its directory stays.
  writeFileSync(meta, readFileSync(meta, 'utf8').split('\n').filter((l) => !l.includes('"payments"')).join('\n'));
  const log = new EmbeddedLog(dataDir, undefined);
  assert.ok(log.topic('payments') === undefined);
  log.createTopic({ name: 'payments', numPartitions: 2 });
  assert.equal(log.partition('payments', 0)!.highWatermark, 0, 'a fresh topic, not the old records');
  log.close();
  const quarantined = readdirSync(join(dataDir, 'quarantine'));
  assert.equal(quarantined.length, 1);
  assert.ok(quarantined[0]!.startsWith('orphaned-payments-'));
  assert.ok(existsSync(join(dataDir, 'quarantine', quarantined[0]!, '0', SEGMENT)));
});

test('the tributary-log command: check exits 1 and names the damage, repair fixes it, check then exits 0', async (t) => {
  const dataDir = tempDir(t);
  await writeOrders(dataDir, 40);
  const file = join(dataDir, 'topics', 'orders', '0', SEGMENT);
  flipByte(file, Math.floor(statSync(file).size / 2));
  const cli = fileURLToPath(new URL('../../../src/backend/embedded/log-tool-cli.ts', import.meta.url));
  const run = (...args: string[]): { status: number | null; out: string } => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { encoding: 'utf8' });
    return { status: r.status, out: r.stdout + r.stderr };
  };
  const check = run('check', dataDir);
  assert.equal(check.status, 1, check.out);
  assert.match(check.out, /topics\/orders\/0\/0{20}\.log bytes \d+\.\.\d+: checksum mismatch/);
  assert.match(check.out, /lost if removed: offsets \d+\.\.\d+/);
  const repair = run('repair', dataDir);
  assert.equal(repair.status, 0, repair.out);
  assert.match(repair.out, /removed bytes saved in .*quarantine/);
  const again = run('check', dataDir);
  assert.equal(again.status, 0, again.out);
  assert.match(again.out, /no damage found/);
  assert.equal(run('frobnicate', dataDir).status, 2);
});
