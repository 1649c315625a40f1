import { renameSync, rmSync } from 'node:fs';
import { CorruptLogError, LogStorageError } from './log-errors.js';
import { fsyncDir } from './fs-sync.js';
import { decodeIfIntact, encodeEntryInto, entryOffset, entrySize, frameSize, FRAME, type EntryHeader, type EntryKind, type LogEntry } from './record-codec.js';
import { recoverSegments } from './partition-recovery.js';
import { RecentEntries } from './recent-entries.js';
import { Segment } from './segment.js';
import { scanSegment } from './segment-scan.js';
import { releaseStaging, WriteStaging } from './write-staging.js';

/** Kafka's `segment.bytes` and `segment.ms` defaults. */
export const DEFAULT_SEGMENT_BYTES = 1024 * 1024 * 1024;
export const DEFAULT_SEGMENT_MS = 7 * 24 * 60 * 60 * 1000;
const READ_CHUNK = 256 * 1024;

export interface SegmentConfig {
  readonly segmentBytes: number;
  readonly segmentMs: number;
  /** Kafka's `segment.jitter.ms` (default 0): each segment rolls up to this much before `segmentMs`, chosen at random. */
  readonly segmentJitterMs: number;
}

/**
 * A segment's roll jitter, as Kafka draws it: partitions created together would otherwise all roll in the same
 * instant every `segment.ms`, and their fsyncs, and the cleaner's work on the closed segments, would come at once.
 */
function rollJitter(config: SegmentConfig): number {
  const bound = Math.min(config.segmentJitterMs, config.segmentMs);
  return bound > 0 ? Math.floor(Math.random() * bound) : 0;
}

/**
 * The segment files behind one partition, `<dir>/<20-digit base offset>.log`. Appends are buffered and written in
 * batches (on the next turn of the event loop, at `sync()`, or once 256 KiB are buffered), so the per-record cost is
 * an array push; `sync()`
 * writes what is buffered and fdatasyncs, which is what makes a flushed record survive a crash. A failed write or
 * fsync stops the partition (`failure`): it takes no more appends until reopened, so no gap or torn entry can sit
 * between records written later.
 */
export class PartitionFile {
  readonly segments: Segment[];
  failure: Error | null = null;
  /** Called once when the partition stops after a failed write (the partition log forgets what was not written). */
  onFailure: (() => void) | null = null;
  /** Offset after the last entry handed to the OS: entries below it can be read back from the files. */
  writtenEnd: number;
  /** Entries encoded and not yet written. */
  private readonly staging = new WriteStaging();
  /** Entries written lately, kept in memory for readers that keep up. */
  private readonly recent = new RecentEntries();
  /** Offset after the last pending entry. */
  private pendingEnd: number;
  private writeScheduled = false;
  /** How much before `segmentMs` the active segment rolls (`rollJitter`). */
  private activeJitterMs: number;

  private constructor(
    readonly dir: string,
    segments: Segment[],
    nextOffset: number,
    private config: SegmentConfig,
  ) {
    this.segments = segments;
    this.writtenEnd = nextOffset;
    this.pendingEnd = nextOffset;
    this.activeJitterMs = rollJitter(config);
  }

  /**
   * Opens the partition directory, verifying every entry: a torn last entry is cut, any other damage throws
   * `CorruptLogError` (see `recoverSegments`). `onEntry` sees each valid entry's fixed fields in order.
   */
  static open(dir: string, config: SegmentConfig, onEntry: (header: EntryHeader) => void, cleanShutdown = false): PartitionFile {
    const { segments, nextOffset } = recoverSegments(dir, onEntry, cleanShutdown);
    return new PartitionFile(dir, segments, nextOffset, config);
  }

  get active(): Segment {
    return this.segments[this.segments.length - 1]!;
  }

  setConfig(config: SegmentConfig): void {
    const jitterChanged = config.segmentJitterMs !== this.config.segmentJitterMs || config.segmentMs !== this.config.segmentMs;
    this.config = config;
    if (jitterChanged) this.activeJitterMs = rollJitter(config);
  }

