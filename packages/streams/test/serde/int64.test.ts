import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readInt64BE, writeInt64BE } from '../../src/serde/int64.js';

/** Safe integers around the 32-bit word boundaries and the ends of the safe range, both signs. */
function samples(): number[] {
  const out = [0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 32 - 1, 2 ** 32, -(2 ** 32), 2 ** 32 + 1, -(2 ** 32) - 1];
  out.push(Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 2 ** 52 + 12345, -(2 ** 52) - 12345, 1_700_000_000_123);
  let x = 0x2545f491;
  for (let i = 0; i < 2000; i++) {
    // xorshift: scattered magnitudes from 1 to 2^53.
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const magnitude = Math.floor(((x >>> 0) / 2 ** 32) * 2 ** ((i % 53) + 1));
    out.push(i % 2 === 0 ? magnitude : 0 - magnitude);
  }
  return out;
}

test('writeInt64BE writes the bytes of writeBigInt64BE for safe integers, at any offset', () => {
  for (const n of samples()) {
    const mine = Buffer.alloc(11);
    const reference = Buffer.alloc(11);
    writeInt64BE(mine, n, 3);
    reference.writeBigInt64BE(BigInt(n), 3);
    assert.deepEqual(mine, reference, `value ${n}`);
  }
});

test('readInt64BE reads what readBigInt64BE reads, as a number (rounded beyond 2^53 as Number(bigint) rounds)', () => {
  for (const n of samples()) {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(BigInt(n));
    assert.equal(readInt64BE(b, 0), n);
  }
  for (const big of [2n ** 63n - 1n, -(2n ** 63n), 2n ** 53n + 1n, -(2n ** 53n) - 3n, 2n ** 62n + 2n ** 40n + 1n]) {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(big);
    assert.equal(readInt64BE(b, 0), Number(big));
  }
});

test('int64 helpers refuse offsets outside the buffer, and values that are not integers, as Buffer does', () => {
  assert.throws(() => readInt64BE(Buffer.alloc(8), 1), RangeError);
  assert.throws(() => readInt64BE(Buffer.alloc(4), -4), RangeError);
  assert.throws(() => writeInt64BE(Buffer.alloc(8), 1, 1), RangeError);
  assert.throws(() => writeInt64BE(Buffer.alloc(8), 1.5, 0), RangeError);
  const beyond = Buffer.alloc(8);
  writeInt64BE(beyond, 2 ** 60, 0);
  assert.equal(beyond.readBigInt64BE(0), 2n ** 60n);
});
