import { closeSync, fsyncSync, openSync } from 'node:fs';

/**
 * fsyncs a directory, which makes the creation, rename or removal of its entries durable: a file fsynced on its own
 * can still vanish in a crash if the directory entry naming it was not (ext4, XFS; POSIX leaves it to the caller).
 */
export function fsyncDir(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
