/**
 * How a DSL processor that keeps a table in a store forwards its changes (Kafka Streams' `TimestampedTupleForwarder`
 * with `TimestampedCacheFlushListener`), for key-value and time-windowed tables alike: when the store caches, the
 * processor forwards nothing itself and the cache forwards the latest change per key when it flushes (at commit, or
 * when it outgrows its budget), stamped with the cached value's timestamp; without a cache every change goes
 * downstream at once.
 */
import type { ProcessorContext } from '../api/processor.js';
import type { StreamRecord } from '../api/record.js';
import { isCachedStateStore } from '../state/cache-flush-listener.js';
import type { StateStore } from '../state/store.js';
import type { ValueAndTimestamp } from '../state/value-and-timestamp.js';
import { change, type Change } from './change.js';

export interface TableForwarder<K, V> {
  /** Forwards `record` unless the cache will forward its key's latest change later. */
  maybeForward(record: StreamRecord<K, Change<V>>): void;
  /** Called from the processor's `close()`: a flush after that (closing the stores) no longer forwards. */
  close(): void;
}

export function tableForwarder<K, V>(
  /** A timestamped key-value or window store (whose keys are then `Windowed`), or none. */
  store: StateStore | undefined,
  context: ProcessorContext<K, Change<V>>,
  sendOldValues: boolean,
): TableForwarder<K, V> {
  let open = true;
  const cached =
    store !== undefined &&
    isCachedStateStore<K, ValueAndTimestamp<V>>(store) &&
    store.setFlushListener((event) => {
      if (!open) return;
      context.forward({
        key: event.key,
        value: change(event.newValue?.value ?? null, sendOldValues ? (event.oldValue?.value ?? null) : null),
        timestamp: event.newValue?.timestamp ?? event.timestamp,
        headers: {},
      });
    }, sendOldValues);
  return {
    maybeForward(record) {
      if (!cached) context.forward(record);
    },
    close() {
      open = false;
    },
  };
}
