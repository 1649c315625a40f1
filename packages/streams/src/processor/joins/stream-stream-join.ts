/**
 * One side of a windowed stream-stream join (Kafka Streams' `KStreamKStreamJoin`, with the 3.1+ fix for spurious
 * left/outer results). A record joins every record of the other side's window store within
 * `[ts - before, ts + after]` (seen from this side). In left and outer joins, a record that finds no partner is
 * not emitted at once: it waits in the shared outer-join store until the join window closes
 * (`ts + after + grace < stream time`), and is dropped from there if a partner arrives in the meantime. Stream time
 * is shared by both sides of the join within a task.
 */
import type { ProcessorContext, ProcessorSupplier } from '../../api/processor.js';
import type { StreamRecord } from '../../api/record.js';
import type { KeyValueStore, WindowStore } from '../../state/store.js';
import { droppedRecord } from '../logger.js';
import type { OuterJoinKey, OuterJoinValue } from './outer-join-store.js';

/** Per task: the largest timestamp either side has seen, and the oldest record waiting in the outer-join store. */
export interface JoinTimeTracker {
  streamTime: number;
  minTime: number;
}

export interface JoinTimeTrackers {
  get(taskId: string): JoinTimeTracker;
  /** A closed task forgets its tracker; a reopened one starts from its restored stores. */
  remove(taskId: string): void;
}

/** Both sides of one join in one task get the same tracker. */
export function joinTimeTrackers(): JoinTimeTrackers {
  const trackers = new Map<string, JoinTimeTracker>();
  return {
    get(taskId) {
      let tracker = trackers.get(taskId);
      if (!tracker) trackers.set(taskId, (tracker = { streamTime: -1, minTime: Number.MAX_SAFE_INTEGER }));
      return tracker;
    },
    remove(taskId) {
      trackers.delete(taskId);
    },
  };
}

export interface StreamStreamJoinSpec<K, L, R, VOut> {
  readonly thisIsLeft: boolean;
  /** The other side's window store. */
  readonly otherStoreName: string;
  /** The join window as the user gave it (from the left side's point of view). */
  readonly beforeMs: number;
  readonly afterMs: number;
  readonly graceMs: number;
  /** Whether this side's unmatched records are emitted (left side of left joins, both sides of outer joins). */
  readonly outer: boolean;
  /** The shared store of unmatched records; present for left and outer joins, on both sides. */
  readonly outerStoreName: string | undefined;
  readonly joiner: (left: L | null, right: R | null, key: K) => VOut;
  readonly trackers: JoinTimeTrackers;
}

type OuterStore<K, L, R> = KeyValueStore<OuterJoinKey<K>, ReadonlyArray<OuterJoinValue<L, R>>>;

