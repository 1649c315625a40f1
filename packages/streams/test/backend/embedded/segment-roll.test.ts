/**
 * Rolls and the partition's file handling around them: many rolls within one turn of the event loop, a close right
 * after a roll, retention deleting segments just closed by a roll, and a reopen: every entry is there, in order.
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

test('rolls in a row, a close right after a roll, and a reopen: every entry is there, in order', (t) => {
  const dir = tempDir(t);
  const file = PartitionFile.open(dir, config, () => undefined);
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

test('retention deleting the segments a roll just closed, then more appends: nothing is lost after it', async (t) => {
  const dir = tempDir(t);
  const file = PartitionFile.open(dir, config, () => undefined);
  appendRange(file, 0, 8);
  // Everything below 6 may go: the closed segments, the one the last roll closed among them.
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
