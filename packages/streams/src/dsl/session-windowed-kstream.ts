/**
 * `SessionWindowedKStream<K, V>`: a grouped stream windowed by `SessionWindows`. Results are keyed by
 * `Windowed<K>` (session start and end, both inclusive) with `WindowedSerdes.sessionWindowed(keySerde)` as the
 * default key serde; merging sessions forwards tombstones for the sessions merged away.
 */
import type { ProcessorSupplier } from '../api/processor.js';
import { Serdes } from '../serde/serdes.js';
import type { Serde } from '../serde/serde.js';
import { WindowedSerdes } from '../serde/windowed-serdes.js';
import type { Windowed } from '../state/store.js';
import { sessionWindowAggregateProcessor } from '../processor/windows/session-window-aggregate.js';
import { sessionStoreValueGetter } from '../processor/windows/window-value-getter.js';
import { serdeOrFallback } from './dsl-context.js';
import type { KTable } from './ktable.js';
import type { MaterializedOptions, NamedOptions } from './options.js';
import { buildWindowedAggregation, type GroupedStreamInput } from './windowed-aggregation.js';
import { retentionFor, sessionStoreBuilderFor } from './windowed-materialize.js';
import { EmitStrategy } from './emit-strategy.js';
import type { SessionWindows } from './windows.js';

type AnySupplier = ProcessorSupplier<unknown, unknown, unknown, unknown>;

export class SessionWindowedKStream<K, V> {
  /** @internal */
  constructor(
    private readonly input: GroupedStreamInput<K, V>,
    readonly windows: SessionWindows,
    private readonly emit: EmitStrategy = EmitStrategy.onWindowUpdate(),
  ) {}

  /** KIP-825: `EmitStrategy.onWindowClose()` emits each session once, when it closed (no merge tombstones). */
  emitStrategy(strategy: EmitStrategy): SessionWindowedKStream<K, V> {
    return new SessionWindowedKStream<K, V>(this.input, this.windows, strategy);
  }

  count(materialized?: MaterializedOptions<K, number> & NamedOptions): KTable<Windowed<K>, number> {
    return this.build<number>('KSTREAM-AGGREGATE-', () => 0, (_k, _v, agg) => agg + 1, (_k, a, b) => a + b, {
      ...materialized,
      valueSerde: materialized?.valueSerde ?? Serdes.long(),
    });
  }

  reduce(reducer: (aggregate: V, value: V) => V, materialized?: MaterializedOptions<K, V> & NamedOptions): KTable<Windowed<K>, V> {
    // As Kafka: a null initial aggregate, so the first value (or the first merged session) becomes the aggregate.
    const add = (_k: K, value: V, agg: V | null): V => (agg === null ? value : reducer(agg, value));
    return this.build<V | null>(
      'KSTREAM-REDUCE-',
      () => null,
      add,
      (k, aggOne, aggTwo) => (aggTwo === null ? aggOne : add(k, aggTwo, aggOne)),
      { ...materialized, valueSerde: materialized?.valueSerde ?? this.input.stream.valueSerde },
    ) as KTable<Windowed<K>, V>;
  }

  aggregate<A>(
    initializer: () => A,
    aggregator: (key: K, value: V, aggregate: A) => A,
    merger: (key: K, aggOne: A, aggTwo: A) => A,
    materialized?: MaterializedOptions<K, A> & NamedOptions,
  ): KTable<Windowed<K>, A> {
    return this.build<A>('KSTREAM-AGGREGATE-', initializer, aggregator, merger, materialized);
  }

  private build<A>(
    prefix: string,
    initializer: () => A,
    aggregator: (key: K, value: V, aggregate: A) => A,
    merger: (key: K, aggOne: A, aggTwo: A) => A,
    materialized: (MaterializedOptions<K, A> & NamedOptions) | undefined,
  ): KTable<Windowed<K>, A> {
    const windows = this.windows;
    const retentionMs = retentionFor(materialized, windows.inactivityGapMs + windows.graceMs);
    return buildWindowedAggregation<K, V, A>(this.input, prefix, materialized, {
      // A session can still grow until the gap has passed after its end: suppression waits for gap + grace.
      graceMs: windows.graceMs + windows.inactivityGapMs,
      windowedKeySerde: (inner) => WindowedSerdes.sessionWindowed(serdeOrFallback(inner)),
      storeBuilder: (storeName, keySerde) =>
        sessionStoreBuilderFor(storeName, materialized, retentionMs, serdeOrFallback(keySerde), serdeOrFallback(materialized?.valueSerde as Serde<A> | undefined)),
      supplier: (storeName, sendOldValues) =>
        sessionWindowAggregateProcessor<K, V, A>({
          storeName,
          inactivityGapMs: windows.inactivityGapMs,
          graceMs: windows.graceMs,
          initializer,
          aggregator,
          merger,
          sendOldValues,
          emitOnWindowClose: this.emit.type === 'ON_WINDOW_CLOSE',
        }) as AnySupplier,
      valueGetter: (storeName) => sessionStoreValueGetter<K, A>(storeName),
    });
  }
}
