/**
 * Windowed `aggregate` / `reduce` / `count` over time windows (Kafka Streams' `KStreamWindowAggregate`): each
 * record updates every window it falls in whose end plus grace is still ahead of the processor's observed stream
 * time; the others are dropped as late. Results live in a timestamped window store and go downstream as Changes
 * keyed by `Windowed<K>`, one per updated window, or, when the store caches, the latest per window when the cache
 * flushes (commit or eviction), with the old value from the store.
 */
import type { ProcessorContext, ProcessorSupplier } from '../../api/processor.js';
import type { Window, Windowed, WindowStore } from '../../state/store.js';
import type { ValueAndTimestamp } from '../../state/value-and-timestamp.js';
import { change, type Change } from '../change.js';
import type { Logger } from '../logger.js';
import { droppedRecord } from '../logger.js';
import { tableForwarder, type TableForwarder } from '../table-forwarder.js';

export interface TimeWindowAggregation<K, V, A> {
  readonly storeName: string;
  readonly windowsFor: (timestamp: number) => ReadonlyArray<Window>;
  readonly graceMs: number;
  /** Absent for `reduce`: the first value becomes the aggregate. */
  readonly initializer?: () => A;
  readonly aggregator: (key: K, value: V, aggregate: A) => A;
  readonly sendOldValues: () => boolean;
  /** KIP-825 `onWindowClose()`: no per-update output; each window's final result once it closed. */
  readonly emitOnWindowClose?: boolean;
  /** The store's window size: windows starting at or before `closeTime - size` have closed. */
  readonly sizeMs?: number;
  readonly logger?: Logger;
}

export function timeWindowAggregateProcessor<K, V, A>(spec: TimeWindowAggregation<K, V, A>): ProcessorSupplier<K, V, Windowed<K>, unknown> {
  return () => {
    let ctx: ProcessorContext<Windowed<K>, unknown>;
    let store: WindowStore<K, ValueAndTimestamp<A>>;
    // Absent with onWindowClose: final results are read from the store (through its cache), never from a flush.
    let forwarder: TableForwarder<Windowed<K>, A> | undefined;
    // Per processor, as in Kafka: only records that reached this node move its notion of time.
    let observedStreamTime = -1;
    // The close time up to which final results went out (onWindowClose); -1: none yet. Kept in memory only: after a
    // restart, closed windows still in the store are emitted again (Kafka keeps it with the committed offsets).
    let lastEmitCloseTime = -1;
    /**
     * Kafka's KStreamWindowAggregate emit-final pass: windows that started after the last pass's closed range and
     * have ended by `closeTime` (start <= closeTime - size), read back from the store by start, then key. A window
     * whose close stream time skipped past retention's edge is gone by then and never emitted, as in Kafka.
     */
    const emitFinal = (headers: Record<string, string | Buffer>, closeTime: number): void => {
      if (lastEmitCloseTime !== -1 && lastEmitCloseTime >= closeTime) return;
      const size = spec.sizeMs ?? 0;
      const upper = closeTime - size;
      if (upper < 0) return;
      const lower = lastEmitCloseTime === -1 ? 0 : Math.max(0, lastEmitCloseTime - size) + 1;
      for (const { key, value } of store.fetchAllByTime(lower, upper)) {
        ctx.forward({ key, value: change(value.value, null), timestamp: value.timestamp, headers });
      }
      lastEmitCloseTime = closeTime;
    };
    return {
      init(context) {
        ctx = context;
        store = context.getStateStore<WindowStore<K, ValueAndTimestamp<A>>>(spec.storeName);
        if (!spec.emitOnWindowClose) forwarder = tableForwarder(store, context as ProcessorContext<Windowed<K>, Change<A>>, spec.sendOldValues());
      },
      process(record) {
        if (record.key === null || record.key === undefined || record.value === null || record.value === undefined) {
          droppedRecord(ctx, 'null key or value', spec.logger);
          return;
        }
        observedStreamTime = Math.max(observedStreamTime, record.timestamp);
        const closeTime = observedStreamTime - spec.graceMs;
        for (const window of spec.windowsFor(record.timestamp)) {
          if (window.end <= closeTime) {
            droppedRecord(ctx, 'record for an expired window', spec.logger);
            continue;
          }
          const old = store.fetch(record.key, window.start);
          let next: A;
          let timestamp: number;
          if (old === null) {
            next = spec.initializer ? spec.aggregator(record.key, record.value, spec.initializer()) : (record.value as unknown as A);
            timestamp = record.timestamp;
          } else {
            next = spec.aggregator(record.key, record.value, old.value);
            timestamp = Math.max(record.timestamp, old.timestamp);
          }
          store.put(record.key, { value: next, timestamp }, window.start);
          forwarder?.maybeForward({
            key: { key: record.key, window },
            value: change(next, spec.sendOldValues() && old !== null ? old.value : null),
            timestamp,
            headers: record.headers,
          });
        }
        if (spec.emitOnWindowClose) emitFinal(record.headers, closeTime);
      },
      close() {
        forwarder?.close();
      },
    };
  };
}
