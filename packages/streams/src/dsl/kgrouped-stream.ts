/**
 * `KGroupedStream<K, V>`: a stream grouped by key, ready to aggregate. The repartition topic (when the key was
 * changed upstream) is created here, lazily, named after the store or the user's grouping name.
 */
import type { ProcessorSupplier } from '../api/processor.js';
import { Serdes } from '../serde/serdes.js';
import type { Serde } from '../serde/serde.js';
import { streamAggregateProcessor } from '../processor/stream-aggregate.js';
import { storeValueGetter } from '../processor/value-getter.js';
import { serdeOrFallback } from './dsl-context.js';
import type { StreamState } from './kstream.js';
import { KTable } from './ktable.js';
import { keyValueStoreBuilderFor } from './materialize.js';
import type { MaterializedOptions, NamedOptions } from './options.js';
import { SessionWindowedKStream } from './session-windowed-kstream.js';
import { TimeWindowedKStream } from './time-windowed-kstream.js';
import { SessionWindows, type SlidingWindows, type TimeWindows } from './windows.js';

type AnySupplier = ProcessorSupplier<unknown, unknown, unknown, unknown>;

export class KGroupedStream<K, V> {
  /** @internal */
  constructor(readonly grouped: { readonly stream: StreamState<K, V>; readonly repartitionName: string | undefined }) {}

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

  /** Windowed aggregation: by time (tumbling, hopping, sliding) or by session. */
  windowedBy(windows: TimeWindows | SlidingWindows): TimeWindowedKStream<K, V>;
  windowedBy(windows: SessionWindows): SessionWindowedKStream<K, V>;
  windowedBy(windows: TimeWindows | SlidingWindows | SessionWindows): TimeWindowedKStream<K, V> | SessionWindowedKStream<K, V> {
    if (windows instanceof SessionWindows) return new SessionWindowedKStream<K, V>(this.grouped, windows);
    return new TimeWindowedKStream<K, V>(this.grouped, windows);
  }

  private build<A>(
    prefix: string,
    initializer: (() => A) | undefined,
    aggregator: (key: K, value: V, aggregate: A) => A,
    materialized: (MaterializedOptions<K, A> & NamedOptions) | undefined,
  ): KTable<K, A> {
    const { stream, repartitionName } = this.grouped;
    const { ctx } = stream;
    // Kafka Streams generates the store name before the processor name, so the counter order matches its output.
    const storeName = materialized?.storeName ?? ctx.graph.newStoreName(prefix);
    const name = materialized?.name ?? ctx.graph.newProcessorName(prefix);
    const keySerde = materialized?.keySerde ?? stream.keySerde;
    let input: { name: string; sourceNodes: ReadonlyArray<string> } = stream;
    if (stream.repartitionRequired) {
      const node = ctx.repartition(stream.name, repartitionName ?? storeName, {
        keySerde: keySerde as Serde<unknown> | undefined,
        valueSerde: stream.valueSerde as Serde<unknown> | undefined,
        userNamed: repartitionName !== undefined,
      });
      input = { name: node.sourceName, sourceNodes: [node.sourceName] };
    }
    ctx.graph.add({
      kind: 'state-store',
      builder: keyValueStoreBuilderFor(storeName, materialized, serdeOrFallback(keySerde), serdeOrFallback(materialized?.valueSerde)),
    });
    const sendOld = { value: false };
    ctx.graph.add({
      kind: 'processor',
      name,
      parents: [input.name],
      supplier: streamAggregateProcessor<K, V, A>({
        storeName,
        ...(initializer ? { initializer } : {}),
        aggregator,
        sendOldValues: () => sendOld.value,
      }) as AnySupplier,
      stores: [storeName],
    });
    return new KTable<K, A>({
      ctx,
      name,
      keySerde,
      valueSerde: materialized?.valueSerde,
      storeName,
      queryable: materialized?.storeName !== undefined,
      valueGetter: storeValueGetter<K, A>(storeName),
      sendOldValues: sendOld,
      enableParentOldValues: undefined,
      sourceNodes: input.sourceNodes,
    });
  }
}
