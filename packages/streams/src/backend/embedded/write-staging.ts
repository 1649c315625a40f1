import { decodeRun, type LogEntry } from './record-codec.js';

/**
 * Buffered entries are written at once when they reach this size, without waiting for the next turn of the event
 * loop: a producer that appends without yielding (a stream thread working through a backlog) would otherwise hold
 * everything it wrote in memory, and so would the tail, which may only drop records already written.
 */
const WRITE_BATCH_BYTES = 256 * 1024;
/**
 * Appends are encoded straight into a staging buffer, written as a whole. A partition holds one only while it has
 * entries waiting (until the next turn of the event loop, at most): a system of many partitions must not keep a
 * quarter megabyte each. Most partitions stage a few small entries per turn, so a partition starts with a small buffer
 * and moves to a WRITE_BATCH_BYTES one only when its entries outgrow it. Written buffers are kept for the next
 * partition that needs one: a busy system stages in dozens of partitions every turn, and allocating their buffers
 * anew (a quarter megabyte each, mapped and unmapped by malloc) cost 5 % of the shop's main thread.
 */
const SMALL_STAGING_BYTES = 16 * 1024;
const spareSmall: Buffer[] = [];
const MAX_SPARE_SMALL = 256;
const spareLarge: Buffer[] = [];
const MAX_SPARE_LARGE = 8;

/** Staged entries handed over to be written: the first `length` bytes of `buffer`, entry `k` at `firstOffset + k`. */
export interface StagedRun {
  readonly buffer: Buffer;
  readonly length: number;
  readonly firstOffset: number;
  /** Where each entry starts. */
  readonly positions: number[];
}

/**
 * The entries of one partition encoded and not yet written, at dense offsets (one per entry), in a staging buffer
 * held only while there are any.
 */
export class WriteStaging {
  private buffer: Buffer | null = null;
  /** Bytes staged: the first `bytes` bytes of the buffer. */
  private bytes = 0;
  /** Offset of the first staged entry and where each staged entry starts. */
  private first = 0;
  private positions: number[] = [];

  /** Bytes staged. */
  get length(): number {
    return this.bytes;
  }

  /** Offset of the first staged entry (meaningless while `count` is 0). */
  get firstOffset(): number {
    return this.first;
  }

  /** How many entries are staged. */
  get count(): number {
    return this.positions.length;
  }

  /**
   * Whether what is staged must be written before an entry of `size` bytes at `offset` joins it: the entry does not
   * fit, or does not follow the staged ones (dense offsets let reads find an entry by offset).
   */
  mustWriteBefore(offset: number, size: number): boolean {
    return (
      this.buffer !== null &&
      (this.bytes + size > Math.max(this.buffer.length, WRITE_BATCH_BYTES) || (this.count > 0 && offset !== this.first + this.count))
    );
  }

  /**
   * The buffer the next entry is encoded into, at `length`: a spare one is taken when none is held, and a small one
   * the entry would overflow is traded for a larger one holding the same bytes. The caller has checked
   * `mustWriteBefore`.
   */
  bufferFor(size: number): Buffer {
    const held = this.buffer;
    if (held === null) return (this.buffer = takeStaging(size));
    if (this.bytes + size <= held.length) return held;
    const larger = takeStaging(this.bytes + size);
    held.copy(larger, 0, 0, this.bytes);
    releaseStaging(held);
    return (this.buffer = larger);
  }

  /** Takes the entry at `offset` just encoded into the buffer at `length`, ending at `end`. */
  added(offset: number, end: number): void {
    if (this.positions.length === 0) this.first = offset;
    this.positions.push(this.bytes);
    this.bytes = end;
  }

  /**
   * Hands over what is staged to be written, leaving nothing staged (null without a buffer). The buffer goes back
   * with `releaseStaging` once written.
   */
  take(): StagedRun | null {
    if (this.buffer === null) return null;
    const run: StagedRun = { buffer: this.buffer, length: this.bytes, firstOffset: this.first, positions: this.positions };
    this.buffer = null;
    this.bytes = 0;
    this.positions = [];
    return run;
  }

  /** Drops what is staged (the partition stopped) and gives the buffer back. */
  discard(): void {
    const run = this.take();
    if (run !== null) releaseStaging(run.buffer);
  }

  /**
   * Staged entries from `from` on (their checksums need no check: these are the bytes this process encoded), or
   * undefined when none is staged or `from` is before the first.
   */
  read(from: number, maxEntries: number): LogEntry[] | undefined {
    if (this.count === 0 || from < this.first) return undefined;
    return from - this.first < this.count ? decodeRun(this.buffer!, this.positions, from - this.first, maxEntries) : [];
  }
}

function takeStaging(size: number): Buffer {
  if (size <= SMALL_STAGING_BYTES) return spareSmall.pop() ?? Buffer.allocUnsafe(SMALL_STAGING_BYTES);
  if (size <= WRITE_BATCH_BYTES) return spareLarge.pop() ?? Buffer.allocUnsafe(WRITE_BATCH_BYTES);
  return Buffer.allocUnsafe(size);
}

/** Gives a written staging buffer back for the next partition that needs one. */
export function releaseStaging(buffer: Buffer): void {
  if (buffer.length === SMALL_STAGING_BYTES) {
    if (spareSmall.length < MAX_SPARE_SMALL) spareSmall.push(buffer);
  } else if (buffer.length === WRITE_BATCH_BYTES && spareLarge.length < MAX_SPARE_LARGE) spareLarge.push(buffer);
}
