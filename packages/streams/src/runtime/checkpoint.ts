/**
 * The per-task `.checkpoint` file: for each changelog partition (keyed by `tpKey`), the offset up to which the local
 * persistent store is known to hold the changelog. Restore starts there instead of replaying the whole changelog.
 *
 * Written as Kafka writes its checkpoint files: a temp file, fsync'd, renamed over the old one, then the directory
 * fsync'd, so after a crash or a power loss the file is either the old one or the new one, never torn or missing.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export type Checkpoint = Map<string, number>;

const FILE = '.checkpoint';

export function readCheckpoint(taskDir: string): Checkpoint {
  let text: string;
  try {
    text = readFileSync(join(taskDir, FILE), 'utf8');
  } catch {
    return new Map();
  }
  const out: Checkpoint = new Map();
  try {
    const data = JSON.parse(text) as unknown;
    if (data && typeof data === 'object') {
      for (const [k, v] of Object.entries(data as Record<string, unknown>)) if (typeof v === 'number') out.set(k, v);
    }
  } catch {
    // An unreadable checkpoint only costs a full restore from the changelog: never trust a part of it.
    return new Map();
  }
  return out;
}

export function writeCheckpoint(taskDir: string, checkpoint: Checkpoint): void {
  mkdirSync(taskDir, { recursive: true });
  const tmp = join(taskDir, `${FILE}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, JSON.stringify(Object.fromEntries(checkpoint)));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, join(taskDir, FILE));
  fsyncDirectory(taskDir);
}

/** Exactly-once deletes the checkpoint while processing: after a crash the store may hold uncommitted writes. */
export function deleteCheckpoint(taskDir: string): void {
  rmSync(join(taskDir, FILE), { force: true });
  try {
    fsyncDirectory(taskDir);
  } catch {
    // The folder may not exist (nothing was ever written): nothing to make durable.
  }
}

export function hasCheckpoint(taskDir: string): boolean {
  return existsSync(join(taskDir, FILE));
}

/** A rename or removal is durable only once its directory is fsync'd. */
function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
