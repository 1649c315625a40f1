import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { crc32 } from '../../../src/backend/embedded/crc32.js';

test('crc32 of any range equals zlib.crc32 of the same bytes, short and long', () => {
  const data = Buffer.alloc(4096);
  for (let i = 0; i < data.length; i++) data[i] = (i * 131 + (i >> 5) * 7) & 0xff;
  for (const start of [0, 1, 3, 8, 13]) {
    for (const length of [0, 1, 7, 8, 9, 63, 64, 65, 200, 255, 256, 257, 1000, 3000]) {
      assert.equal(crc32(data, start, start + length), zlibCrc32(data.subarray(start, start + length)), `start ${start} length ${length}`);
    }
  }
  assert.equal(crc32(Buffer.from('123456789'), 0, 9), 0xcbf43926);
});
