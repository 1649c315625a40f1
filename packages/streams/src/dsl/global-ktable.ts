/**
 * `GlobalKTable<K, V>`: a table replicated in full on every instance, read before processing starts and kept up
 * to date by a dedicated consumer; joins look keys up in it without co-partitioning.
 */
export class GlobalKTable<K, V> {
  /** @internal */
  constructor(
    readonly storeName: string,
    /** Phantom members carry K and V for type inference. */
    readonly _types?: { key: K; value: V },
  ) {}

  get queryableStoreName(): string {
    return this.storeName;
  }
}
