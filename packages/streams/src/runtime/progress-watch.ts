/**
 * Notices a consumer that has records to read but stops reading them. The Java consumer recovers a partition's fetch
 * state by itself after a leader change; librdkafka occasionally leaves a partition behind a dead broker's
 * connection or in offset validation without reporting anything, and a thread waiting on it would stay RUNNING
 * with no progress and no error. A partition is stalled when it is behind its end offset and its position has not
 * moved for `limitMs`; the thread then treats that as a retriable error, so recovery re-assigns the partitions
 * (a fresh fetch state) and `taskTimeoutMs` still bounds how long that may go on.
 */
import { StreamsError } from './errors.js';

/** Raised for a partition with records to read whose position did not move for the watch's limit. */
export class FetchStalledError extends StreamsError {
  override readonly name = 'FetchStalledError';
  /** Recovered from like a broker error: rewind, re-assign, retry with back-off. */
  readonly retriable = true;
}

/** Default limit: well above a leader election after a broker failure (the broker session timeout is 9 s). */
export const FETCH_STALL_LIMIT_MS = 30_000;

export class ProgressWatch {
  private readonly since = new Map<string, { position: number; at: number }>();

  constructor(private readonly limitMs: number = FETCH_STALL_LIMIT_MS) {}

  /**
   * Records where each partition stands. A partition that is caught up, or whose position moved since the last
   * observation, is fine; one that stayed behind at the same position keeps its first observation's time.
   */
  observe(partitions: Iterable<{ key: string; position: number; end: number }>, now = Date.now()): void {
    const seen = new Set<string>();
    for (const { key, position, end } of partitions) {
      seen.add(key);
      const last = this.since.get(key);
      if (position >= end) this.since.delete(key);
      else if (last === undefined || last.position !== position) this.since.set(key, { position, at: now });
    }
    for (const key of [...this.since.keys()]) if (!seen.has(key)) this.since.delete(key);
  }

  /** Partitions behind and without movement for longer than the limit, with how long. */
  stalled(now = Date.now()): Array<{ key: string; position: number; forMs: number }> {
    const out: Array<{ key: string; position: number; forMs: number }> = [];
    for (const [key, { position, at }] of this.since) if (now - at > this.limitMs) out.push({ key, position, forMs: now - at });
    return out;
  }

  /** Observes `partitions`; throws a FetchStalledError, and starts over, when any is stalled. */
  check(partitions: Iterable<{ key: string; position: number; end: number }>, now = Date.now()): void {
    this.observe(partitions, now);
    const stalled = this.stalled(now);
    if (stalled.length === 0) return;
    this.reset();
    throw new FetchStalledError(
      `no records fetched although some are there: ${stalled.map((p) => `${p.key} at ${p.position} for ${p.forMs} ms`).join(', ')}`,
    );
  }

  /** Forget everything (after a recovery or a new assignment the positions start over). */
  reset(): void {
    this.since.clear();
  }
}
