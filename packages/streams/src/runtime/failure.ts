/**
 * How the stream thread reacts to an error, as Kafka Streams does:
 * - `task-migrated`: another instance owns our tasks now (a newer producer with our transactional id, a newer group
 *   generation). Close the tasks dirty and rejoin; never the records' fault, never skipped by a handler.
 * - `retriable`: the cluster is in a passing state (a broker restarting, a leader or coordinator moving, a timeout).
 *   Abort, rewind to what was committed and retry with back-off, for at most `taskTimeoutMs` without progress.
 * - `fatal`: anything else (a processor that threw with the `fail` handler, a bug, bad configuration). The tasks are
 *   closed dirty, nothing is committed, and the uncaught-exception handler decides what happens next.
 */
import { CommitFailedError, ProducerFencedError, inCauseChain, isRetriable } from '../backend/port.js';

export type FailureKind = 'task-migrated' | 'retriable' | 'fatal';

export function classifyFailure(error: unknown): FailureKind {
  if (inCauseChain(error, (e) => e instanceof ProducerFencedError || e instanceof CommitFailedError)) return 'task-migrated';
  if (isRetriable(error)) return 'retriable';
  // A transaction the client says must be aborted is recovered by aborting it and rewinding.
  if (inCauseChain(error, (e) => (e as { txnRequiresAbort?: unknown }).txnRequiresAbort === true)) return 'retriable';
  return 'fatal';
}

/** Raised when a task made no progress for `taskTimeoutMs` while retrying (Kafka's task.timeout.ms, KIP-572). */
export class TaskTimeoutError extends Error {
  override readonly name = 'TaskTimeoutError';
}

const RETRY_BACKOFF_MS = 100;
const RETRY_BACKOFF_MAX_MS = 1_000;

/**
 * Back-off and give-up for recoverable failures (Kafka's `retry.backoff.ms` 100 doubling up to 1 s, bounded by
 * `task.timeout.ms`): a run of failures starts at the first one and ends with the next successful commit.
 */
export class RetryPolicy {
  private failingSince: number | undefined;
  private backoffMs = RETRY_BACKOFF_MS;

  constructor(private readonly taskTimeoutMs: number) {}

  /** How long to wait before the next attempt; throws `TaskTimeoutError` once the run is longer than allowed. */
  onFailure(error: unknown, now = Date.now()): { delayMs: number; failingForMs: number } {
    this.failingSince ??= now;
    const failingForMs = now - this.failingSince;
    if (failingForMs > this.taskTimeoutMs) {
      const text = error instanceof Error ? error.message : String(error);
      throw new TaskTimeoutError(`No progress for ${failingForMs} ms (taskTimeoutMs ${this.taskTimeoutMs}) while retrying: ${text}`, { cause: error });
    }
    const delayMs = this.backoffMs;
    this.backoffMs = Math.min(RETRY_BACKOFF_MAX_MS, this.backoffMs * 2);
    return { delayMs, failingForMs };
  }

  failingForMs(now = Date.now()): number {
    return this.failingSince === undefined ? 0 : now - this.failingSince;
  }

  progressed(): void {
    this.failingSince = undefined;
    this.backoffMs = RETRY_BACKOFF_MS;
  }
}
