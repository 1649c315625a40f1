/**
 * Session `aggregate` / `reduce` / `count` (Kafka Streams' `KStreamSessionWindowAggregate`): a record opens the
 * session `[ts, ts]` and merges every session of its key that lies within the inactivity gap. Merged-away sessions
 * are removed and forwarded as tombstones before the merged session is written and forwarded, so that a table
 * reading the output holds exactly the live sessions. Updates are stamped with the session end. When the store
 * caches, the cache forwards instead, at flush (Kafka's SessionCacheFlushListener): the latest of each session, with
 * the old value from the store; a session created and merged away between two flushes is never seen downstream.
 */
import type { ProcessorContext, ProcessorSupplier } from '../../api/processor.js';
import type { KeyValue } from '../../api/record.js';
import { isCachedStateStore } from '../../state/cache-flush-listener.js';
import type { SessionStore, Window, Windowed } from '../../state/store.js';
import { change } from '../change.js';
import type { Logger } from '../logger.js';
import { droppedRecord } from '../logger.js';

export interface SessionAggregation<K, V, A> {
  readonly storeName: string;
  readonly inactivityGapMs: number;
  readonly graceMs: number;
  /** `reduce` passes an initializer returning null and handles null aggregates itself. */
  readonly initializer: () => A;
  readonly aggregator: (key: K, value: V, aggregate: A) => A;
  readonly merger: (key: K, aggOne: A, aggTwo: A) => A;
  readonly sendOldValues: () => boolean;
  /** KIP-825 `onWindowClose()`: no per-update output (nor tombstones of merged sessions); closed sessions once. */
  readonly emitOnWindowClose?: boolean;
  readonly logger?: Logger;
}

export function sessionWindowAggregateProcessor<K, V, A>(spec: SessionAggregation<K, V, A>): ProcessorSupplier<K, V, Windowed<K>, unknown> {
  return () => {
    let ctx: ProcessorContext<Windowed<K>, unknown>;
    let store: SessionStore<K, A>;
    let observedStreamTime = -1;
    // As for time windows: the close time up to which closed sessions went out, in memory only.
    let lastEmitCloseTime = -1;
    // True when the store's cache forwards updates (at flush); a closed processor's cache no longer does.
    let cached = false;
    let open = true;
    const forward = (session: Windowed<K>, newAgg: A | null, oldAgg: A | null, headers: Record<string, string | Buffer>): void => {
      if (spec.emitOnWindowClose || cached) return;
      ctx.forward({
        key: session,
        value: change(newAgg, spec.sendOldValues() ? oldAgg : null),
        timestamp: session.window.end,
        headers,
      });
    };
    /**
     * Kafka's KStreamSessionWindowAggregate emit-final pass: sessions that ended in [last close time, closeTime - 1]
     * (session bounds are inclusive, so a session has closed once its end is below the close time), stamped with
     * their end, in the store's order (segment, key, end), as Kafka's findSessions by end time.
     */
    const emitFinal = (headers: Record<string, string | Buffer>, closeTime: number): void => {
      if (lastEmitCloseTime !== -1 && lastEmitCloseTime >= closeTime) return;
      const upper = closeTime - 1;
      if (upper < 0) return;
      const lower = Math.max(0, lastEmitCloseTime);
      for (const session of store.findSessionsByEnd(lower, upper)) {
        ctx.forward({ key: session.key, value: change(session.value, null), timestamp: session.key.window.end, headers });
      }
      lastEmitCloseTime = closeTime;
    };
    return {
      init(context) {
        ctx = context;
        store = context.getStateStore<SessionStore<K, A>>(spec.storeName);
        if (spec.emitOnWindowClose || !isCachedStateStore<Windowed<K>, A>(store)) return;
        const sendOldValues = spec.sendOldValues();
        cached = store.setFlushListener((event) => {
          if (!open) return;
          ctx.forward({ key: event.key, value: change(event.newValue, sendOldValues ? event.oldValue : null), timestamp: event.key.window.end, headers: {} });
        }, sendOldValues);
      },
      process(record) {
        if (record.key === null || record.key === undefined || record.value === null || record.value === undefined) {
          droppedRecord(ctx, 'null key or value', spec.logger);
          return;
        }
        const ts = record.timestamp;
        observedStreamTime = Math.max(observedStreamTime, ts);
        // As Kafka: a session may still grow until the gap has passed after its end, so it closes gap + grace later.
        const closeTime = observedStreamTime - spec.graceMs - spec.inactivityGapMs;
        const merged: Array<KeyValue<Windowed<K>, A>> = [];
        let window: Window = { start: ts, end: ts };
        let agg = spec.initializer();
        for (const session of store.findSessions(record.key, ts - spec.inactivityGapMs, ts + spec.inactivityGapMs)) {
          merged.push(session);
          agg = spec.merger(record.key, agg, session.value);
          window = { start: Math.min(window.start, session.key.window.start), end: Math.max(window.end, session.key.window.end) };
        }
        if (window.end < closeTime) {
          droppedRecord(ctx, 'record for an expired session', spec.logger);
        } else {
          if (window.start !== ts || window.end !== ts) {
            for (const session of merged) {
              store.remove(session.key);
              forward(session.key, null, session.value, record.headers);
            }
          }
          agg = spec.aggregator(record.key, record.value, agg);
          const sessionKey: Windowed<K> = { key: record.key, window };
          store.put(sessionKey, agg);
          forward(sessionKey, agg, null, record.headers);
        }
        // As Kafka: a late record still moves stream time, so it may close sessions too.
        if (spec.emitOnWindowClose) emitFinal(record.headers, closeTime);
      },
      close() {
        open = false;
      },
    };
  };
}
