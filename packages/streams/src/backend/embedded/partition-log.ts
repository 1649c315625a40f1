import type { ConsumedRecord } from '../port.js';
import { EntryKind } from './record-codec.js';
import type { PartitionFile } from './partition-file.js';
import type { Txn } from './transaction.js';

const NO_HEADERS: Readonly<Record<string, Buffer>> = Object.freeze({});

/**
 * How many recent records a partition with a data directory keeps in memory (those already written can be evicted):
 * consumers that keep up read them without touching the disk; others read the segment files. Per partition; the
 * byte limit is set by the log from a budget shared by all partitions (`EmbeddedLog`), between these bounds. A
 * consumer that keeps up lags by about one poll (the runtime's `maxPollRecords` is 1,000 by default), well within.
 */
export const CACHE_MAX_RECORDS = 2048;
export const CACHE_MIN_BYTES = 64 * 1024;
export const CACHE_MAX_BYTES = 1024 * 1024;
/**
 * Memory of a cached record besides its key and value bytes, counted against `CACHE_MAX_BYTES`: the record object
 * (about 80 bytes) and the key and value Buffer objects (about 96 bytes each), as heap snapshots show them.
 */
const RECORD_OVERHEAD = 272;

/**
 * One partition: records at rising offsets from the log-start offset. Transaction control markers take an offset
 * each, as in Kafka (so a consumer of a transactional topic sees gaps); they are never returned. With a data
 * directory the records live in the segment files (`PartitionFile`) and memory holds only the recent tail, so memory
 * does not grow with the log; in memory only, every record stays in the tail. Records in the tail are the very
 * objects `poll()` hands out, so consuming them allocates nothing per record.
 */
