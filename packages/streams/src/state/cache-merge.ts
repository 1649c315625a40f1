/** An entry read from a record cache: a null value is a delete the store below has not seen yet. */
export type Cached<E extends { readonly value: Buffer }> = Omit<E, 'value'> & { readonly value: Buffer | null };

/**
 * Merges cached entries over the store's (Kafka Streams' MergedSortedCacheWindowStoreIterator and its session
 * twin): both sorted by `compare` (descending when `reverse`), the cache winning on an equal entry, a cached delete
 * hiding the store's. Key-value stores merge their pending writes or cache the same way (`mergeOverlay`).
 */
export function* mergeCached<E extends { readonly value: Buffer }>(
  cached: Iterable<Cached<E>>,
  stored: Iterable<E>,
  compare: (a: Cached<E>, b: Cached<E>) => number,
  reverse: boolean,
): Generator<E> {
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
        const entry = o.value;
        if (cmp === 0) u = under.next();
        o = over.next();
        if (entry.value !== null) yield { ...entry, value: entry.value } as unknown as E;
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
