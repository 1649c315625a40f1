/**
 * `KGroupedTable<K, V>`: a re-keyed table, aggregated with an adder and a subtractor so that updates and deletes
 * of the source table correct the aggregate. It always goes through a repartition topic.
 */
import type { ProcessorSupplier } from '../api/processor.js';
import { Serdes } from '../serde/serdes.js';
import type { Serde } from '../serde/serde.js';
import { tableAggregateProcessor } from '../processor/table-aggregate.js';
import { storeValueGetter } from '../processor/value-getter.js';
import type { DslContext } from './dsl-context.js';
import { serdeOrFallback } from './dsl-context.js';
import { KTable, changeSerdeFor } from './ktable.js';
import { keyValueStoreBuilderFor, materializedStoreName } from './materialize.js';
import type { MaterializedOptions, NamedOptions } from './options.js';

type AnySupplier = ProcessorSupplier<unknown, unknown, unknown, unknown>;

export class KGroupedTable<K, V> {
  /** @internal What the aggregations build on (not for applications). */
  readonly grouped: {
    readonly ctx: DslContext;
    readonly selectName: string;
    readonly keySerde: Serde<K> | undefined;
    readonly valueSerde: Serde<V> | undefined;
    readonly repartitionName: string | undefined;
  };

  /** @internal */
  constructor(grouped: KGroupedTable<K, V>['grouped']) {
    this.grouped = grouped;
  }

  count(materialized?: MaterializedOptions<K, number> & NamedOptions): KTable<K, number> {
    return this.build<number>(
      'KTABLE-AGGREGATE-',
      () => 0,
      (_k, _v, agg) => agg + 1,
      (_k, _v, agg) => agg - 1,
      { ...materialized, valueSerde: materialized?.valueSerde ?? Serdes.long() },
    );
  }

  reduce(
    adder: (aggregate: V, value: V) => V,
    subtractor: (aggregate: V, value: V) => V,
    materialized?: MaterializedOptions<K, V> & NamedOptions,
  ): KTable<K, V> {
    return this.build<V>(
      'KTABLE-REDUCE-',
      undefined,
      (_k, v, agg) => adder(agg, v),
      (_k, v, agg) => subtractor(agg, v),
      { ...materialized, valueSerde: materialized?.valueSerde ?? this.grouped.valueSerde },
    );
  }

  aggregate<A>(
    initializer: () => A,
    adder: (key: K, value: V, aggregate: A) => A,
    subtractor: (key: K, value: V, aggregate: A) => A,
    materialized?: MaterializedOptions<K, A> & NamedOptions,
  ): KTable<K, A> {
    return this.build<A>('KTABLE-AGGREGATE-', initializer, adder, subtractor, materialized);
  }

  private build<A>(
    prefix: string,
    initializer: (() => A) | undefined,
    adder: (key: K, value: V, aggregate: A) => A,
    subtractor: (key: K, value: V, aggregate: A) => A,
    materialized: (MaterializedOptions<K, A> & NamedOptions) | undefined,
  ): KTable<K, A> {
    const { ctx, selectName, repartitionName } = this.grouped;
    const storeName = materializedStoreName(materialized) ?? ctx.graph.newStoreName(prefix);
    const name = materialized?.name ?? ctx.graph.newProcessorName(prefix);
    const keySerde = materialized?.keySerde ?? this.grouped.keySerde;
    const node = ctx.repartition(selectName, repartitionName ?? storeName, {
      keySerde: keySerde as Serde<unknown> | undefined,
      valueSerde: changeSerdeFor(this.grouped.valueSerde),
      userNamed: repartitionName !== undefined,
    });
    ctx.graph.add({
      kind: 'state-store',
      builder: keyValueStoreBuilderFor(storeName, materialized, serdeOrFallback(keySerde), serdeOrFallback(materialized?.valueSerde)),
    });
    const sendOld = { value: false };
    ctx.graph.add({
      kind: 'processor',
      name,
      parents: [node.sourceName],
      supplier: tableAggregateProcessor<K, V, A>({
        storeName,
        ...(initializer ? { initializer } : {}),
        adder,
        subtractor,
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
      queryable: materializedStoreName(materialized) !== undefined,
      valueGetter: storeValueGetter<K, A>(storeName),
      sendOldValues: sendOld,
      enableParentOldValues: undefined,
      sourceNodes: [node.sourceName],
    });
  }
}
