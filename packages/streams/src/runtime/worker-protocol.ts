/**
 * What the main thread and a stream-thread worker say to each other, beside the backend calls (`backend/bridge/`):
 * the worker's `workerData`, the synchronous requests (store lookups, counters) and the counters' shape.
 */
import { isMainThread, workerData } from 'node:worker_threads';
import type { StoreType } from '../state/store.js';
import type { SyncChannelEnd } from './sync-call.js';
import { ThreadStats } from './thread-stats.js';

const KEY = 'tributaryStreamThread';

/** `workerData` of a worker that hosts stream thread `index` of application `applicationId`. */
export interface StreamThreadWorkerData {
  readonly applicationId: string;
  readonly index: number;
  readonly processId: string;
  readonly backendKind: 'embedded' | 'kafka';
  /** The module the worker runs: the main thread's entry module (`process.argv[1]`). */
  readonly entry: string;
  readonly sync: SyncChannelEnd;
}

export function workerDataFor(data: StreamThreadWorkerData): Record<string, StreamThreadWorkerData> {
  return { [KEY]: data };
}

/** This worker's assignment, when it is a stream-thread worker. */
export function streamThreadWorkerData(): StreamThreadWorkerData | undefined {
  if (isMainThread || typeof workerData !== 'object' || workerData === null) return undefined;
  return (workerData as Record<string, StreamThreadWorkerData | undefined>)[KEY];
}

/**
 * Whether this code runs in a worker thread that `KafkaStreams` started to host one of its stream threads
 * (`numStreamThreads` > 1 on Kafka). Such a worker runs the application's entry module again, as Node's `cluster`
 * workers do: guard what must happen once per process (an HTTP server, a producer of test data) with it.
 */
export function isStreamThreadWorker(): boolean {
  return streamThreadWorkerData() !== undefined;
}

/** A store lookup: `method` of the worker's own `store()` view, with the view's kind. */
export interface StoreQuery {
  readonly kind: 'store';
  readonly storeName: string;
  readonly storeType: StoreType;
  readonly timestamps: boolean;
  readonly method: string;
  readonly args: unknown[];
}

export type SyncRequest = StoreQuery | { readonly kind: 'snapshot' };

/** A worker's counters and tasks, as `KafkaStreams.metrics()` adds them up. */
export interface ThreadSnapshot {
  readonly processed: number;
  readonly commits: number;
  readonly lastCommitMs: number;
  readonly restoredRecords: number;
  readonly restoring: { readonly done: number; readonly total: number };
  readonly recoveries: number;
  readonly retriableErrors: number;
  readonly lag: Array<[string, number]>;
  readonly dropped: Array<[string, number]>;
  readonly tasks: string[];
}

export function snapshotOf(stats: ThreadStats, dropped: ReadonlyMap<string, number>, tasks: string[]): ThreadSnapshot {
  return {
    processed: stats.processed,
    commits: stats.commits,
    lastCommitMs: stats.lastCommitMs,
    restoredRecords: stats.restoredRecords,
    restoring: { ...stats.restoring },
    recoveries: stats.recoveries,
    retriableErrors: stats.retriableErrors,
    lag: [...stats.lag],
    dropped: [...dropped],
    tasks,
  };
}

export function statsOf(snapshot: ThreadSnapshot | undefined): ThreadStats {
  const stats = new ThreadStats();
  if (!snapshot) return stats;
  stats.processed = snapshot.processed;
  stats.commits = snapshot.commits;
  stats.lastCommitMs = snapshot.lastCommitMs;
  stats.restoredRecords = snapshot.restoredRecords;
  stats.restoring = { ...snapshot.restoring };
  stats.recoveries = snapshot.recoveries;
  stats.retriableErrors = snapshot.retriableErrors;
  for (const [partition, lag] of snapshot.lag) stats.lag.set(partition, lag);
  return stats;
}