  append(
    kind: EntryKind,
    offset: number,
    txnId: number,
    timestamp: number,
    key: Buffer | null,
    value: Buffer | null,
    headers: Readonly<Record<string, Buffer>>,
  ): void {
    if (this.failure !== null) throw this.failure;
    const size = entrySize(key, value, headers);
    // Before this entry is taken, so that a failed write throws with nothing of this append in memory. Staged entries
    // are written first too when this one does not follow them (dense offsets let reads find an entry by offset).
    if (this.staging.mustWriteBefore(offset, size)) {
      this.writePending();
      if (this.failure !== null) throw this.failure;
    }
    let active = this.active;
    const position = active.size + this.staging.length;
    if (
      active.firstOffset >= 0 &&
      (position + size > this.config.segmentBytes || Date.now() - active.createdMs >= this.config.segmentMs - this.activeJitterMs)
    ) {
      this.roll(offset);
      active = this.active;
    }
    const staging = this.staging.bufferFor(size);
    // Encoded first: an entry that cannot be encoded (a header name too long) leaves nothing behind.
    const end = encodeEntryInto(staging, this.staging.length, kind, offset, txnId, timestamp, key, value, headers);
    active.note(offset, active.size + this.staging.length, timestamp);
    this.staging.added(offset, end);
    this.pendingEnd = offset + 1;
    if (!this.writeScheduled) {
      this.writeScheduled = true;
      setImmediate(() => this.writePending());
    }
  }

  /**
   * Closes the active segment and starts one at `baseOffset`. The closed segment is fsynced first: a later segment
   * must never be on disk while an earlier one still has a tail in the page cache, or a crash would leave damage
   * followed by valid entries, which opening refuses.
   */
  roll(baseOffset: number): void {
    this.writePending();
    if (this.failure !== null) throw this.failure;
    try {
      this.active.syncNow();
      this.segments.push(Segment.open(this.dir, baseOffset));
      this.activeJitterMs = rollJitter(this.config);
      fsyncDir(this.dir);
    } catch (err) {
      throw this.fail(err);
    }
  }

  /** Resolves once every entry appended before the call is on disk; rejects when the partition has failed. */
  async sync(): Promise<void> {
    this.writePending();
    if (this.failure !== null) throw this.failure;
    try {
      await this.active.sync();
    } catch (err) {
      throw this.fail(err);
    }
  }

  /** Blocking variant of `sync()`, for recovery at open time. */
  syncNow(): void {
    this.writePending();
    if (this.failure !== null) throw this.failure;
    this.active.syncNow();
  }

  writePending(): void {
    this.writeScheduled = false;
    if (this.failure !== null) return;
    const run = this.staging.take();
    if (run === null) return;
    try {
      // Written synchronously: the buffer is free for reuse as soon as this returns.
      this.active.write(run.buffer.subarray(0, run.length));
      this.writtenEnd = this.pendingEnd;
      this.recent.keep(run);
    } catch (err) {
      this.fail(err);
    } finally {
      releaseStaging(run.buffer);
    }
  }

  /**
   * Reads entries from `from` on (those below it in the same chunk are skipped), up to `maxEntries` and about
   * `maxBytes`, from what was written (a consumer taking a few records does not pay for decoding a whole chunk). Every entry's checksum is checked again: damage that appeared after open throws `CorruptLogError`.
   */
  read(from: number, maxEntries: number, maxBytes: number = READ_CHUNK): LogEntry[] {
    this.recent.noteRead();
    const inMemory = this.readRecent(from, maxEntries);
    if (inMemory !== undefined) return inMemory;
    const out: LogEntry[] = [];
    let i = this.segmentIndexFor(from);
    while (i < this.segments.length && out.length === 0) {
      const segment = this.segments[i]!;
      if (segment.lastOffset < from || segment.size === 0) {
        i++;
        continue;
      }
      let position = segment.lookup(from);
      let chunk = segment.read(position, maxBytes, sharedReadBuffer());
      let rel = 0;
      for (;;) {
        if (rel >= chunk.length || out.length >= maxEntries) {
          if (out.length > 0 || position + rel >= segment.size) break;
          position += rel;
          chunk = segment.read(position, maxBytes, sharedReadBuffer());
          rel = 0;
          continue;
        }
        const need = rel + FRAME <= chunk.length ? frameSize(chunk, rel) : FRAME;
        if (rel + need > chunk.length) {
          if (out.length > 0) break;
          if (position + rel + need > segment.size) {
            throw new CorruptLogError(segment.path, position + rel, `entry runs past the end of the segment while reading offset ${from}`);
          }
          // An entry larger than the chunk, or cut by its end: read it whole.
          position += rel;
          chunk = segment.read(position, Math.max(need, maxBytes), sharedReadBuffer());
          rel = 0;
          continue;
        }
        // Entries before `from` (the index points up to 32 KiB before it) are stepped over, not decoded.
        if (entryOffset(chunk, rel) >= from) {
          const entry = decodeIfIntact(chunk, rel);
          if (entry === null) throw new CorruptLogError(segment.path, position + rel, `damaged entry found while reading offset ${from}`);
          if (entry.offset >= from) out.push(entry);
        }
        rel += need;
      }
      if (out.length === 0) i++;
    }
    // Nothing written at or after `from`, which lies in a gap (compaction): the next entries may be staged only.
    if (out.length === 0 && this.staging.count > 0 && this.staging.firstOffset > from) return this.readRecent(this.staging.firstOffset, maxEntries) ?? [];
    return out;
  }

