import { closeSync, fdatasyncSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { decodeEntries, type LogEntry } from './record-codec.js';
import { FsyncBatcher } from './fsync-batcher.js';

/**
 * The append-only file behind one partition. Appends are buffered and written in batches (on the next turn of the
 * event loop, or at `sync()`), so the per-record cost is an array push; `sync()` writes what is buffered and
 * fdatasyncs, which is what makes a flushed record survive a crash.
 */
export class PartitionFile {
  private fd: number;
  private pending: Buffer[] = [];
  private writeScheduled = false;
  private readonly fsync: FsyncBatcher;

  private constructor(fd: number) {
    this.fd = fd;
    this.fsync = new FsyncBatcher(() => this.fd);
  }

  /** Opens (creating if needed) the file and returns its valid entries; a torn tail is truncated away. */
  static open(path: string): { file: PartitionFile; entries: LogEntry[] } {
    const fd = openSync(path, 'a+');
    const data = readFileSync(path);
    const { entries, validLength } = decodeEntries(data);
    if (validLength < data.length) ftruncateSync(fd, validLength);
    return { file: new PartitionFile(fd), entries };
  }

  append(entry: Buffer): void {
    this.pending.push(entry);
    if (!this.writeScheduled) {
      this.writeScheduled = true;
      setImmediate(() => this.writePending());
    }
  }

  /** Resolves once every entry appended before the call is on disk. */
  async sync(): Promise<void> {
    this.writePending();
    await this.fsync.sync();
  }

  /** Blocking variant of `sync()`, for recovery at open time. */
  syncNow(): void {
    this.writePending();
    if (this.fd >= 0) fdatasyncSync(this.fd);
  }

  writePending(): void {
    this.writeScheduled = false;
    if (this.pending.length === 0 || this.fd < 0) return;
    const data = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    this.pending = [];
    let written = 0;
    while (written < data.length) written += writeSync(this.fd, data, written);
  }

  close(): void {
    if (this.fd < 0) return;
    this.writePending();
    closeSync(this.fd);
    this.fd = -1;
  }
}
