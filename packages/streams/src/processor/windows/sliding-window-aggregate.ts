/**
 * Aggregation over sliding windows (Kafka Streams' `KStreamSlidingWindowAggregate`). Windows are
 * `[start, start + timeDifference]`, both ends inclusive, and exist only where their content changes: each record
 * has a left window ending at it and, when later records fall within the difference, a right window starting just
 * after it. A record updates every existing window it falls in, creates its own left window (seeded from the
 * aggregate of the window before it), its right window (if records follow), and the previous record's right
 * window. Records earlier than `timeDifference` share the window `[0, timeDifference]`.
 */
import type { ProcessorContext, ProcessorSupplier } from '../../api/processor.js';
import type { Window, Windowed, WindowStore } from '../../state/store.js';
import type { ValueAndTimestamp } from '../../state/value-and-timestamp.js';
import { change, type Change } from '../change.js';
import type { Logger } from '../logger.js';
import { droppedRecord } from '../logger.js';
import { tableForwarder, type TableForwarder } from '../table-forwarder.js';

export interface SlidingWindowAggregation<K, V, A> {
  readonly storeName: string;
  readonly timeDifferenceMs: number;
  readonly graceMs: number;
  /** `reduce` passes an initializer returning null and an aggregator that handles it. */
  readonly initializer: () => A | null;
  readonly aggregator: (key: K, value: V, aggregate: A | null) => A;
  readonly sendOldValues: () => boolean;
  /** KIP-825 `onWindowClose()`: no per-update output; each window's final result once it closed. */
  readonly emitOnWindowClose?: boolean;
  readonly logger?: Logger;
}

type Agg<A> = ValueAndTimestamp<A> | null;

