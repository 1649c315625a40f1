/**
 * The record-cache memory of one stream thread (Kafka Streams' ThreadCache): `statestoreCacheMaxBytes` divided by
 * the thread count, shared by every cached store of every task the thread runs. Each store's RecordCache counts its
 * entries here, and a store that writes while the thread is over its budget evicts its own least recently used
 * entries, as Kafka's ThreadCache evicts from the named cache being written. A budget per store instead would grow
 * with the number of tasks and stores: four partitions of one cached count held four times the setting.
 */
export class ThreadCache {
  private used = 0;

  constructor(readonly maxBytes: number) {
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) throw new RangeError(`cache budget must be an integer >= 0 (got ${maxBytes})`);
  }

  /** Bytes the thread's caches hold, as they count them (entry overhead included). */
  get sizeBytes(): number {
    return this.used;
  }

  get overBudget(): boolean {
    return this.used > this.maxBytes;
  }

  /** A cache grew (positive) or shrank (negative) by `bytes`. */
  adjust(bytes: number): void {
    this.used += bytes;
  }
}
