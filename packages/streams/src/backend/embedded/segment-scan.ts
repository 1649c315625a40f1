import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { checkFrame, FRAME, frameSize, plausibleFrameStart, readHeader, type EntryHeader } from './record-codec.js';

const CHUNK = 4 * 1024 * 1024;

/** A damaged byte range of a segment file. */
export interface Damage {
  /** First damaged byte. */
  readonly position: number;
  /** Where the next valid entry starts, or the file size when none follows. */
  readonly end: number;
  readonly reason: string;
  /** A valid entry whose stored offset is out of place (not a torn or garbled one). */
  readonly outOfOrder: boolean;
  /** Offset of the last valid entry before the damage (-1: none in this file) and of the first after it. */
  readonly offsetBefore: number;
  readonly offsetAfter: number | undefined;
}

export interface SegmentScanResult {
  readonly fileSize: number;
  /** End of the last valid entry before the first damage (the whole file when undamaged). */
  readonly validLength: number;
  /** Every damaged range with `mode: 'all'`; at most the first with `'first'`. */
  readonly damages: Damage[];
}

/**
 * Reads a segment file entry by entry, checking each checksum and that stored offsets rise (and lie in
 * [`baseOffset`, `nextBase`)). `onEntry` sees every valid entry; `chunk` holds its bytes from `chunkPos`. With
 * `mode: 'first'` the scan stops at the first damage (after finding whether valid entries follow it, which tells a torn
 * write from damage a crash cannot explain); with `'all'` it resynchronises on the next valid entry and goes on.
 */
export function scanSegment(
  path: string,
  baseOffset: number,
  nextBase: number,
  previousOffset: number,
  mode: 'first' | 'all',
  onEntry: (header: EntryHeader, position: number, size: number, chunk: Buffer, chunkPos: number) => void,
): SegmentScanResult {
  const fd = openSync(path, 'r');
  try {
    const fileSize = fstatSync(fd).size;
    const reader = new WindowReader(fd, fileSize);
    const damages: Damage[] = [];
    let validLength = -1;
    let last = previousOffset;
    let pos = 0;
    while (pos < fileSize) {
      const problem = reader.check(pos);
      if (typeof problem === 'number') {
        const header = readHeader(reader.buf, pos - reader.start);
        if (header.offset > last && header.offset >= baseOffset && header.offset < nextBase) {
          onEntry(header, pos, problem - pos, reader.buf, reader.start);
          last = header.offset;
          pos = problem;
          continue;
        }
        const expected = `above ${last}${Number.isFinite(nextBase) ? ` and below ${nextBase}` : ''}, from ${baseOffset}`;
        const damage: Damage = {
          position: pos,
          end: problem,
          reason: `entry stores offset ${header.offset}, expected ${expected}`,
          outOfOrder: true,
          offsetBefore: last,
          offsetAfter: undefined,
        };
        if (validLength < 0) validLength = pos;
        damages.push(damage);
        if (mode === 'first') break;
        pos = problem;
        continue;
      }
      if (validLength < 0) validLength = pos;
      const next = reader.resync(pos + 1, last);
      const reason =
        problem === 'incomplete' ? `${describeIncomplete(reader, pos)} runs past the end of the file` : 'checksum mismatch or malformed entry';
      damages.push({
        position: pos,
        end: next?.position ?? fileSize,
        reason,
        outOfOrder: false,
        offsetBefore: last,
        offsetAfter: next?.offset,
      });
      if (mode === 'first' || next === undefined) break;
      pos = next.position;
    }
    return { fileSize, validLength: validLength < 0 ? fileSize : validLength, damages };
  } finally {
    closeSync(fd);
  }
}

function describeIncomplete(reader: WindowReader, pos: number): string {
  reader.ensure(pos, FRAME);
  const rel = pos - reader.start;
  return rel + FRAME <= reader.buf.length ? `an entry of ${frameSize(reader.buf, rel)} bytes` : 'an entry header';
}

/** A window of the file in memory, moved as the scan advances, so that a scan of any size needs one chunk of RAM. */
class WindowReader {
  buf: Buffer = Buffer.alloc(0);
  start = 0;
  private spare: Buffer | null = null;

  constructor(
    private readonly fd: number,
    private readonly fileSize: number,
  ) {}

  /** Makes bytes [pos, pos + n) available (fewer at the end of the file). */
  ensure(pos: number, n: number): void {
    if (pos >= this.start && pos + n <= this.start + this.buf.length) return;
    if (pos >= this.start && this.start + this.buf.length >= this.fileSize) return;
    const length = Math.min(Math.max(CHUNK, n), this.fileSize - pos);
    // One chunk reused while entries fit (callers copy what they keep), so a scan of any size allocates once; no
    // larger than the file, so opening a log of many small partitions does not allocate a full chunk for each.
    if (this.spare === null || this.spare.length < length) this.spare = Buffer.allocUnsafe(length);
    const buf = this.spare;
    let done = 0;
    while (done < length) {
      const got = readSync(this.fd, buf, done, length - done, pos + done);
      if (got === 0) break;
      done += got;
    }
    this.buf = buf.subarray(0, done);
    this.start = pos;
  }

  /** The frame at file position `pos`: its end, or what is wrong with it. */
  check(pos: number): number | 'incomplete' | 'corrupt' {
    this.ensure(pos, FRAME);
    const rel = pos - this.start;
    if (rel + FRAME > this.buf.length) return 'incomplete';
    const size = frameSize(this.buf, rel);
    if (pos + size > this.fileSize) return checkFrame(this.buf, rel) === 'corrupt' ? 'corrupt' : 'incomplete';
    this.ensure(pos, size);
    const result = checkFrame(this.buf, pos - this.start);
    return typeof result === 'number' ? result + this.start : result;
  }

  /** The next position from `from` where a valid entry with an offset above `after` starts. */
  resync(from: number, after: number): { position: number; offset: number } | undefined {
    for (let q = from; q + FRAME < this.fileSize; q++) {
      this.ensure(q, FRAME + 1);
      if (!plausibleFrameStart(this.buf, q - this.start)) continue;
      const end = this.check(q);
      if (typeof end !== 'number') {
        this.ensure(q, FRAME + 1);
        continue;
      }
      const offset = readHeader(this.buf, q - this.start).offset;
      if (offset > after) return { position: q, offset };
      this.ensure(q, FRAME + 1);
    }
    return undefined;
  }
}
