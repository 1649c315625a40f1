/**
 * What the applications screen shows of each app, from `KafkaStreams.metrics()` and its supervisor: state, tasks,
 * lag per input partition, commit latency, restore progress, dropped records by reason, restarts. Throughput is a
 * rate between two snapshots; the runtime counts processed records per instance, not per task or sub-topology, so
 * records/s is per application.
 */
import type { ConsoleApplication } from './console-source.js';

export interface AppSnapshot {
  readonly name: string;
  readonly applicationId: string;
  readonly state: string;
  readonly activeTasks: ReadonlyArray<string>;
  readonly standbyTasks: ReadonlyArray<string>;
  readonly lag: Readonly<Record<string, number>>;
  readonly processedRecords: number;
  readonly recordsPerSecond: number;
  readonly commits: number;
  readonly lastCommitMs: number;
  readonly restore: { readonly done: number; readonly total: number; readonly restoredRecords: number };
  readonly droppedRecords: Readonly<Record<string, number>>;
  readonly restarts: number;
  readonly threadReplacements: number;
  readonly failure?: { readonly reason: string; readonly at: string } | undefined;
}

/** Remembers the previous count per app to turn counters into rates. */
export class Snapshots {
  private readonly previous = new Map<string, { processed: number; at: number }>();

  take(apps: ReadonlyArray<ConsoleApplication>, now = Date.now()): AppSnapshot[] {
    return apps.map((app) => {
      const streams = app.streams();
      const failure = app.failure();
      const m = streams?.metrics();
      const processed = m?.processedRecords ?? 0;
      const before = this.previous.get(app.name);
      // A restarted app counts from zero again: no negative rate.
      const rate = before !== undefined && now > before.at && processed >= before.processed ? ((processed - before.processed) * 1000) / (now - before.at) : 0;
      this.previous.set(app.name, { processed, at: now });
      return {
        name: app.name,
        applicationId: app.applicationId,
        state: m?.state ?? 'CREATED',
        activeTasks: m?.tasks ?? [],
        standbyTasks: m?.standbyTasks ?? [],
        lag: m?.lag ?? {},
        processedRecords: processed,
        recordsPerSecond: Math.round(rate * 10) / 10,
        commits: m?.commits ?? 0,
        lastCommitMs: m?.lastCommitMs ?? 0,
        restore: { done: m?.restoring.done ?? 0, total: m?.restoring.total ?? 0, restoredRecords: m?.restoredRecords ?? 0 },
        droppedRecords: m?.droppedRecords ?? {},
        restarts: app.restarts(),
        threadReplacements: m?.threadReplacements ?? 0,
        ...(failure !== undefined ? { failure: { reason: failure.reason, at: new Date(failure.at).toISOString() } } : {}),
      };
    });
  }
}
