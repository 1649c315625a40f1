/**
 * `KGroupedStream<K, V>`: a stream grouped by key, ready to aggregate. The repartition topic (when the key was
 * changed upstream) is created here, lazily, named after the store or the user's grouping name.
 */
import type { ProcessorSupplier } from '../api/processor.js';
import { Serdes } from '../serde/serdes.js';
import { streamAggregateProcessor } from '../processor/stream-aggregate.js';
import { storeValueGetter } from '../processor/value-getter.js';
import { serdeOrFallback } from './dsl-context.js';
import { addAggregationNodes } from './aggregation-nodes.js';
import type { StreamState } from './kstream.js';
import { KTable } from './ktable.js';
import { keyValueStoreBuilderFor, materializedStoreName } from './materialize.js';
import type { MaterializedOptions, NamedOptions } from './options.js';
import { SessionWindowedKStream } from './session-windowed-kstream.js';
import { TimeWindowedKStream } from './time-windowed-kstream.js';
import type { Window } from '../state/store.js';
import { isTimeBasedWindows, SessionWindows, SlidingWindows, type Windows } from './windows.js';

type AnySupplier = ProcessorSupplier<unknown, unknown, unknown, unknown>;

export class KGroupedStream<K, V> {
  /** @internal What the aggregations build on (not for applications). */
  readonly grouped: { readonly stream: StreamState<K, V>; readonly repartitionName: string | undefined };

  /** @internal */
  constructor(grouped: { readonly stream: StreamState<K, V>; readonly repartitionName: string | undefined }) {
    this.grouped = grouped;
  }

  count(materialized?: MaterializedOptions<K, number> & NamedOptions): KTable<K, number> {
    return this.build<number>('KSTREAM-AGGREGATE-', () => 0, (_k, _v, agg) => agg + 1, {
      ...materialized,
      valueSerde: materialized?.valueSerde ?? Serdes.long(),
    });
  }

  reduce(reducer: (aggregate: V, value: V) => V, materialized?: MaterializedOptions<K, V> & NamedOptions): KTable<K, V> {
    return this.build<V>('KSTREAM-REDUCE-', undefined, (_k, v, agg) => reducer(agg, v), {
      ...materialized,
      valueSerde: materialized?.valueSerde ?? this.grouped.stream.valueSerde,
    });
  }

  aggregate<A>(
    initializer: () => A,
    aggregator: (key: K, value: V, aggregate: A) => A,
    materialized?: MaterializedOptions<K, A> & NamedOptions,
  ): KTable<K, A> {
    return this.build<A>('KSTREAM-AGGREGATE-', initializer, aggregator, materialized);
  }

  /**
   * Windowed aggregation: by time (`TimeWindows`, `SlidingWindows` or a custom `Windows` subclass) or by session
   * (`SessionWindows`).
   */
  windowedBy(windows: Windows<Window> | SlidingWindows): TimeWindowedKStream<K, V>;
  windowedBy(windows: SessionWindows): SessionWindowedKStream<K, V>;
  windowedBy(windows: Windows<Window> | SlidingWindows | SessionWindows): TimeWindowedKStream<K, V> | SessionWindowedKStream<K, V> {
    if (windows instanceof SessionWindows) return new SessionWindowedKStream<K, V>(this.grouped, windows);
    if (windows instanceof SlidingWindows || isTimeBasedWindows(windows)) return new TimeWindowedKStream<K, V>(this.grouped, windows);
    throw new TypeError(
      `windowedBy() takes TimeWindows, SlidingWindows, SessionWindows or a subclass of Windows (windowsFor, size, gracePeriodMs); got ${describeValue(windows)}`,
    );
  }

  private build<A>(
    prefix: string,
    initializer: (() => A) | undefined,
    aggregator: (key: K, value: V, aggregate: A) => A,
    materialized: (MaterializedOptions<K, A> & NamedOptions) | undefined,
  ): KTable<K, A> {
    const { ctx } = this.grouped.stream;
    const { name, storeName, keySerde, sendOldValues, sourceNodes } = addAggregationNodes(
      this.grouped,
      prefix,
      materialized,
      (store, keys) => keyValueStoreBuilderFor(store, materialized, serdeOrFallback(keys), serdeOrFallback(materialized?.valueSerde)),
      (store, sendOld) =>
        streamAggregateProcessor<K, V, A>({ storeName: store, ...(initializer ? { initializer } : {}), aggregator, sendOldValues: sendOld }) as AnySupplier,
    );
    return new KTable<K, A>({
      ctx,
      name,
      keySerde,
      valueSerde: materialized?.valueSerde,
      storeName,
      queryable: materializedStoreName(materialized) !== undefined,
      valueGetter: storeValueGetter<K, A>(storeName),
      sendOldValues,
      enableParentOldValues: undefined,
      sourceNodes,
    });
  }
}

function describeValue(value: unknown): string {
  if (value === null || typeof value !== 'object') return String(value);
  return value.constructor?.name ?? 'an object';
}
