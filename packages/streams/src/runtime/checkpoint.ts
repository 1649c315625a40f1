/**
 * The per-task `.checkpoint` file: for each changelog partition, the offset up to which the local persistent store
 * is known to hold the changelog. Restore starts there instead of replaying the whole changelog.
 * Written atomically (temp file + rename) so a crash leaves either the old or the new file.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type Checkpoint = Map<string, number>;

export function checkpointKey(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}

export function readCheckpoint(taskDir: string): Checkpoint {
  try {
    const data = JSON.parse(readFileSync(join(taskDir, '.checkpoint'), 'utf8')) as unknown;
    const out: Checkpoint = new Map();
    if (data && typeof data === 'object') {
      for (const [k, v] of Object.entries(data as Record<string, unknown>)) if (typeof v === 'number') out.set(k, v);
    }
    return out;
  } catch {
    return new Map();
  }
}

export function writeCheckpoint(taskDir: string, checkpoint: Checkpoint): void {
  mkdirSync(taskDir, { recursive: true });
  const tmp = join(taskDir, '.checkpoint.tmp');
  writeFileSync(tmp, JSON.stringify(Object.fromEntries(checkpoint)));
  renameSync(tmp, join(taskDir, '.checkpoint'));
}

/** Exactly-once deletes the checkpoint while processing: after a crash the store may hold uncommitted writes. */
export function deleteCheckpoint(taskDir: string): void {
  rmSync(join(taskDir, '.checkpoint'), { force: true });
}
