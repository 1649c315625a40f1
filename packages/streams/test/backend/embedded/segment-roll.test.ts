/**
 * A roll's syncs run off the event loop (partition-file.ts, `roll`): the segment it closes and the folder naming the
 * new one are synced on the sync worker, and nothing is written to the new segment before that. Meanwhile the new
 * segment's entries are read from memory, `sync()` waits for them to be written and synced, and closing writes them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PartitionFile, type SegmentConfig } from '../../../src/backend/embedded/partition-file.js';
import { EntryKind } from '../../../src/backend/embedded/record-codec.js';

const config: SegmentConfig = { segmentBytes: 400, segmentMs: 3_600_000, segmentJitterMs: 0 };

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-roll-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Appends entries `from`..`to - 1` with ~100-byte values: a roll every few entries. */
function appendRange(file: PartitionFile, from: number, to: number): void {
  for (let offset = from; offset < to; offset++) {
    file.append(EntryKind.Data, offset, 0, 1_000 + offset, Buffer.from(`k${offset}`), Buffer.from(`value-${offset}`.padEnd(100, '.')), {});
  }
}

/** Sizes on disk of the segment files, in offset order. */
function segmentSizes(dir: string): number[] {
  return readdirSync(dir)
    .filter((n) => n.endsWith('.log'))
    .sort()
    .map((n) => statSync(join(dir, n)).size);
}

function offsetsRead(file: PartitionFile, from: number): number[] {
  return file.read(from, 1_000).map((e) => e.offset);
}

test('after a roll nothing reaches the new segment until the closed one is synced; its entries are read from memory meanwhile, and sync() waits for them', async (t) => {
  const dir = tempDir(t);
  const file = PartitionFile.open(dir, config, () => undefined);
  appendRange(file, 0, 2);
  await file.sync();
  assert.equal(segmentSizes(dir).length, 1);
  // Entry 2 does not fit: the segment rolls, and the new segment's first entry waits until the roll's syncs are back.
  appendRange(file, 2, 3);
  file.writePending(); // what the scheduled write does; it must leave the new segment alone
  const sizes = segmentSizes(dir);
  assert.equal(sizes.length, 2);
  assert.ok(sizes[0]! > 0);
  assert.equal(sizes[1], 0, 'written to the new segment before the closed one was synced');
  assert.deepEqual(offsetsRead(file, 2), [2]);
  await file.sync();
  const synced = segmentSizes(dir);
  assert.ok(synced[1]! > 0, 'sync() returned with the new segment unwritten');
  assert.deepEqual([...offsetsRead(file, 0), ...offsetsRead(file, 2)], [0, 1, 2]);
  file.close();
});

test('rolls in a row, a close while a roll is pending, and a reopen: every entry is there, in order', (t) => {
  const dir = tempDir(t);
  const file = PartitionFile.open(dir, config, () => undefined);
  // Many rolls within one turn: each finishes the previous one's syncs in place.
  appendRange(file, 0, 40);
  assert.ok(segmentSizes(dir).length >= 10);
  file.close();
  const seen: number[] = [];
  const reopened = PartitionFile.open(dir, config, (h) => seen.push(h.offset), true);
  assert.deepEqual(seen, Array.from({ length: 40 }, (_, i) => i));
  const all: number[] = [];
  for (let from = 0; from < 40; ) {
    const got = offsetsRead(reopened, from);
    assert.ok(got.length > 0, `nothing read at ${from}`);
    all.push(...got);
    from = got[got.length - 1]! + 1;
  }
  assert.deepEqual(all, Array.from({ length: 40 }, (_, i) => i));
  reopened.close();
});

test('retention deleting the segment a pending roll closed, then more appends: nothing is lost after it', async (t) => {
  const dir = tempDir(t);
  const file = PartitionFile.open(dir, config, () => undefined);
  appendRange(file, 0, 8);
  // Everything below 6 may go: the closed segments, the one the pending roll syncs among them.
  file.deleteSegmentsBelow(6);
  appendRange(file, 8, 12);
  await file.sync();
  const first = file.segments[0]!.baseOffset;
  assert.ok(first <= 6 && first > 0, `first segment starts at ${first}`);
  const read: number[] = [];
  for (let from = first; from < 12; ) {
    const got = offsetsRead(file, from);
    assert.ok(got.length > 0, `nothing read at ${from}`);
    read.push(...got);
    from = got[got.length - 1]! + 1;
  }
  assert.deepEqual(read, Array.from({ length: 12 - first }, (_, i) => first + i));
  file.close();
});