export class PartitionLog {
  logStartOffset = 0;
  private nextOffset = 0;
  /** The tail: dense offsets [tailStart, nextOffset), from `tail[tailHead]` on; markers are `null`. */
  private tail: Array<ConsumedRecord | null> = [];
  private tailTxnIds: number[] = [];
  private tailHead = 0;
  private tailStart = 0;
  private tailBytes = 0;
  /** Transactions aborted with a marker in this partition: read_committed readers skip their records. */
  readonly abortedTxns = new Set<number>();
  private readonly openTxns = new Set<Txn>();
  file: PartitionFile | null = null;
  /** Byte limit of the in-memory tail (with a data directory). */
  tailMaxBytes = CACHE_MAX_BYTES;

  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}

  /** Takes over a partition file just opened, whose entries end before `nextOffset`. */
  attach(file: PartitionFile, nextOffset: number, logStartOffset: number): void {
    this.file = file;
    file.onFailure = () => this.rollBackTo(file.writtenEnd);
    this.nextOffset = nextOffset;
    this.tailStart = nextOffset;
    this.logStartOffset = Math.min(Math.max(logStartOffset, file.segments[0]!.baseOffset), nextOffset);
  }

  /** Registers a transaction found open (records, no marker) when the file was opened. */
  restoreOpenTransaction(txn: Txn, firstOffset: number): void {
    txn.partitions.set(this, firstOffset);
    this.openTxns.add(txn);
  }

  get highWatermark(): number {
    return this.nextOffset;
  }

  /** The first offset of the earliest open transaction, or the high watermark: read_committed reads stop here. */
  get lastStableOffset(): number {
    let lso = this.highWatermark;
    for (const txn of this.openTxns) {
      const first = txn.partitions.get(this)!;
      if (first < lso) lso = first;
    }
    return lso;
  }

  append(
    key: Buffer | null,
    value: Buffer | null,
    timestamp: number,
    headers: Readonly<Record<string, Buffer>> | undefined,
    txn: Txn | undefined,
  ): number {
    const offset = this.nextOffset;
    const record: ConsumedRecord = {
      topic: this.topic,
      partition: this.partition,
      offset,
      key,
      value,
      timestamp,
      headers: headers ?? NO_HEADERS,
    };
    // The file first: a stopped partition throws before anything changes in memory.
    if (this.file !== null) {
      this.file.append(EntryKind.Data, offset, txn?.id ?? 0, timestamp, key, value, record.headers);
    }
    this.push(record, txn?.id ?? 0, (key?.length ?? 0) + (value?.length ?? 0));
    if (txn !== undefined && !txn.partitions.has(this)) {
      txn.partitions.set(this, offset);
      this.openTxns.add(txn);
    }
    return offset;
  }

  /**
   * Ends the transaction on this partition: writes its marker, which moves the LSO past its records. On a stopped
   * partition only memory changes: with no marker on disk, recovery decides by the durable commit entry.
   */
  appendMarker(txn: Txn, committed: boolean): void {
    this.openTxns.delete(txn);
    if (!committed) this.abortedTxns.add(txn.id);
    const offset = this.nextOffset;
    if (this.file !== null) {
      if (this.file.failure !== null) return;
      const kind = committed ? EntryKind.CommitMarker : EntryKind.AbortMarker;
      const now = Date.now();
      try {
        this.file.append(kind, offset, txn.id, now, null, null, NO_HEADERS);
      } catch {
        // The partition stopped on this write: the marker stays in memory only, like the others after a failure.
        return;
      }
    }
    this.push(null, txn.id, 0);
  }

  /** Transactions with records here and no marker yet. */
  openTransactions(): Txn[] {
    return [...this.openTxns];
  }

  /**
   * Appends to `out` up to `max` records from `from` (inclusive) below `end`, skipping markers and, when
   * `readCommitted`, records of aborted transactions. Returns the position after the last entry looked at.
   */
  read(from: number, end: number, readCommitted: boolean, max: number, out: ConsumedRecord[]): number {
    let pos = Math.max(from, this.logStartOffset);
    const stop = Math.min(end, this.nextOffset);
    let taken = 0;
    while (pos < stop && taken < max) {
      if (pos >= this.tailStart) {
        let i = this.tailHead + (pos - this.tailStart);
        const last = this.tailHead + (stop - this.tailStart);
        while (i < last && taken < max) {
          const record = this.tail[i];
          if (record != null && (!readCommitted || !this.abortedTxns.has(this.tailTxnIds[i]!))) {
            out.push(record);
            taken++;
          }
          i++;
        }
        return this.tailStart + (i - this.tailHead);
      }
      const entries = this.file === null ? [] : this.file.read(pos, Math.min(max - taken, stop - pos));
      if (entries.length === 0) {
        // A gap (compaction, a repair) up to the records in memory.
        pos = Math.min(this.tailStart, stop);
        continue;
      }
      for (const entry of entries) {
        if (entry.offset >= stop) return stop;
        if (taken >= max) return pos;
        pos = entry.offset + 1;
        if (entry.kind !== EntryKind.Data || (readCommitted && this.abortedTxns.has(entry.txnId))) continue;
        out.push({
          topic: this.topic,
          partition: this.partition,
          offset: entry.offset,
          key: entry.key,
          value: entry.value,
          timestamp: entry.timestamp,
          headers: entry.headers,
        });
        taken++;
      }
    }
    return pos;
  }

  /** Moves the log-start offset (deleteRecords, retention); records below it are gone for readers. */
  advanceLogStart(offset: number): void {
    if (offset <= this.logStartOffset) return;
    this.logStartOffset = Math.min(offset, this.nextOffset);
    while (this.tailStart < this.logStartOffset && this.tailStart < this.nextOffset) this.dropHead();
    this.file?.deleteSegmentsBelow(this.logStartOffset);
  }

  /** Drops the in-memory copies of offsets up to `offset` (written ones only), e.g. after compaction rewrote them. */
  evictThrough(offset: number): void {
    const written = this.file?.writtenEnd ?? 0;
    while (this.tailStart <= offset && this.tailStart < written) this.dropHead();
  }

  /**
   * After a failed write: forgets the records that never reached the file, so memory matches the disk (no record a
   * reader saw here is missing after a restart because of that failure, and offsets are not handed out twice).
   */
  rollBackTo(writtenEnd: number): void {
    while (this.nextOffset > writtenEnd && this.nextOffset > this.tailStart) {
      this.nextOffset--;
      const record = this.tail.pop();
      this.tailTxnIds.pop();
      this.tailBytes -= record != null ? sizeOf(record) : RECORD_OVERHEAD;
    }
  }

  private push(record: ConsumedRecord | null, txnId: number, bytes: number): void {
    this.tail.push(record);
    this.tailTxnIds.push(txnId);
    this.tailBytes += bytes + RECORD_OVERHEAD;
    this.nextOffset++;
    if (this.file !== null) this.evict();
  }

  /** Drops the oldest records of the tail that are already in the file, down to the cache limits. */
  private evict(): void {
    const written = this.file!.writtenEnd;
    while (
      (this.nextOffset - this.tailStart > CACHE_MAX_RECORDS || this.tailBytes > this.tailMaxBytes) &&
      this.tailStart < written
    ) {
      this.dropHead();
    }
  }

  private dropHead(): void {
    const record = this.tail[this.tailHead];
    this.tailBytes -= record != null ? sizeOf(record) : RECORD_OVERHEAD;
    this.tail[this.tailHead] = null;
    this.tailHead++;
    this.tailStart++;
    // Compacts the arrays now and then instead of shifting them per record.
    if (this.tailHead > 1024 && this.tailHead * 2 > this.tail.length) {
      this.tail = this.tail.slice(this.tailHead);
      this.tailTxnIds = this.tailTxnIds.slice(this.tailHead);
      this.tailHead = 0;
    }
  }
}

function sizeOf(record: ConsumedRecord): number {
  return (record.key?.length ?? 0) + (record.value?.length ?? 0) + RECORD_OVERHEAD;
}