  /** Deletes whole segments that hold only offsets below `offset`; the active segment is kept. */
  deleteSegmentsBelow(offset: number): number {
    let deleted = 0;
    while (this.segments.length > 1 && this.segments[1]!.baseOffset <= offset) {
      const segment = this.segments.shift()!;
      segment.close();
      rmSync(segment.path, { force: true });
      deleted++;
    }
    if (deleted > 0) fsyncDir(this.dir);
    return deleted;
  }

  /** Replaces a closed segment by a rewritten one (compaction): the synced `tmpPath` is renamed over it. */
  replaceSegment(index: number, tmpPath: string): void {
    const old = this.segments[index]!;
    renameSync(tmpPath, old.path);
    fsyncDir(this.dir);
    old.close();
    const segment = Segment.open(this.dir, old.baseOffset);
    const next = this.segments[index + 1]?.baseOffset ?? Infinity;
    const scan = scanSegment(segment.path, old.baseOffset, next, -1, 'first', (h, position) => segment.note(h.offset, position, h.timestamp));
    if (scan.damages.length > 0) throw new CorruptLogError(segment.path, scan.damages[0]!.position, scan.damages[0]!.reason);
    segment.size = scan.fileSize;
    segment.createdMs = old.createdMs;
    this.segments[index] = segment;
  }

  /**
   * Deletes a closed segment that compaction left without entries, so that a compacted partition whose old keys all
   * went (superseded, or tombstones past `delete.retention.ms`) does not keep a file, and its descriptor, per roll.
   * Never the first segment (its base offset is the log start on the next open) nor the active one. A crash before
   * the directory is synced leaves the file in place, which is as valid as before.
   */
  removeSegment(index: number): void {
    if (index <= 0 || index >= this.segments.length - 1) throw new RangeError(`segment ${index} of ${this.dir} is the first or the active one`);
    const [segment] = this.segments.splice(index, 1);
    segment!.close();
    rmSync(segment!.path, { force: true });
    fsyncDir(this.dir);
  }

  close(): void {
    this.writePending();
    for (const s of this.segments) s.close();
    this.recent.clear();
  }

  /** Byte limit of the recent entries kept in memory. */
  get recentMaxBytes(): number {
    return this.recent.maxBytes;
  }

  set recentMaxBytes(bytes: number) {
    this.recent.maxBytes = bytes;
  }

  /** Forgets the in-memory copies of entries up to `offset` (compaction rewrote them on disk). */
  dropRecentThrough(offset: number): void {
    this.recent.dropThrough(offset);
  }

  /**
   * Entries from `from` on, decoded from memory (staged or recently written; their checksums need no check, these
   * are the bytes this process encoded), or undefined when `from` is older than what memory holds.
   */
  private readRecent(from: number, maxEntries: number): LogEntry[] | undefined {
    const staged = this.staging.read(from, maxEntries);
    if (staged !== undefined) return staged;
    return this.recent.read(from, maxEntries);
  }

  private segmentIndexFor(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.segments[mid]!.baseOffset <= offset) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  private fail(err: unknown): Error {
    const cause = err instanceof Error ? err.message : String(err);
    if (this.failure === null) {
      this.failure = new LogStorageError(
        `Writing ${this.dir} failed (${cause}); the partition takes no more writes until the log is reopened`,
        { cause: err },
      );
      this.staging.discard();
      this.pendingEnd = this.writtenEnd;
      this.onFailure?.();
    }
    return this.failure;
  }
}

/**
 * One read buffer for every partition: a read is synchronous and copies its entries out, so a chunk is never needed
 * past the call, and partitions nobody reads from the files (most of them, in a system that keeps up) cost nothing.
 */
let readBuffer: Buffer | undefined;
function sharedReadBuffer(): Buffer {
  return (readBuffer ??= Buffer.allocUnsafe(READ_CHUNK));
}
