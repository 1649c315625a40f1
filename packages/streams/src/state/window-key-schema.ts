/**
 * Store and changelog key layouts of Kafka Streams' window and session stores, so that changelogs are compatible:
 * window `key + 8-byte window start + 4-byte sequence number` (WindowKeySchema; the sequence number is 0 unless the
 * store retains duplicates), session `key + 8-byte end + 8-byte start` (SessionKeySchema). The fixed-size suffix
 * lets the key be cut back out exactly.
 */
import { readInt64BE, writeInt64BE } from '../serde/int64.js';

export const WINDOW_SUFFIX = 12;
export const SESSION_SUFFIX = 16;
const MAX_SEQ = 0x7fffffff;

export function windowStoreKey(key: Buffer, windowStart: number, seq: number): Buffer {
  const out = Buffer.allocUnsafe(key.length + WINDOW_SUFFIX);
  key.copy(out, 0);
  writeInt64BE(out, windowStart, key.length);
  out.writeInt32BE(seq, key.length + 8);
  return out;
}

export const windowLowerBound = (key: Buffer, timeFrom: number): Buffer => windowStoreKey(key, timeFrom, 0);
export const windowUpperBound = (key: Buffer, timeTo: number): Buffer => windowStoreKey(key, timeTo, MAX_SEQ);

export function windowKeyOf(storeKey: Buffer): Buffer {
  return storeKey.subarray(0, storeKey.length - WINDOW_SUFFIX);
}
export function windowStartOf(storeKey: Buffer): number {
  return readInt64BE(storeKey, storeKey.length - WINDOW_SUFFIX);
}

export function sessionStoreKey(key: Buffer, start: number, end: number): Buffer {
  const out = Buffer.allocUnsafe(key.length + SESSION_SUFFIX);
  key.copy(out, 0);
  writeInt64BE(out, end, key.length);
  writeInt64BE(out, start, key.length + 8);
  return out;
}
export function sessionKeyOf(storeKey: Buffer): Buffer {
  return storeKey.subarray(0, storeKey.length - SESSION_SUFFIX);
}
export function sessionEndOf(storeKey: Buffer): number {
  return readInt64BE(storeKey, storeKey.length - SESSION_SUFFIX);
}
export function sessionStartOf(storeKey: Buffer): number {
  return readInt64BE(storeKey, storeKey.length - 8);
}

/** A bound above every store key of `key`'s suffix length that starts with `key` (for open-ended key ranges). */
export function keyUpperBound(key: Buffer, suffix: number): Buffer {
  return Buffer.concat([key, Buffer.alloc(suffix, 0xff)]);
}
