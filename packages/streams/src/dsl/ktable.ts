/**
 * `KTable<K, V>`: an immutable view of a changelog stream, i.e. the latest value per key. Its processors pass
 * `Change` values; old values flow only when something downstream asked (`enableSendingOldValues`).
 */
import type { ProcessorSupplier } from '../api/processor.js';
import type { Serde } from '../serde/serde.js';
import { changeSerde } from '../processor/change.js';
import { tableRegroupProcessor } from '../processor/table-regroup.js';
import {
  filterTransform,
  mapValuesTransform,
  tableToStreamProcessor,
  tableTransformProcessor,
  transformedValueGetter,
  type TableValueTransform,
} from '../processor/table-transform.js';
import type { KTableValueGetterSupplier } from '../processor/value-getter.js';
import { storeValueGetter } from '../processor/value-getter.js';
import type { DslContext } from './dsl-context.js';
import { serdeOrFallback } from './dsl-context.js';
import { KGroupedTable } from './kgrouped-table.js';
import { KStream } from './kstream.js';
import { keyValueStoreBuilderFor, materializedStoreName } from './materialize.js';
import type { GroupedOptions, MaterializedOptions, NamedOptions } from './options.js';
import { suppressTable } from './suppress-table.js';
import { buildForeignKeyJoin } from './foreign-key-join.js';
import { buildTableJoin } from './table-join.js';
import type { Suppressed } from './suppressed.js';

type AnySupplier = ProcessorSupplier<unknown, unknown, unknown, unknown>;

export interface TableState<K, V> {
  readonly ctx: DslContext;
  readonly name: string;
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V> | undefined;
  /** Store holding this table's values, if materialised. */
  readonly storeName: string | undefined;
  /** Whether the store name was given by the user (interactive queries use it). */
  readonly queryable: boolean;
  readonly valueGetter: KTableValueGetterSupplier<K, V>;
  /** Read by this table's processor at run time; set by downstream operations at build time. */
  readonly sendOldValues: { value: boolean };
  /** A derived, non-materialised table computes old values from its parent's. */
  readonly enableParentOldValues: (() => void) | undefined;
  readonly sourceNodes: ReadonlyArray<string>;
}

export class KTable<K, V> {
  /** @internal The table's place in the graph, which the DSL's operations build on (not for applications). */
  readonly state: TableState<K, V>;

  /** @internal */
  constructor(state: TableState<K, V>) {
    this.state = state;
  }

  /** The store name interactive queries use, when the table was materialised under a name. */
  get queryableStoreName(): string | undefined {
    return this.state.queryable ? this.state.storeName : undefined;
  }

  filter(predicate: (key: K, value: V) => boolean, materialized?: MaterializedOptions<K, V> & NamedOptions): KTable<K, V> {
    return this.transform('KTABLE-FILTER-', filterTransform(predicate, false), true, materialized, this.state.valueSerde);
  }

  filterNot(predicate: (key: K, value: V) => boolean, materialized?: MaterializedOptions<K, V> & NamedOptions): KTable<K, V> {
    return this.transform('KTABLE-FILTER-', filterTransform(predicate, true), true, materialized, this.state.valueSerde);
  }

  mapValues<V2>(mapper: (value: V, key: K) => V2, materialized?: MaterializedOptions<K, V2> & NamedOptions): KTable<K, V2> {
    return this.transform('KTABLE-MAPVALUES-', mapValuesTransform(mapper), false, materialized, undefined);
  }

  /** The table's changelog as a stream (deletes are records with a null value); with a mapper, re-keyed by it. */
  toStream<K2>(keyMapper: (key: K, value: V) => K2, named?: NamedOptions): KStream<K2, V>;
  toStream(named?: NamedOptions): KStream<K, V>;
  toStream<K2>(mapperOrNamed?: ((key: K, value: V) => K2) | NamedOptions, maybeNamed?: NamedOptions): KStream<K, V> | KStream<K2, V> {
    const { ctx } = this.state;
    const keyMapper = typeof mapperOrNamed === 'function' ? (mapperOrNamed as (key: K, value: V) => K2) : undefined;
    const named = typeof mapperOrNamed === 'function' ? maybeNamed : mapperOrNamed;
    // Kafka's toStream(mapper, named): the name goes to the toStream node, the key selector is a generated one.
    const name = named?.name ?? ctx.graph.newProcessorName('KTABLE-TOSTREAM-');
    ctx.graph.add({ kind: 'processor', name, parents: [this.state.name], supplier: tableToStreamProcessor<K, V>() as AnySupplier, stores: [] });
    const stream = new KStream<K, V>({
      ctx,
      name,
      keySerde: this.state.keySerde,
      valueSerde: this.state.valueSerde,
      repartitionRequired: false,
      sourceNodes: this.state.sourceNodes,
    });
    return keyMapper ? stream.selectKey<K2>(keyMapper) : stream;
  }

  /** Re-keys the table for an aggregation with adder and subtractor; always repartitions. */
  groupBy<K2, V2>(selector: (key: K, value: V) => readonly [K2, V2], options: GroupedOptions<K2, V2> = {}): KGroupedTable<K2, V2> {
    const { ctx } = this.state;
    const name = ctx.graph.newProcessorName('KTABLE-SELECT-');
    this.enableSendingOldValues();
    ctx.graph.add({ kind: 'processor', name, parents: [this.state.name], supplier: tableRegroupProcessor(selector) as AnySupplier, stores: [] });
    return new KGroupedTable<K2, V2>({
      ctx,
      selectName: name,
      keySerde: options.keySerde,
      valueSerde: options.valueSerde,
      repartitionName: options.name,
    });
  }

