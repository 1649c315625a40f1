import { closeSync, fsyncSync, openSync, rmSync, writeSync } from 'node:fs';

/** Kept entries are gathered up to this many bytes before a write (and a segment this small with nothing dropped is never written). */
const BUFFER_BYTES = 1024 * 1024;
let shared: Buffer | undefined;

/**
 * Where compaction copies the entries it keeps of one segment (`<segment>.cleaned`). Entries are gathered in memory
 * and written in large blocks (one write per kept entry made thousands of small system calls per segment), and the
 * file is only created once the gathered bytes overflow: most segments of a compacted topic lose nothing in a given
 * pass, and for those that fit in the buffer nothing is written, synced and removed again.
 */
export class CleanedSegmentWriter {
  // One buffer for every writer: a segment is rewritten within one step of the cleaner, never two at a time.
  private readonly buffer = (shared ??= Buffer.allocUnsafe(BUFFER_BYTES));
  private length = 0;
  private fd = -1;

  constructor(readonly path: string) {}

  add(chunk: Buffer, start: number, size: number): void {
    if (this.length + size > this.buffer.length) {
      this.flush();
      if (size > this.buffer.length) {
        this.writeAll(chunk, start, size);
        return;
      }
    }
    chunk.copy(this.buffer, this.length, start, start + size);
    this.length += size;
  }

  /** Writes and syncs what was kept: the file is then ready to be renamed over the segment. */
  finish(): void {
    this.flush();
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = -1;
  }

  /** Nothing of the segment changes: no file is left behind. */
  discard(): void {
    if (this.fd < 0) return;
    closeSync(this.fd);
    this.fd = -1;
    rmSync(this.path, { force: true });
  }

  private flush(): void {
    if (this.fd < 0) this.fd = openSync(this.path, 'w');
    if (this.length > 0) this.writeAll(this.buffer, 0, this.length);
    this.length = 0;
  }

  private writeAll(data: Buffer, start: number, size: number): void {
    let written = 0;
    while (written < size) written += writeSync(this.fd, data, start + written, size - written);
  }
}
