import type { KeyValue } from '../api/record.js';
import { mergeCached } from './cache-merge.js';

/** Unsigned lexicographic byte order, as RocksDB and LMDB order keys. */
export const compareBytes = (a: Buffer, b: Buffer): number => Buffer.compare(a, b);

/** Kafka Streams returns nothing (and warns) for an inverted range rather than throwing; so do we. */
export function isInvertedRange(from: Buffer | null, to: Buffer | null): boolean {
  return from !== null && to !== null && Buffer.compare(from, to) > 0;
}

/** Entries of `source` while their key starts with `prefix` (source must start at `prefix`, ascending). */
export function* takeWithPrefix(source: Iterable<KeyValue<Buffer, Buffer>>, prefix: Buffer): Generator<KeyValue<Buffer, Buffer>> {
  for (const entry of source) {
    if (entry.key.length < prefix.length || prefix.compare(entry.key, 0, prefix.length) !== 0) return;
    yield entry;
  }
}

/**
 * Merges a sorted overlay of pending writes (null = deleted) over a sorted base, the overlay winning on equal keys.
 * Both inputs must be sorted in the same direction; `reverse` says which.
 */
export function mergeOverlay(
  overlay: Iterable<KeyValue<Buffer, Buffer | null>>,
  base: Iterable<KeyValue<Buffer, Buffer>>,
  reverse: boolean,
): Generator<KeyValue<Buffer, Buffer>> {
  return mergeCached(overlay, base, byKey, reverse);
}

function byKey(a: KeyValue<Buffer, Buffer | null>, b: KeyValue<Buffer, Buffer | null>): number {
  return Buffer.compare(a.key, b.key);
}
