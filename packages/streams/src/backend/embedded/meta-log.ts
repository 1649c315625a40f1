import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';
import { fsyncDir } from './fs-sync.js';
import { fdatasyncOffLoop } from './sync-worker.js';
import { CorruptLogError, LogStorageError } from './log-errors.js';

/**
 * The durable metadata of the embedded log, as an append-only file of JSON lines, each prefixed with the CRC-32 of
 * its JSON in hex (`3a9f01c2 {"t":"topic",...}`): topic creation and deletion, log-start offsets, group offset commits
 * and transaction commits. A transaction's `txn` line is its commit point (written after its records are synced,
 * before its markers), so recovery can finish or abort transactions a crash interrupted.
 */
export type MetaEntry =
  | { readonly t: 'topic'; readonly name: string; readonly partitions: number; readonly config: Record<string, string> }
  | { readonly t: 'delete-topic'; readonly name: string }
  | { readonly t: 'log-start'; readonly topic: string; readonly partition: number; readonly offset: number }
  | { readonly t: 'offsets'; readonly group: string; readonly offsets: ReadonlyArray<[string, number, number]> }
  | {
      readonly t: 'txn';
      readonly id: number;
      readonly groups: ReadonlyArray<{ readonly group: string; readonly offsets: ReadonlyArray<[string, number, number]> }>;
    };

export interface MetaRead {
  readonly entries: MetaEntry[];
  /** A last line that does not parse (a crash mid-append) was ignored: the metadata may lack its last change. */
  readonly tornTail: boolean;
}

/** One line of the file: the entry, or why it is unreadable. */
export type MetaLine = { readonly entry: MetaEntry } | { readonly error: string };

export function encodeMetaLine(entry: MetaEntry): string {
  const json = JSON.stringify(entry);
  return `${crc32(json).toString(16).padStart(8, '0')} ${json}\n`;
}

/** Parses one line; lines without a checksum (the format before it) are read as plain JSON. */
export function parseMetaLine(line: string): MetaLine {
  let json = line;
  if (!line.startsWith('{')) {
    const match = /^([0-9a-f]{8}) (.*)$/s.exec(line);
    if (match === null) return { error: 'no checksum prefix' };
    json = match[2]!;
    if (crc32(json) !== parseInt(match[1]!, 16)) return { error: 'checksum mismatch' };
  }
  try {
    const entry = JSON.parse(json) as MetaEntry;
    if (typeof entry !== 'object' || entry === null || typeof entry.t !== 'string') return { error: 'not an entry' };
    return { entry };
  } catch {
    return { error: 'not JSON' };
  }
}

/** Splits the file into lines with their byte positions; the last element is the unterminated rest ('' if none). */
export function metaLines(text: string): Array<{ line: string; position: number; terminated: boolean }> {
  const out: Array<{ line: string; position: number; terminated: boolean }> = [];
  let start = 0;
  let position = 0;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl;
    const line = text.slice(start, end);
    out.push({ line, position, terminated: nl >= 0 });
    position += Buffer.byteLength(line, 'utf8') + 1;
    start = end + 1;
  }
  return out;
}

export class MetaLog {
  private fd: number;
  private failure: Error | null = null;
  /** Bytes in the file: where a failed append is cut back to (kept here, not asked of the OS on every append). */
  private size: number;

  private constructor(
    private readonly path: string,
    fd: number,
  ) {
    this.fd = fd;
    this.size = fstatSync(fd).size;
  }

  /**
   * Reads the entries. An unreadable last line (a crash mid-append) is ignored and reported as `tornTail`; an
   * unreadable line followed by others, or any after a clean shutdown, is damage no crash explains and throws
   * `CorruptLogError`.
   */
  static read(path: string, cleanShutdown = false): MetaRead {
    if (!existsSync(path)) return { entries: [], tornTail: false };
    const entries: MetaEntry[] = [];
    const lines = metaLines(readFileSync(path, 'utf8')).filter((l) => l.line.length > 0);
    for (let i = 0; i < lines.length; i++) {
      const { line, position, terminated } = lines[i]!;
      const parsed = parseMetaLine(line);
      if ('entry' in parsed && terminated) {
        entries.push(parsed.entry);
        continue;
      }
      if (i === lines.length - 1 && !cleanShutdown) return { entries, tornTail: true };
      const why = 'error' in parsed ? parsed.error : 'unterminated';
      const context =
        i === lines.length - 1 ? 'the last line, after a clean shutdown (no write can have been torn)' : `${lines.length - 1 - i} line(s) follow it`;
      throw new CorruptLogError(path, position, `metadata line ${i + 1} is unreadable (${why}); ${context}`);
    }
    return { entries, tornTail: false };
  }

  /** Replaces the file with a snapshot (atomically: a synced temporary file renamed over it, then the directory synced). */
  static rewrite(path: string, entries: ReadonlyArray<MetaEntry>): MetaLog {
    const tmp = `${path}.tmp`;
    try {
      const fd = openSync(tmp, 'w');
      try {
        const text = entries.map(encodeMetaLine).join('');
        if (text.length > 0) writeSync(fd, text);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, path);
      fsyncDir(dirname(path));
      return new MetaLog(path, openSync(path, 'a'));
    } catch (err) {
      // The old file is intact until the rename; a leftover temporary file is overwritten next time.
      throw new LogStorageError(`Rewriting ${path} failed (${err instanceof Error ? err.message : String(err)})`, { cause: err });
    }
  }

  /** Appends and waits until the entry is on disk. */
  async append(entry: MetaEntry): Promise<void> {
    this.appendNoSync(entry);
    try {
      await fdatasyncOffLoop(this.fd);
    } catch (err) {
      throw this.fail(err);
    }
  }

  /** Appends and fsyncs before returning: for rare entries (topics) that later durable writes depend on. */
  appendSync(entry: MetaEntry): void {
    this.appendNoSync(entry);
    try {
      fsyncSync(this.fd);
    } catch (err) {
      throw this.fail(err);
    }
  }

  /**
   * Appends without waiting for the disk. A failed write is cut back off the file (so a commit that failed cannot
   * turn up as committed after a restart) and stops the metadata: every later append throws.
   */
  appendNoSync(entry: MetaEntry): void {
    if (this.fd < 0) throw new Error(`embedded log at ${this.path} is closed`);
    if (this.failure !== null) throw this.failure;
    const size = this.size;
    const line = Buffer.from(encodeMetaLine(entry), 'utf8');
    try {
      let done = 0;
      while (done < line.length) done += writeSync(this.fd, line, done, line.length - done);
      this.size = size + line.length;
    } catch (err) {
      try {
        ftruncateSync(this.fd, size);
      } catch {
        // Stopped either way; an unterminated last line is ignored on open.
      }
      throw this.fail(err);
    }
  }

  close(): void {
    if (this.fd < 0) return;
    closeSync(this.fd);
    this.fd = -1;
  }

  private fail(err: unknown): Error {
    const cause = err instanceof Error ? err.message : String(err);
    this.failure ??= new LogStorageError(`Writing ${this.path} failed (${cause}); the log takes no more metadata writes until reopened`, {
      cause: err,
    });
    return this.failure;
  }
}