export function streamStreamJoinProcessor<K, L, R, VOut>(spec: StreamStreamJoinSpec<K, L, R, VOut>): ProcessorSupplier<K, unknown, K, VOut> {
  // Seen from this side: the left side looks `before` back and `after` ahead; the right side the other way round.
  const joinBeforeMs = spec.thisIsLeft ? spec.beforeMs : spec.afterMs;
  const joinAfterMs = spec.thisIsLeft ? spec.afterMs : spec.beforeMs;
  const join = (key: K, thisValue: unknown, otherValue: unknown): VOut =>
    spec.thisIsLeft ? spec.joiner(thisValue as L | null, otherValue as R | null, key) : spec.joiner(otherValue as L | null, thisValue as R | null, key);
  return () => {
    let ctx: ProcessorContext<K, VOut>;
    let otherStore: WindowStore<K, unknown>;
    let outerStore: OuterStore<K, L, R> | undefined;
    let tracker: JoinTimeTracker;

    /** A left record waits until the window after it closed; a right record until the window before it closed. */
    const windowOpen = (entry: OuterJoinKey<K>): boolean =>
      entry.timestamp + (entry.leftSide ? spec.afterMs : spec.beforeMs) + spec.graceMs >= tracker.streamTime;

    const emitNonJoined = (store: OuterStore<K, L, R>, record: StreamRecord<K, unknown>): void => {
      // Cheap check first: nothing waiting can have closed yet.
      if (tracker.minTime + joinAfterMs + spec.graceMs >= tracker.streamTime) return;
      const emitted: Array<OuterJoinKey<K>> = [];
      // The oldest record still waiting afterwards; entries come in timestamp order, so it is the first one kept.
      let oldestKept: number | undefined;
      let leftOpen = false;
      let rightOpen = false;
      for (const { key: entry, value: values } of store.all()) {
        if (leftOpen && rightOpen) break;
        if (windowOpen(entry)) {
          oldestKept ??= entry.timestamp;
          if (entry.leftSide) leftOpen = true;
          else rightOpen = true;
          continue;
        }
        for (const v of values) {
          ctx.forward({ key: entry.key, value: spec.joiner(v.left, v.right, entry.key), timestamp: entry.timestamp, headers: record.headers });
        }
        emitted.push(entry);
      }
      // Deleting after the scan keeps the iteration stable on every store implementation.
      for (const entry of emitted) store.delete(entry);
      tracker.minTime = oldestKept ?? Number.MAX_SAFE_INTEGER;
    };

    return {
      init(context) {
        ctx = context;
        otherStore = context.getStateStore<WindowStore<K, unknown>>(spec.otherStoreName);
        tracker = spec.trackers.get(context.taskId);
        if (spec.outerStoreName !== undefined) {
          outerStore = context.getStateStore<OuterStore<K, L, R>>(spec.outerStoreName);
          // After a restart the store may hold waiting records: they must still be emitted when their window closes.
          for (const { key } of outerStore.all()) {
            tracker.minTime = Math.min(tracker.minTime, key.timestamp);
            break;
          }
        }
      },
      process(record) {
        const ts = record.timestamp;
        tracker.streamTime = Math.max(tracker.streamTime, ts);
        if (record.key === null || record.key === undefined) {
          if (spec.outer && record.value !== null && record.value !== undefined) {
            ctx.forward({ ...record, value: join(record.key, record.value, null) });
          } else {
            droppedRecord(ctx, 'null key in stream-stream join', undefined);
          }
          return;
        }
        if (record.value === null || record.value === undefined) {
          droppedRecord(ctx, 'null value in stream-stream join', undefined);
          return;
        }
        if (outerStore && ts === tracker.streamTime) emitNonJoined(outerStore, record);
        const timeFrom = Math.max(0, ts - joinBeforeMs);
        const timeTo = Math.max(0, ts + joinAfterMs);
        let matched = false;
        for (const other of otherStore.fetchRange(record.key, timeFrom, timeTo)) {
          matched = true;
          // The partner no longer waits for a partner of its own.
          outerStore?.delete({ timestamp: other.key, leftSide: !spec.thisIsLeft, key: record.key });
          ctx.forward({ ...record, value: join(record.key, record.value, other.value), timestamp: Math.max(ts, other.key) });
        }
        if (matched || !spec.outer) return;
        if (outerStore === undefined || timeTo < tracker.streamTime) {
          // Its window has already closed (an out-of-order record): no partner can come any more.
          ctx.forward({ ...record, value: join(record.key, record.value, null) });
          return;
        }
        tracker.minTime = Math.min(tracker.minTime, ts);
        const waitingKey: OuterJoinKey<K> = { timestamp: ts, leftSide: spec.thisIsLeft, key: record.key };
        const waiting = outerStore.get(waitingKey) ?? [];
        const entry: OuterJoinValue<L, R> = spec.thisIsLeft
          ? { leftSide: true, left: record.value as L, right: null }
          : { leftSide: false, left: null, right: record.value as R };
        outerStore.put(waitingKey, [...waiting, entry]);
      },
      close() {
        spec.trackers.remove(ctx.taskId);
      },
    };
  };
}
