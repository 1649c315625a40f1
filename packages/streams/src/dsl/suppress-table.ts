/**
 * Builds `KTable.suppress()`: a processor with a change-logged buffer store (`KTABLE-SUPPRESS-STATE-STORE-…`).
 * Final results need to know when a window closes: the grace period registered by the windowed aggregation that
 * produced the table (plus the gap, for sessions).
 */
import type { ProcessorSupplier } from '../api/processor.js';
import type { Serde } from '../serde/serde.js';
import type { Windowed } from '../state/store.js';
import { Stores } from '../state/stores.js';
import { suppressProcessor } from '../processor/suppress/suppress-processor.js';
import { suppressedValueGetter } from '../processor/suppress/suppressed-value-getter.js';
import { bufferEntrySerde, type BufferEntry } from '../processor/suppress/time-ordered-buffer.js';
import { serdeOrFallback } from './dsl-context.js';
import type { TableState } from './ktable.js';
import type { Suppressed } from './suppressed.js';
import { windowGraceOf } from './windowed-aggregation.js';

type AnySupplier = ProcessorSupplier<unknown, unknown, unknown, unknown>;

export function suppressTable<K, V>(parent: TableState<K, V>, suppressed: Suppressed, enableParentOldValues: () => void): TableState<K, V> {
  const { ctx } = parent;
  let durationMs = suppressed.timeLimitMs;
  let bufferTime = (_key: K, timestamp: number): number => timestamp;
  if (suppressed.kind === 'untilWindowCloses') {
    const grace = windowGraceOf(ctx, parent.name);
    if (grace === undefined) {
      throw new Error('suppress(Suppressed.untilWindowCloses()) applies to the result of a windowed aggregation (windowedBy(...).count/reduce/aggregate)');
    }
    durationMs = grace;
    bufferTime = (key) => (key as unknown as Windowed<unknown>).window.end;
  }
  const name = suppressed.name !== undefined ? `${suppressed.name}-suppress` : ctx.graph.newProcessorName('KTABLE-SUPPRESS-');
  const storeName = suppressed.name !== undefined ? `${suppressed.name}-store` : ctx.graph.newStoreName('KTABLE-SUPPRESS-');
  const keySerde = serdeOrFallback(parent.keySerde);
  const entrySerde = bufferEntrySerde(serdeOrFallback(parent.valueSerde)) as Serde<BufferEntry<unknown>>;
  ctx.graph.add({ kind: 'state-store', builder: Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(storeName), keySerde, entrySerde) });
  const sendOld = { value: false };
  ctx.graph.add({
    kind: 'processor',
    name,
    parents: [parent.name],
    supplier: suppressProcessor<K, V>({
      storeName,
      bufferTime,
      suppressDurationMs: durationMs,
      maxRecords: suppressed.bufferConfig.maxRecords,
      maxBytes: suppressed.bufferConfig.maxBytes,
      whenFull: suppressed.bufferConfig.whenFull,
      safeToDropTombstones: suppressed.kind === 'untilWindowCloses',
      keySerde,
      entrySerde,
      sendOldValues: () => sendOld.value,
    }) as AnySupplier,
    stores: [storeName],
  });
  return {
    ctx,
    name,
    keySerde: parent.keySerde,
    valueSerde: parent.valueSerde,
    storeName: undefined,
    queryable: false,
    valueGetter: suppressedValueGetter(storeName, parent.valueGetter),
    sendOldValues: sendOld,
    enableParentOldValues,
    sourceNodes: parent.sourceNodes,
  };
}
