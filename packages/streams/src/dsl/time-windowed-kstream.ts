/**
 * `TimeWindowedKStream<K, V>`: a grouped stream windowed by `TimeWindows` (tumbling or hopping) or
 * `SlidingWindows`. `count`, `reduce` and `aggregate` return a KTable keyed by `Windowed<K>` whose key serde is
 * `WindowedSerdes.timeWindowed(keySerde, size)`, so `toStream().to(topic)` needs no serde from the user.
 */
import type { ProcessorSupplier } from '../api/processor.js';
import { Serdes } from '../serde/serdes.js';
import type { Serde } from '../serde/serde.js';
import { WindowedSerdes } from '../serde/windowed-serdes.js';
import type { Windowed } from '../state/store.js';
import { slidingWindowAggregateProcessor } from '../processor/windows/sliding-window-aggregate.js';
import { timeWindowAggregateProcessor } from '../processor/windows/time-window-aggregate.js';
import { windowStoreValueGetter } from '../processor/windows/window-value-getter.js';
import { serdeOrFallback } from './dsl-context.js';
import type { KTable } from './ktable.js';
import type { MaterializedOptions, NamedOptions } from './options.js';
import { buildWindowedAggregation, type GroupedStreamInput } from './windowed-aggregation.js';
import { retentionFor, timestampedWindowStoreBuilderFor } from './windowed-materialize.js';
import type { Window } from '../state/store.js';
import { EmitStrategy } from './emit-strategy.js';
import { SlidingWindows, type Windows } from './windows.js';

type AnySupplier = ProcessorSupplier<unknown, unknown, unknown, unknown>;

export class TimeWindowedKStream<K, V> {
  /** @internal */
  constructor(
    private readonly input: GroupedStreamInput<K, V>,
    readonly windows: Windows<Window> | SlidingWindows,
    private readonly emit: EmitStrategy = EmitStrategy.onWindowUpdate(),
  ) {}

  /** KIP-825: `EmitStrategy.onWindowClose()` emits each window's final result once, when it closes. */
  emitStrategy(strategy: EmitStrategy): TimeWindowedKStream<K, V> {
    return new TimeWindowedKStream<K, V>(this.input, this.windows, strategy);
  }

  count(materialized?: MaterializedOptions<K, number> & NamedOptions): KTable<Windowed<K>, number> {
    return this.build<number>('KSTREAM-AGGREGATE-', () => 0, (_k, _v, agg) => agg + 1, {
      ...materialized,
      valueSerde: materialized?.valueSerde ?? Serdes.long(),
    });
  }

  reduce(reducer: (aggregate: V, value: V) => V, materialized?: MaterializedOptions<K, V> & NamedOptions): KTable<Windowed<K>, V> {
    return this.build<V>('KSTREAM-REDUCE-', undefined, (_k, v, agg) => reducer(agg, v), {
      ...materialized,
      valueSerde: materialized?.valueSerde ?? this.input.stream.valueSerde,
    });
  }

  aggregate<A>(
    initializer: () => A,
    aggregator: (key: K, value: V, aggregate: A) => A,
    materialized?: MaterializedOptions<K, A> & NamedOptions,
  ): KTable<Windowed<K>, A> {
    return this.build<A>('KSTREAM-AGGREGATE-', initializer, aggregator, materialized);
  }

  private build<A>(
    prefix: string,
    initializer: (() => A) | undefined,
    aggregator: (key: K, value: V, aggregate: A) => A,
    materialized: (MaterializedOptions<K, A> & NamedOptions) | undefined,
  ): KTable<Windowed<K>, A> {
    const windows = this.windows;
    const init = initializer ? { initializer } : {};
    let sizeMs: number;
    let graceMs: number;
    let retentionMs: number;
    let supplier: (storeName: string, sendOldValues: () => boolean) => AnySupplier;
    if (!(windows instanceof SlidingWindows)) {
      // TimeWindows or a user's Windows subclass: both say which windows a timestamp falls in.
      sizeMs = checkedMs('size()', windows.size());
      graceMs = checkedMs('gracePeriodMs()', windows.gracePeriodMs());
      retentionMs = retentionFor(materialized, sizeMs + graceMs);
      supplier = (storeName, sendOldValues) =>
        timeWindowAggregateProcessor<K, V, A>({
          storeName,
          windowsFor: (ts) => [...windows.windowsFor(ts).values()],
          graceMs,
          sizeMs,
          emitOnWindowClose: this.emit.type === 'ON_WINDOW_CLOSE',
          ...init,
          aggregator,
          sendOldValues,
        }) as AnySupplier;
    } else {
      sizeMs = windows.timeDifferenceMs;
      graceMs = windows.graceMs;
      // A record looks back up to two differences: its left window is seeded from the window before it.
      retentionMs = retentionFor(materialized, 2 * sizeMs + windows.graceMs);
      supplier = (storeName, sendOldValues) =>
        slidingWindowAggregateProcessor<K, V, A>({
          storeName,
          timeDifferenceMs: windows.timeDifferenceMs,
          graceMs: windows.graceMs,
          // Without an initializer (`reduce`) the first value becomes the aggregate.
          initializer: initializer ?? (() => null),
          aggregator: (key, value, agg) => (agg === null ? (initializer ? aggregator(key, value, initializer()) : (value as unknown as A)) : aggregator(key, value, agg)),
          sendOldValues,
          emitOnWindowClose: this.emit.type === 'ON_WINDOW_CLOSE',
        }) as AnySupplier;
    }
    return buildWindowedAggregation<K, V, A>(this.input, prefix, materialized, {
      graceMs,
      windowedKeySerde: (inner) => WindowedSerdes.timeWindowed(serdeOrFallback(inner), sizeMs),
      storeBuilder: (storeName, keySerde) =>
        timestampedWindowStoreBuilderFor(
          storeName,
          materialized,
          retentionMs,
          sizeMs,
          serdeOrFallback(keySerde),
          serdeOrFallback(materialized?.valueSerde as Serde<A> | undefined),
        ),
      supplier,
      valueGetter: (storeName) => windowStoreValueGetter<K, A>(storeName),
    });
  }
}

/** A custom window's size or grace must be a whole, non-negative number of ms; say so at build time, not as NaN later. */
function checkedMs(what: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new TypeError(`Windows.${what} must return a non-negative integer number of ms, got ${String(value)}`);
  }
  return value;
}
