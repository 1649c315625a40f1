/**
 * A partition's staging buffer: small while its entries are few, traded for a larger one (keeping every staged byte)
 * when they outgrow it, and written out before a batch would pass 256 KiB or offsets would not follow.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EntryKind, encodeEntryInto, entrySize } from '../../../src/backend/embedded/record-codec.js';
import { WriteStaging } from '../../../src/backend/embedded/write-staging.js';

/** Stages one data entry as `PartitionFile.append` does; false when the staged ones must be written first. */
function stage(staging: WriteStaging, offset: number, value: Buffer): boolean {
  const key = Buffer.from(`k${offset}`);
  const size = entrySize(key, value, {});
  if (staging.mustWriteBefore(offset, size)) return false;
  const buffer = staging.bufferFor(size);
  const end = encodeEntryInto(buffer, staging.length, EntryKind.Data, offset, 0, 1000 + offset, key, value, {});
  staging.added(offset, end);
  return true;
}

test('entries outgrowing the small buffer move to a larger one with every staged entry intact', () => {
  const staging = new WriteStaging();
  const values = Array.from({ length: 40 }, (_, i) => Buffer.alloc(1000, 97 + (i % 26)));
  values.forEach((v, i) => assert.equal(stage(staging, 100 + i, v), true, `entry ${i} is staged without a write`));
  assert.ok(staging.length > 16 * 1024, 'the staged bytes are past the small buffer');
  const read = staging.read(100, 1000)!;
  assert.equal(read.length, 40);
  read.forEach((entry, i) => {
    assert.equal(entry.offset, 100 + i);
    assert.equal(entry.key?.toString(), `k${100 + i}`);
    assert.deepEqual(entry.value, values[i]);
  });
  const run = staging.take()!;
  assert.equal(run.firstOffset, 100);
  assert.equal(run.positions.length, 40);
  assert.ok(run.buffer.length >= run.length);
  assert.equal(staging.count, 0);
});

test('a batch is written before it passes 256 KiB or when offsets do not follow; a larger entry gets its own buffer', () => {
  const staging = new WriteStaging();
  let offset = 0;
  while (stage(staging, offset, Buffer.alloc(10_000))) offset++;
  assert.ok(staging.length <= 256 * 1024 && staging.length + 10_000 > 256 * 1024 - 100, `staged ${staging.length} bytes`);
  staging.take();

  assert.equal(stage(staging, 0, Buffer.alloc(10)), true);
  assert.equal(staging.mustWriteBefore(5, 100), true, 'offset 5 does not follow offset 0');
  staging.take();

  assert.equal(stage(staging, 0, Buffer.alloc(10)), true);
  assert.equal(stage(staging, 1, Buffer.alloc(300 * 1024)), false, 'a 300 KiB entry waits for the staged one to be written');
  staging.take();
  assert.equal(stage(staging, 1, Buffer.alloc(300 * 1024)), true);
  assert.equal(staging.read(1, 1)![0]!.value!.length, 300 * 1024);
});
