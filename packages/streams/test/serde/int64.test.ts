import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readInt64BE, writeInt64BE } from '../../src/serde/int64.js';

// The reference is Node's BigInt codec, which the number-halves codec replaces on the per-record path.
const EDGES = [
  0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2 ** 32 - 1, 2 ** 32, -(2 ** 32), 2 ** 32 + 5, -(2 ** 32) - 5,
  1_700_000_000_000, -1_700_000_000_000, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 2 ** 62, -(2 ** 63),
];

test('writeInt64BE writes the bytes writeBigInt64BE writes, negative and beyond 2^53 included', () => {
  const rng = seeded(7);
  const values = [...EDGES, ...Array.from({ length: 2000 }, () => Math.floor((rng() * 2 - 1) * Number.MAX_SAFE_INTEGER))];
  for (const v of values) {
    const ours = Buffer.alloc(10);
    const ref = Buffer.alloc(10);
    writeInt64BE(ours, v, 1);
    ref.writeBigInt64BE(BigInt(v), 1);
    assert.deepEqual(ours, ref, `value ${v}`);
  }
});

test('readInt64BE reads what Number(readBigInt64BE) reads, rounded alike beyond 2^53', () => {
  const rng = seeded(11);
  const longs = [
    0n, -1n, 2n ** 53n - 1n, -(2n ** 53n) + 1n, 2n ** 53n + 1n, 2n ** 63n - 1n, -(2n ** 63n), 123456789012345678n,
    ...Array.from({ length: 2000 }, () => BigInt.asIntN(64, BigInt(Math.floor(rng() * 2 ** 32)) * 2n ** 32n + BigInt(Math.floor(rng() * 2 ** 32)))),
  ];
  for (const l of longs) {
    const buf = Buffer.alloc(9);
    buf.writeBigInt64BE(l, 1);
    assert.equal(readInt64BE(buf, 1), Number(buf.readBigInt64BE(1)), `long ${l}`);
  }
});

test('writeInt64BE rejects what BigInt rejects: fractions, infinities, values beyond 64 bits', () => {
  const buf = Buffer.alloc(8);
  for (const bad of [1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2 ** 63, -(2 ** 64)]) {
    assert.throws(() => writeInt64BE(buf, bad, 0), RangeError, `value ${bad}`);
  }
});

function seeded(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}
