/**
 * How long per-order bookkeeping is kept. The orders view, the inventory service and the aggregator each keep one
 * store entry per order; kept for ever, they grow with every order the shop has seen. Once an order is settled
 * (decided, and its reservation kept or given back), its entries matter only against a late duplicate of its
 * records, which a horizon of event time covers: entries settled longer ago than the horizon are deleted (with a
 * tombstone in the changelog, so a restore does not bring them back).
 *
 * What "one outcome per order, ever" means past the horizon: within it, a replayed or duplicated record never
 * produces a second outcome, a second reservation or a second `201` for the same id. Past it the shop has forgotten
 * the order: a CREATED record with the same id arriving more than the horizon after the order settled is judged as
 * a new order, and `GET /v1/orders/{id}` no longer finds it. Ids must therefore be unique within the horizon.
 */
import type { KeyValueStore, ProcessorContext } from '@tributary/streams';

/** Default horizon: 7 days of event time. */
export const DEFAULT_SETTLED_RETENTION_MS = 7 * 24 * 60 * 60_000;

/** How often (in stream time) a store is swept: often enough that the store overshoots the horizon by little. */
export function sweepIntervalMs(retentionMs: number): number {
  return Math.max(1_000, Math.min(60 * 60_000, Math.floor(retentionMs / 10)));
}

/** A sweep is spread over this many steps, so that no single punctuation holds the thread for long. */
export const SWEEP_STEPS = 20;
/**
 * Entries examined per step at least: a store this small is swept whole in one step. Small, so that a small store is
 * not swept more often than once per interval (each entry's value is read and decoded).
 */
export const MIN_SWEEP_STEP_ENTRIES = 100;

/**
 * Schedules, on stream time, the deletion of every entry of `store` that `settledAt` says settled before
 * `streamTime - retentionMs` (undefined: not settled, kept). `onExpired` hears of each key deleted, for processors
 * that pass the expiry on downstream (as a tombstone).
 *
 * The store is swept in steps, each reading a slice of it from where the last one stopped: a whole-store scan in one
 * punctuation stalled every app of the process (120–220 ms in the shop soak, with a few thousand entries per task),
 * and the stall grows with the store. A full sweep still completes about once per `sweepIntervalMs`.
 */
export function scheduleExpiry<V>(
  context: ProcessorContext<unknown, unknown>,
  store: KeyValueStore<string, V>,
  settledAt: (value: V) => number | undefined,
  retentionMs: number,
  onExpired?: (key: string, streamTime: number) => void,
): void {
  /** The last key examined; undefined: the next step starts at the beginning of the store. */
  let cursor: string | undefined;
  /** Entries per step in the current pass, from the store's size when the pass began (so a pass takes at most SWEEP_STEPS steps). */
  let budget = MIN_SWEEP_STEP_ENTRIES;
  const stepMs = Math.max(1, Math.floor(sweepIntervalMs(retentionMs) / SWEEP_STEPS));
  context.schedule(stepMs, 'STREAM_TIME', (streamTime) => {
    const horizon = streamTime - retentionMs;
    if (cursor === undefined) budget = Math.max(MIN_SWEEP_STEP_ENTRIES, Math.ceil(store.approximateNumEntries() / SWEEP_STEPS));
    const expired: string[] = [];
    let examined = 0;
    let last: string | undefined;
    let finished = true;
    for (const { key, value } of cursor === undefined ? store.all() : store.range(cursor, null)) {
      if (key === cursor) continue; // range() includes its lower bound, examined by the previous step
      if (examined === budget) {
        finished = false;
        break;
      }
      examined++;
      last = key;
      const at = settledAt(value);
      if (at !== undefined && at < horizon) expired.push(key);
    }
    cursor = finished ? undefined : last;
    // Deleted after the scan: a store need not support changes while it is iterated.
    for (const key of expired) {
      store.delete(key);
      onExpired?.(key, streamTime);
    }
  });
}