  /** Holds updates back: final results of windows (`untilWindowCloses`) or at most one per key per time limit. */
  suppress(suppressed: Suppressed): KTable<K, V> {
    const parent = this as KTable<K, V>;
    return new KTable<K, V>(suppressTable(this.state, suppressed, () => parent.enableSendingOldValues()));
  }

  /**
   * Table-table inner join: a row exists while both tables have the key. With a foreign-key extractor instead:
   * the foreign-key join, where each row of this table joins the other table's row whose key its value names.
   */
  join<VO, R>(other: KTable<K, VO>, joiner: (value: V, otherValue: VO, key: K) => R, materialized?: MaterializedOptions<K, R> & NamedOptions): KTable<K, R>;
  join<FK, VO, R>(
    other: KTable<FK, VO>,
    foreignKeyExtractor: (value: V) => FK,
    joiner: (value: V, otherValue: VO, key: K) => R,
    materialized?: MaterializedOptions<K, R> & NamedOptions,
  ): KTable<K, R>;
  join(...args: unknown[]): KTable<K, unknown> {
    return this.keyOrForeignKeyJoin('inner', args);
  }

  /** Table-table left join: a row exists while this table has the key; the other value may be null. Also foreign-key. */
  leftJoin<VO, R>(
    other: KTable<K, VO>,
    joiner: (value: V, otherValue: VO | null, key: K) => R,
    materialized?: MaterializedOptions<K, R> & NamedOptions,
  ): KTable<K, R>;
  leftJoin<FK, VO, R>(
    other: KTable<FK, VO>,
    foreignKeyExtractor: (value: V) => FK,
    joiner: (value: V, otherValue: VO | null, key: K) => R,
    materialized?: MaterializedOptions<K, R> & NamedOptions,
  ): KTable<K, R>;
  leftJoin(...args: unknown[]): KTable<K, unknown> {
    return this.keyOrForeignKeyJoin('left', args);
  }

  /** Table-table outer join: a row exists while either table has the key; the missing side is null. */
  outerJoin<VO, R>(
    other: KTable<K, VO>,
    joiner: (value: V | null, otherValue: VO | null, key: K) => R,
    materialized?: MaterializedOptions<K, R> & NamedOptions,
  ): KTable<K, R> {
    return new KTable(buildTableJoin(this, other, 'outer', joiner, materialized));
  }

  /** Two functions after the other table mean a foreign-key join; one means a join on the key. */
  private keyOrForeignKeyJoin(type: 'inner' | 'left', args: unknown[]): KTable<K, unknown> {
    type Materialized = (MaterializedOptions<K, unknown> & NamedOptions) | undefined;
    if (typeof args[1] === 'function' && typeof args[2] === 'function') {
      return new KTable(
        buildForeignKeyJoin(
          this,
          args[0] as KTable<unknown, unknown>,
          args[1] as (v: V) => unknown,
          args[2] as (v: V, o: unknown, k: K) => unknown,
          type === 'left',
          args[3] as Materialized,
        ),
      );
    }
    const joiner = args[1] as (v: V, o: unknown, k: K) => unknown;
    return new KTable(buildTableJoin(this, args[0] as KTable<K, unknown>, type, (l: V | null, o: unknown, k: K) => joiner(l as V, o, k), args[2] as Materialized));
  }

  /** @internal Makes this table's processor forward old values too. */
  enableSendingOldValues(): void {
    this.state.sendOldValues.value = true;
    this.state.enableParentOldValues?.();
  }

  private transform<V2>(
    prefix: string,
    transform: TableValueTransform<K, V, V2>,
    dropEmpty: boolean,
    materialized: (MaterializedOptions<K, V2> & NamedOptions) | undefined,
    valueSerde: Serde<V2> | undefined,
  ): KTable<K, V2> {
    const { ctx } = this.state;
    const name = materialized?.name ?? ctx.graph.newProcessorName(prefix);
    const storeName = materializedStoreName(materialized);
    const keySerde = materialized?.keySerde ?? this.state.keySerde;
    const outSerde = materialized?.valueSerde ?? valueSerde;
    if (storeName) {
      ctx.graph.add({
        kind: 'state-store',
        builder: keyValueStoreBuilderFor(storeName, materialized, serdeOrFallback(keySerde), serdeOrFallback(outSerde)),
      });
    }
    const sendOld = { value: false };
    const parent = this as KTable<K, V>;
    ctx.graph.add({
      kind: 'processor',
      name,
      parents: [this.state.name],
      supplier: tableTransformProcessor(transform, () => sendOld.value, dropEmpty, storeName) as unknown as AnySupplier,
      stores: storeName ? [storeName] : [],
    });
    return new KTable<K, V2>({
      ctx,
      name,
      keySerde,
      valueSerde: outSerde,
      storeName,
      queryable: storeName !== undefined,
      valueGetter: storeName ? storeValueGetter<K, V2>(storeName) : transformedValueGetter(this.state.valueGetter, transform),
      sendOldValues: sendOld,
      // Without its own store the derived table can only produce old values if its parent sends them.
      enableParentOldValues: storeName ? undefined : () => parent.enableSendingOldValues(),
      sourceNodes: this.state.sourceNodes,
    });
  }
}

/** @internal The serde a KTable groupBy repartition topic uses for its Change values. */
export function changeSerdeFor<V>(valueSerde: Serde<V> | undefined): Serde<unknown> {
  return changeSerde(serdeOrFallback(valueSerde)) as Serde<unknown>;
}
