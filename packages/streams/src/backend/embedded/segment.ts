import { closeSync, fdatasyncSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fdatasyncOffLoop } from './sync-worker.js';

/**
 * One index entry per this many bytes of log (Kafka's `index.interval.bytes` is 4096, for an index it maps from
 * disk). Here the index is in memory and a read fetches 256 KiB from the indexed position anyway, so a coarser
 * index costs nothing in reads: ≈16 bytes of memory per 32 KiB of log (≈1.2 MB for 2.5 GB).
 */
export const INDEX_INTERVAL_BYTES = 32 * 1024;

export function segmentFileName(baseOffset: number): string {
  return `${String(baseOffset).padStart(20, '0')}.log`;
}

/** The base offset a segment file name encodes, or undefined for other files. */
export function parseSegmentFileName(name: string): number | undefined {
  const match = /^(\d{20})\.log$/.exec(name);
  return match === null ? undefined : Number(match[1]);
}

/**
 * One segment file of a partition: entries from `baseOffset` (its name) on, in offset order. The sparse offset index
 * (offset → byte position, one entry per `INDEX_INTERVAL_BYTES`) lives in memory only: it is rebuilt by the scan that
 * verifies every checksum on open, so there is no second file to get out of step with the log.
 */
export class Segment {
  /** Bytes handed to the OS (`write` returned). */
  size = 0;
  /** Offsets of the first and last entry, -1 while empty. */
  firstOffset = -1;
  lastOffset = -1;
  /** Largest record timestamp: time-based retention deletes a segment once this is older than `retention.ms`. */
  maxTimestamp = -Infinity;
  /** When the segment got its first entry in this process (or was found on open): `segment.ms` counts from here. */
  createdMs = Date.now();
  private readonly indexOffsets: number[] = [];
  private readonly indexPositions: number[] = [];
  private lastIndexedPosition = -INDEX_INTERVAL_BYTES;
  private fd: number;

  private constructor(
    readonly baseOffset: number,
    readonly path: string,
    fd: number,
  ) {
    this.fd = fd;
  }

  /** Opens an existing segment file, or creates an empty one (the caller fsyncs the directory). */
  static open(dir: string, baseOffset: number): Segment {
    const path = join(dir, segmentFileName(baseOffset));
    closeSync(openSync(path, 'a'));
    const segment = new Segment(baseOffset, path, openSync(path, 'r+'));
    return segment;
  }

  fileSize(): number {
    return fstatSync(this.fd).size;
  }

  /** Records an entry written (or about to be written) at `position`. */
  note(offset: number, position: number, timestamp: number): void {
    if (this.firstOffset < 0) {
      this.firstOffset = offset;
      this.createdMs = Date.now();
    }
    this.lastOffset = offset;
    if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
    if (position - this.lastIndexedPosition >= INDEX_INTERVAL_BYTES) {
      this.indexOffsets.push(offset);
      this.indexPositions.push(position);
      this.lastIndexedPosition = position;
    }
  }

  /** Byte position of the last indexed entry at or before `offset` (0 when before the first). */
  lookup(offset: number): number {
    let lo = 0;
    let hi = this.indexOffsets.length - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.indexOffsets[mid]! <= offset) {
        found = this.indexPositions[mid]!;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /**
   * Reads up to `length` bytes at `position` (fewer at the end of what was written), into `into` when it is large
   * enough: readers decode (and copy out) entries at once, so one buffer serves every read.
   */
  read(position: number, length: number, into?: Buffer): Buffer {
    const n = Math.max(0, Math.min(length, this.size - position));
    const buf = into !== undefined && into.length >= n ? into : Buffer.allocUnsafe(n);
    let done = 0;
    while (done < n) {
      const got = readSync(this.fd, buf, done, n - done, position + done);
      if (got === 0) break;
      done += got;
    }
    return buf.length === done ? buf : buf.subarray(0, done);
  }

  /** Writes at the end; on failure cuts the file back, so that it never holds a partial entry followed by others. */
  write(data: Buffer): void {
    const start = this.size;
    let written = 0;
    try {
      while (written < data.length) written += writeSync(this.fd, data, written, data.length - written, start + written);
    } catch (err) {
      try {
        ftruncateSync(this.fd, start);
      } catch {
        // The partition is stopped either way; a torn tail left here is cut on the next open.
      }
      throw err;
    }
    this.size = start + data.length;
  }

  /** Resolves once everything written before the call is on disk. */
  sync(): Promise<void> {
    return fdatasyncOffLoop(this.fd);
  }

  syncNow(): void {
    fdatasyncSync(this.fd);
  }

  truncate(size: number): void {
    ftruncateSync(this.fd, size);
    this.size = size;
  }

  close(): void {
    if (this.fd < 0) return;
    try {
      closeSync(this.fd);
    } catch {
      // A descriptor that failed (EIO) may fail to close too; the partition is being let go either way.
    }
    this.fd = -1;
  }
}
