/** Counters of one stream thread, read by `KafkaStreams.metrics()` and the Prometheus exposition. */
export class ThreadStats {
  processed = 0;
  commits = 0;
  lastCommitMs = 0;
  restoredRecords = 0;
  /** Records restored so far and to restore in the restore under way (both 0 when none). */
  restoring = { done: 0, total: 0 };
  /** Recoveries from task migrations and retriable errors (each one rebuilt the tasks from committed state). */
  recoveries = 0;
  /** Retriable errors and task migrations seen (several may precede one recovery while a broker is away). */
  retriableErrors = 0;
  /** Consumer lag per input partition (`topic-partition` → records), refreshed every few seconds. */
  readonly lag = new Map<string, number>();
}
