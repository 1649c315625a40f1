import type { WindowBytesEntry } from './window-bytes-layer.js';

/** A window read from a record cache: a null value is a delete the store below has not seen yet. */
export interface CachedWindow {
  readonly key: Buffer;
  readonly windowStart: number;
  readonly storeKey: Buffer;
  readonly value: Buffer | null;
}

type Compare = (a: WindowBytesEntry | CachedWindow, b: WindowBytesEntry | CachedWindow) => number;

/**
 * Merges cached windows over the store's (Kafka Streams' MergedSortedCacheWindowStoreIterator): both sorted by
 * `compare` (descending when `reverse`), the cache winning on an equal window, a cached delete hiding the store's.
 */
export function* mergeCachedWindows(
  cached: Iterable<CachedWindow>,
  stored: Iterable<WindowBytesEntry>,
  compare: Compare,
  reverse: boolean,
): Generator<WindowBytesEntry> {
  const over = cached[Symbol.iterator]();
  const under = stored[Symbol.iterator]();
  let o = over.next();
  let u = under.next();
  try {
    while (!o.done || !u.done) {
      let cmp: number;
      if (o.done) cmp = 1;
      else if (u.done) cmp = -1;
      else cmp = reverse ? compare(u.value, o.value) : compare(o.value, u.value);
      if (cmp <= 0 && !o.done) {
        const window = o.value;
        if (cmp === 0) u = under.next();
        o = over.next();
        if (window.value !== null) yield { key: window.key, windowStart: window.windowStart, value: window.value, storeKey: window.storeKey };
      } else if (!u.done) {
        yield u.value;
        u = under.next();
      }
    }
  } finally {
    // Releases LMDB cursors when the caller stops early.
    over.return?.();
    under.return?.();
  }
}
