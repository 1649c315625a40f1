import { decodeRun, type LogEntry } from './record-codec.js';
import type { StagedRun } from './write-staging.js';

/** A partition read within this long keeps its recent entries in memory. */
const RECENT_READER_MS = 10_000;
/** Until the log sets a partition's share of its budget (`PartitionLog.tailMaxBytes`). */
const DEFAULT_RECENT_BYTES = 1024 * 1024;

/** A run of written entries kept in memory: their bytes, and where each starts (entry i holds firstOffset + i). */
interface RecentChunk {
  readonly firstOffset: number;
  readonly data: Buffer;
  readonly positions: Uint32Array;
}

/**
 * The entries of one partition written lately, as the bytes written (oldest first, dense offsets across chunks):
 * readers that keep up decode them from here instead of reading the files. At most `maxBytes`.
 */
export class RecentEntries {
  maxBytes = DEFAULT_RECENT_BYTES;
  private chunks: RecentChunk[] = [];
  private bytes = 0;
  /** When a reader last asked for entries: a partition nobody reads (a changelog while the app runs) keeps none. */
  private lastReadMs = Number.NEGATIVE_INFINITY;

  noteRead(): void {
    this.lastReadMs = Date.now();
  }

  /**
   * Entries from `from` on (their checksums need no check: these are the bytes this process encoded), or undefined
   * when `from` is not in memory.
   */
  read(from: number, maxEntries: number): LogEntry[] | undefined {
    for (let c = this.chunks.length - 1; c >= 0; c--) {
      const chunk = this.chunks[c]!;
      if (from < chunk.firstOffset) continue;
      const i = from - chunk.firstOffset;
      return i < chunk.positions.length ? decodeRun(chunk.data, chunk.positions, i, maxEntries) : undefined;
    }
    return undefined;
  }

  /** Keeps a copy of what was just written (the staging buffer goes back to be reused), within `maxBytes`. */
  keep(run: StagedRun): void {
    const size = run.length + run.positions.length * 4;
    // Kept for readers that keep up: without one lately, the copy would only cost memory (a new reader starts with
    // older entries, from the files, and what is written after its first read is kept again).
    if (size > this.maxBytes || Date.now() - this.lastReadMs > RECENT_READER_MS) {
      this.clear();
      return;
    }
    const data = Buffer.allocUnsafe(run.length);
    run.buffer.copy(data, 0, 0, run.length);
    this.chunks.push({ firstOffset: run.firstOffset, data, positions: Uint32Array.from(run.positions) });
    this.bytes += size;
    while (this.bytes > this.maxBytes) this.dropOldest();
  }

  /** Forgets the copies of entries up to `offset`. */
  dropThrough(offset: number): void {
    while (this.chunks.length > 0 && this.chunks[0]!.firstOffset <= offset) this.dropOldest();
  }

  clear(): void {
    this.chunks = [];
    this.bytes = 0;
  }

  private dropOldest(): void {
    const chunk = this.chunks.shift()!;
    this.bytes -= chunk.data.length + chunk.positions.length * 4;
  }
}
