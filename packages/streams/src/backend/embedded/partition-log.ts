import type { ConsumedRecord } from '../port.js';
import { EntryKind } from './record-codec.js';
import type { PartitionFile } from './partition-file.js';
import type { Txn } from './transaction.js';

const NO_HEADERS: Readonly<Record<string, Buffer>> = Object.freeze({});

/**
 * How many bytes of recently written entries a partition with a data directory keeps in memory (`PartitionFile`):
 * consumers that keep up read them without touching the disk; others read the segment files. Per partition; the
 * limit is set by the log from a budget shared by all partitions (`EmbeddedLog`), between these bounds.
 */
export const CACHE_MIN_BYTES = 64 * 1024;
export const CACHE_MAX_BYTES = 1024 * 1024;

/**
 * One partition: records at rising offsets from the log-start offset. Transaction control markers take an offset
 * each, as in Kafka (so a consumer of a transactional topic sees gaps); they are never returned.
 *
 * In memory only, every record stays in the tail, as the very objects `poll()` hands out, so consuming them allocates
 * nothing per record. With a data directory the records live in the segment files (`PartitionFile`), which keep the
 * recent ones as encoded bytes in memory rather than as objects: a record object per append that lived until a
 * reader came by was, for topics nobody reads while the app runs (changelogs, outputs), pure garbage-collector work
 * and most of the process's memory. Memory then does not grow with the log.
 */
export class PartitionLog {
  logStartOffset = 0;
  private nextOffset = 0;
  /** The tail (in memory only): dense offsets [tailStart, nextOffset), from `tail[tailHead]` on; markers are `null`. */
  private tail: Array<ConsumedRecord | null> = [];
  private tailTxnIds: number[] = [];
  private tailHead = 0;
  private tailStart = 0;
  /** Transactions aborted with a marker in this partition: read_committed readers skip their records. */
  readonly abortedTxns = new Set<number>();
  private readonly openTxns = new Set<Txn>();
  file: PartitionFile | null = null;

  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}

  /** Byte limit of the recent entries kept in memory (with a data directory). */
  set tailMaxBytes(bytes: number) {
    if (this.file !== null) this.file.recentMaxBytes = bytes;
  }

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
    const txnId = txn?.id ?? 0;
    if (this.file !== null) {
      // A stopped partition throws here, before anything changes in memory.
      this.file.append(EntryKind.Data, offset, txnId, timestamp, key, value, headers ?? NO_HEADERS);
      this.nextOffset++;
    } else {
      this.push({ topic: this.topic, partition: this.partition, offset, key, value, timestamp, headers: headers ?? NO_HEADERS }, txnId);
    }
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
      this.nextOffset++;
      return;
    }
    this.push(null, txn.id);
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
      if (this.file === null) {
        if (pos < this.tailStart) pos = this.tailStart;
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
      const entries = this.file.read(pos, Math.min(max - taken, stop - pos));
      // Nothing at or after `pos`: a gap (compaction, a repair) up to the end.
      if (entries.length === 0) return stop;
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
    if (this.file === null) {
      while (this.tailStart < this.logStartOffset && this.tailStart < this.nextOffset) this.dropHead();
    }
    this.file?.deleteSegmentsBelow(this.logStartOffset);
  }

  /** Drops the in-memory copies of offsets up to `offset`, e.g. after compaction rewrote them. */
  evictThrough(offset: number): void {
    this.file?.dropRecentThrough(offset);
  }

  /**
   * After a failed write: forgets the records that never reached the file, so memory matches the disk (no record a
   * reader saw here is missing after a restart because of that failure, and offsets are not handed out twice).
   */
  rollBackTo(writtenEnd: number): void {
    if (this.nextOffset > writtenEnd) this.nextOffset = writtenEnd;
  }

  /** In memory only: the record (null for a marker) joins the tail. */
  private push(record: ConsumedRecord | null, txnId: number): void {
    this.tail.push(record);
    this.tailTxnIds.push(txnId);
    this.nextOffset++;
  }

  private dropHead(): void {
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
