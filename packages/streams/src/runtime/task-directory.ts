/**
 * Where an application keeps its local state, and how tasks are named: `<stateDir>/<applicationId>/<taskId>`, with
 * task ids `<subtopologyId>_<partition>` as in Kafka Streams. Every place that needs a task's folder or id asks here.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';

export interface StateLocation {
  readonly stateDir: string;
  readonly applicationId: string;
}

export function applicationDirectory(location: StateLocation): string {
  return join(location.stateDir, location.applicationId);
}

export function taskDirectory(location: StateLocation, taskId: string): string {
  return join(location.stateDir, location.applicationId, taskId);
}

/**
 * The global stores' folder of one stream thread: `global` for thread 1 (the only one by default), `global-<n>` for
 * the others, since each thread keeps its own copy of the global stores and two must never open the same files.
 */
export function globalStateDirectory(location: StateLocation, threadIndex: number): string {
  return join(location.stateDir, location.applicationId, threadIndex === 1 ? 'global' : `global-${threadIndex}`);
}

/** Removes a task's local state (stores and checkpoint), so it is rebuilt from its changelogs. */
export function wipeTaskDirectory(location: StateLocation, taskId: string): void {
  rmSync(taskDirectory(location, taskId), { recursive: true, force: true });
}

export function taskIdOf(subtopologyId: number, partition: number): string {
  return `${subtopologyId}_${partition}`;
}

/** The sub-topology and partition of a task id, or undefined when `taskId` is not one. */
export function parseTaskId(taskId: string): { subtopologyId: number; partition: number } | undefined {
  const m = /^(\d+)_(\d+)$/.exec(taskId);
  if (!m) return undefined;
  return { subtopologyId: Number(m[1]), partition: Number(m[2]) };
}