export function slidingWindowAggregateProcessor<K, V, A>(spec: SlidingWindowAggregation<K, V, A>): ProcessorSupplier<K, V, Windowed<K>, unknown> {
  const diff = spec.timeDifferenceMs;
  return () => {
    let ctx: ProcessorContext<Windowed<K>, unknown>;
    let store: WindowStore<K, ValueAndTimestamp<A>>;
    // Forwards each update, or lets the store's cache forward the latest per window; absent with onWindowClose.
    let forwarder: TableForwarder<Windowed<K>, A> | undefined;
    let observedStreamTime = -1;
    let headers: Record<string, string | Buffer> = {};
    // The close time up to which final results went out (onWindowClose); -1: none yet; in memory only.
    let lastEmitCloseTime = -1;

    const forward = (key: K, window: Window, newAgg: A, oldAgg: A | null, timestamp: number): void => {
      forwarder?.maybeForward({ key: { key, window }, value: change(newAgg, oldAgg), timestamp, headers });
    };

    /**
     * The emit-final pass: windows are `[start, start + difference]` with the end inclusive, so a window has closed
     * once its end is below the close time (start <= closeTime - difference - 1); those that closed since the last
     * pass are read back from the store, as for time windows.
     */
    const emitFinal = (closeTime: number): void => {
      if (lastEmitCloseTime !== -1 && lastEmitCloseTime >= closeTime) return;
      const upper = closeTime - diff - 1;
      const lower = lastEmitCloseTime === -1 ? 0 : Math.max(0, lastEmitCloseTime - diff);
      if (upper < lower) return;
      for (const { key, value } of store.fetchAllByTime(lower, upper)) {
        ctx.forward({ key, value: change(value.value, null), timestamp: value.timestamp, headers });
      }
      lastEmitCloseTime = closeTime;
    };

    const initial = (timestamp: number): Agg<A> => {
      const value = spec.initializer();
      return value === null ? null : { value, timestamp };
    };

    const updateWindowAndForward = (window: Window, current: Agg<A>, key: K, value: V, closeTime: number, ts: number): void => {
      if (window.end < closeTime) {
        droppedRecord(ctx, 'record for an expired window', spec.logger);
        return;
      }
      const oldAgg = current?.value ?? null;
      const newAgg = spec.aggregator(key, value, oldAgg);
      const timestamp = current === null ? ts : Math.max(ts, current.timestamp);
      store.put(key, { value: newAgg, timestamp }, window.start);
      forward(key, window, newAgg, spec.sendOldValues() ? oldAgg : null, timestamp);
    };

    const createRightWindow = (ts: number, rightAgg: ValueAndTimestamp<A>, key: K): void => {
      const window = { start: ts + 1, end: ts + 1 + diff };
      store.put(key, rightAgg, window.start);
      forward(key, window, rightAgg.value, null, rightAgg.timestamp);
    };

    const createPreviousRightWindow = (start: number, ts: number, key: K, value: V, closeTime: number): void => {
      updateWindowAndForward({ start, end: start + diff }, initial(ts), key, value, closeTime, ts);
    };

    const processEarly = (key: K, value: V, ts: number, closeTime: number): void => {
      let combined: { window: Window; agg: ValueAndTimestamp<A> } | undefined;
      let rightAgg: Agg<A> = null;
      let rightAlreadyCreated = false;
      let previousTs: number | undefined;
      const starts = new Set<number>();
      for (const { key: start, value: agg } of store.fetchRange(key, 0, ts + 1)) {
        starts.add(start);
        if (start === 0) {
          combined = { window: { start: 0, end: diff }, agg };
          if (agg.timestamp < ts) previousTs = agg.timestamp;
        } else if (start <= ts) {
          rightAgg = agg;
          updateWindowAndForward({ start, end: start + diff }, agg, key, value, closeTime, ts);
        } else if (start === ts + 1) {
          rightAlreadyCreated = true;
        } else {
          throw new Error(`Unexpected sliding window starting at ${start} for a record at ${ts}`);
        }
      }
      // Without a right window found, the combined window holds exactly the records after this one, if any.
      if (rightAgg === null && combined !== undefined && combined.agg.timestamp > ts) rightAgg = combined.agg;
      if (!rightAlreadyCreated && rightAgg !== null && rightAgg.timestamp > ts) createRightWindow(ts, rightAgg, key);
      if (previousTs !== undefined && !starts.has(previousTs + 1)) createPreviousRightWindow(previousTs + 1, ts, key, value, closeTime);
      if (combined === undefined) updateWindowAndForward({ start: 0, end: diff }, initial(ts), key, value, closeTime, ts);
      else updateWindowAndForward(combined.window, combined.agg, key, value, closeTime, ts);
    };

    /** Newest window first, as Kafka does with a reverse-capable store; the update order follows from it. */
    const processReverse = (key: K, value: V, ts: number, closeTime: number): void => {
      const starts = new Set<number>();
      let leftAgg: Agg<A> = null;
      let rightAgg: Agg<A> = null;
      let leftAlreadyCreated = false;
      let rightAlreadyCreated = false;
      let previousTs: number | undefined;
      for (const { key: start, value: agg } of store.backwardFetchRange(key, Math.max(0, ts - 2 * diff), ts + 1)) {
        starts.add(start);
        const end = start + diff;
        if (start === ts + 1) {
          rightAlreadyCreated = true;
        } else if (end > ts) {
          rightAgg ??= agg;
          updateWindowAndForward({ start, end }, agg, key, value, closeTime, ts);
        } else if (end === ts) {
          leftAlreadyCreated = true;
          updateWindowAndForward({ start, end }, agg, key, value, closeTime, ts);
          // A record at or after this one is already in the left window: every window it needs exists.
          if (agg.timestamp >= ts) return;
          previousTs = agg.timestamp;
        } else {
          leftAgg = agg;
          previousTs = agg.timestamp;
          break;
        }
      }
      if (previousTs !== undefined) {
        const previousRightStart = previousTs + 1;
        if (!starts.has(previousRightStart) && previousRightStart + diff >= ts) createPreviousRightWindow(previousRightStart, ts, key, value, closeTime);
      }
      if (!leftAlreadyCreated) {
        const seed = previousTs !== undefined && ts - diff <= previousTs && leftAgg !== null ? { value: leftAgg.value, timestamp: ts } : initial(ts);
        updateWindowAndForward({ start: ts - diff, end: ts }, seed, key, value, closeTime, ts);
      }
      if (!rightAlreadyCreated && rightAgg !== null && rightAgg.timestamp > ts) createRightWindow(ts, rightAgg, key);
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
        const ts = record.timestamp;
        observedStreamTime = Math.max(observedStreamTime, ts);
        const closeTime = observedStreamTime - spec.graceMs;
        // Even the record's right window would have closed: nothing it belongs to is open any more.
        if (ts + 1 + diff <= closeTime) {
          droppedRecord(ctx, 'record for an expired window', spec.logger);
          return;
        }
        headers = record.headers;
        if (ts < diff) processEarly(record.key, record.value, ts, closeTime);
        else processReverse(record.key, record.value, ts, closeTime);
        if (spec.emitOnWindowClose) emitFinal(closeTime);
      },
      close() {
        forwarder?.close();
      },
    };
  };
}
