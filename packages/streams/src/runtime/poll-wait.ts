/**
 * How long a stream thread with no buffered input may wait in `poll()`. Kafka Streams waits up to `poll.ms`
 * (100 ms) and checks whether a commit is due only after the poll returns. Under exactly-once the output of a
 * task becomes visible only at its commit, so in a quiet pipeline every hop would wait out the whole poll on top of
 * the commit interval: an app that committed every 10 ms still delayed each record by up to 100 ms. The wait is
 * therefore cut short at the moment the next commit falls due, when there is something to commit.
 */

/** The longest an idle loop waits in poll for input (Kafka Streams' `poll.ms` default). */
export const POLL_WAIT_MS = 100;

export interface PollWaitInput {
  /** Whether some task processed input (or asked for a commit) since the last commit. */
  readonly commitNeeded: boolean;
  /** When the thread last committed (ms since the epoch). */
  readonly lastCommit: number;
  readonly commitIntervalMs: number;
  readonly now: number;
}

export function pollWaitMs({ commitNeeded, lastCommit, commitIntervalMs, now }: PollWaitInput): number {
  if (!commitNeeded) return POLL_WAIT_MS;
  return Math.min(POLL_WAIT_MS, Math.max(0, lastCommit + commitIntervalMs - now));
}
