import type { ConsumedRecord } from '../port.js';
import { EntryKind, encodeEntry } from './record-codec.js';
import type { PartitionFile } from './partition-file.js';
import type { Txn } from './transaction.js';

const NO_HEADERS: Readonly<Record<string, Buffer>> = Object.freeze({});

/**
 * One partition: records at dense offsets from the log-start offset. Transaction control markers take an offset
 * each, as in Kafka (so offsets are dense in the log but a consumer of a transactional topic sees gaps); they are
 * stored as `null` and never returned. Stored records are the very objects `poll()` hands out, so consuming
 * allocates nothing per record.
 */
export class PartitionLog {
  readonly logStartOffset = 0;
  private readonly records: Array<ConsumedRecord | null> = [];
  /** Parallel to `records`: the transaction a record or marker belongs to. */
  private readonly txns: Array<Txn | undefined> = [];
  private readonly openTxns = new Set<Txn>();
  file: PartitionFile | null = null;

  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}

  get highWatermark(): number {
    return this.logStartOffset + this.records.length;
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
    const offset = this.highWatermark;
    const record: ConsumedRecord = {
      topic: this.topic,
      partition: this.partition,
      offset,
      key,
      value,
      timestamp,
      headers: headers ?? NO_HEADERS,
    };
    this.records.push(record);
    this.txns.push(txn);
    if (txn !== undefined && !txn.partitions.has(this)) {
      txn.partitions.set(this, offset);
      this.openTxns.add(txn);
    }
    if (this.file !== null) {
      this.file.append(encodeEntry(EntryKind.Data, offset, txn?.id ?? 0, timestamp, key, value, record.headers));
    }
    return offset;
  }

  /** Ends the transaction on this partition: writes its marker, which moves the LSO past its records. */
  appendMarker(txn: Txn, committed: boolean): void {
    const offset = this.highWatermark;
    this.records.push(null);
    this.txns.push(txn);
    this.openTxns.delete(txn);
    if (this.file !== null) {
      const kind = committed ? EntryKind.CommitMarker : EntryKind.AbortMarker;
      this.file.append(encodeEntry(kind, offset, txn.id, Date.now(), null, null, NO_HEADERS));
    }
  }

  /** Rebuilds a loaded entry without writing it back. */
  restore(record: ConsumedRecord | null, txn: Txn | undefined): void {
    this.records.push(record);
    this.txns.push(txn);
    if (txn === undefined) return;
    if (record === null) {
      this.openTxns.delete(txn);
    } else if (!txn.partitions.has(this)) {
      txn.partitions.set(this, record.offset);
      this.openTxns.add(txn);
    }
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
    const base = this.logStartOffset;
    let i = from - base;
    const stop = Math.min(end, this.highWatermark) - base;
    let taken = 0;
    while (i < stop && taken < max) {
      const record = this.records[i];
      if (record !== null && record !== undefined) {
        if (!readCommitted || this.txns[i]?.aborted !== true) {
          out.push(record);
          taken++;
        }
      }
      i++;
    }
    return i + base;
  }
}
