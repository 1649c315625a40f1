/**
 * `KTable.suppress()` (Kafka Streams' `KTableSuppressProcessor`): buffers each update by key and emits an entry
 * when stream time reaches its buffer time plus the suppression duration, or earlier when the buffer is over its
 * bounds and allowed to emit early. Final results (`untilWindowCloses`) drop tombstones of windows that never
 * emitted, as Kafka does ("safe to drop tombstones").
 */
import type { ProcessorContext, ProcessorSupplier } from '../../api/processor.js';
import type { Serde } from '../../serde/serde.js';
import type { KeyValueStore } from '../../state/store.js';
import type { Change } from '../change.js';
import { TimeOrderedBuffer, type BufferEntry, type EvictedEntry } from './time-ordered-buffer.js';

export interface SuppressSpec<K> {
  readonly storeName: string;
  /** Buffer time of an update: the window end (final results) or the record timestamp. */
  readonly bufferTime: (key: K, timestamp: number) => number;
  readonly suppressDurationMs: number;
  readonly maxRecords: number;
  readonly maxBytes: number;
  readonly whenFull: 'emitEarly' | 'shutDown';
  readonly safeToDropTombstones: boolean;
  readonly keySerde: Serde<K>;
  readonly entrySerde: Serde<BufferEntry<unknown>>;
  readonly sendOldValues: () => boolean;
}

export class BufferFullError extends Error {
  constructor(storeName: string, records: number, bytes: number) {
    super(`Suppression buffer ${storeName} exceeded its bounds (${records} records, ${bytes} bytes) and is configured to shut down when full`);
    this.name = 'BufferFullError';
  }
}

export function suppressProcessor<K, V>(spec: SuppressSpec<K>): ProcessorSupplier<K, Change<V>, K, Change<V>> {
  return () => {
    let ctx: ProcessorContext<K, Change<V>>;
    let buffer: TimeOrderedBuffer<K, V>;
    let observedStreamTime = -1;
    const overCapacity = (): boolean => buffer.numRecords > spec.maxRecords || buffer.bufferSize > spec.maxBytes;
    const emit = ({ key, entry, headers }: EvictedEntry<K, V>): void => {
      if (entry.newValue === null && spec.safeToDropTombstones) return;
      ctx.forward({
        key,
        value: { newValue: entry.newValue, oldValue: spec.sendOldValues() ? entry.priorValue : null },
        timestamp: entry.timestamp,
        headers,
      });
    };
    return {
      init(context) {
        ctx = context;
        const store = context.getStateStore<KeyValueStore<K, BufferEntry<V>>>(spec.storeName);
        buffer = new TimeOrderedBuffer<K, V>(store, spec.keySerde, spec.entrySerde as Serde<BufferEntry<V>>);
      },
      process(record) {
        observedStreamTime = Math.max(observedStreamTime, record.timestamp);
        buffer.put(
          spec.bufferTime(record.key, record.timestamp),
          record.key,
          record.value.newValue,
          record.value.oldValue,
          record.timestamp,
          record.headers,
        );
        const expiryTime = observedStreamTime - spec.suppressDurationMs;
        buffer.evictWhile(() => buffer.minTimestamp() <= expiryTime, emit);
        if (overCapacity()) {
          if (spec.whenFull === 'shutDown') throw new BufferFullError(spec.storeName, buffer.numRecords, buffer.bufferSize);
          buffer.evictWhile(overCapacity, emit);
        }
      },
    };
  };
}
