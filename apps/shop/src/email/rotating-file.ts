/**
 * An append-only text file bounded in size, rotated as logrotate does: when the next line would take `path` past
 * `maxBytes`, `path` becomes `path.1`, `path.1` becomes `path.2` and so on, and `path.<keep>` is dropped. The disk it
 * takes is at most `(keep + 1) × maxBytes` (plus one line: a line longer than `maxBytes` is still written whole).
 */
import { closeSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export interface RotationLimits {
  /** The size at which the file is rotated. */
  readonly maxBytes: number;
  /** Rotated files kept (`path.1` … `path.<keep>`); 0 keeps none: the full file is deleted. */
  readonly keep: number;
}

export class RotatingFile {
  private fd: number | undefined;
  private size = 0;

  constructor(
    readonly path: string,
    private readonly limits: RotationLimits,
  ) {
    if (!(limits.maxBytes > 0) || !Number.isInteger(limits.keep) || limits.keep < 0) {
      throw new RangeError(`rotation needs maxBytes > 0 and keep >= 0 (got ${limits.maxBytes}, ${limits.keep})`);
    }
  }

  /** Appends `text` (one or more whole lines), rotating first when it would not fit. */
  append(text: string): void {
    const bytes = Buffer.byteLength(text);
    this.open();
    // An empty file takes the line however long it is: rotating it would only shift empty files.
    if (this.size > 0 && this.size + bytes > this.limits.maxBytes) this.rotate();
    writeSync(this.open(), text);
    this.size += bytes;
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }

  private open(): number {
    if (this.fd !== undefined) return this.fd;
    mkdirSync(dirname(this.path), { recursive: true });
    // Kept open: an open, write and close per line cost three system calls for every email.
    this.fd = openSync(this.path, 'a');
    this.size = fstatSync(this.fd).size;
    return this.fd;
  }

  private rotate(): void {
    this.close();
    const { keep } = this.limits;
    if (keep === 0) {
      rmSync(this.path, { force: true });
    } else {
      // Oldest first, so each rename lands on a name just vacated; the rename onto `path.<keep>` drops the oldest.
      for (let i = keep - 1; i >= 1; i--) renameIfPresent(`${this.path}.${i}`, `${this.path}.${i + 1}`);
      renameSync(this.path, `${this.path}.1`);
    }
    this.open();
  }
}

function renameIfPresent(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
