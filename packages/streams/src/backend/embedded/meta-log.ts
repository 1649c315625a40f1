import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { FsyncBatcher } from './fsync-batcher.js';

/**
 * The durable metadata of the embedded log, as an append-only JSON-lines file: topic creation and deletion, group
 * offset commits and transaction commits. A transaction's `txn` line is its commit point (written after its records
 * are synced, before its markers), so recovery can finish or abort transactions a crash interrupted.
 */
export type MetaEntry =
  | { readonly t: 'topic'; readonly name: string; readonly partitions: number; readonly config: Record<string, string> }
  | { readonly t: 'delete-topic'; readonly name: string }
  | { readonly t: 'offsets'; readonly group: string; readonly offsets: ReadonlyArray<[string, number, number]> }
  | {
      readonly t: 'txn';
      readonly id: number;
      readonly groups: ReadonlyArray<{ readonly group: string; readonly offsets: ReadonlyArray<[string, number, number]> }>;
    };

export class MetaLog {
  private fd: number;
  private readonly fsync: FsyncBatcher;

  private constructor(
    private readonly path: string,
    fd: number,
  ) {
    this.fd = fd;
    this.fsync = new FsyncBatcher(() => this.fd);
  }

  /** Reads the entries; a torn last line (a crash mid-append) is ignored. */
  static read(path: string): MetaEntry[] {
    if (!existsSync(path)) return [];
    const entries: MetaEntry[] = [];
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      if (line.length === 0) continue;
      try {
        entries.push(JSON.parse(line) as MetaEntry);
      } catch {
        break;
      }
    }
    return entries;
  }

  /** Replaces the file with a snapshot (atomically, via rename) and opens it for appends. */
  static rewrite(path: string, entries: ReadonlyArray<MetaEntry>): MetaLog {
    const tmp = `${path}.tmp`;
    const fd = openSync(tmp, 'w');
    const text = entries.map((e) => JSON.stringify(e) + '\n').join('');
    if (text.length > 0) writeSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, path);
    return new MetaLog(path, openSync(path, 'a'));
  }

  /** Appends and waits until the entry is on disk. */
  async append(entry: MetaEntry): Promise<void> {
    this.appendNoSync(entry);
    await this.fsync.sync();
  }

  /** Appends and fsyncs before returning: for rare entries (topics) that later durable writes depend on. */
  appendSync(entry: MetaEntry): void {
    this.appendNoSync(entry);
    fsyncSync(this.fd);
  }

  /** Appends without waiting for the disk. */
  appendNoSync(entry: MetaEntry): void {
    if (this.fd < 0) throw new Error(`embedded log at ${this.path} is closed`);
    writeSync(this.fd, JSON.stringify(entry) + '\n');
  }

  close(): void {
    if (this.fd < 0) return;
    closeSync(this.fd);
    this.fd = -1;
  }
}
