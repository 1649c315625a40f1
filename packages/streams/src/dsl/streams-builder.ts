/**
 * `StreamsBuilder`: the entry point of the DSL. It creates streams and tables from topics, collects user stores,
 * and `build()` compiles everything into a `Topology`.
 */
import type { ProcessorSupplier } from '../api/processor.js';
import type { Serde } from '../serde/serde.js';
import type { StateStore, StoreBuilder } from '../state/store.js';
import { tableSourceProcessor } from '../processor/table-source.js';
import { storeValueGetter } from '../processor/value-getter.js';
import { compile } from '../topology/compiler.js';
import type { Topology } from '../topology/topology.js';
import { DslContext, serdeOrFallback } from './dsl-context.js';
import { GlobalKTable } from './global-ktable.js';
import { KStream } from './kstream.js';
import { KTable } from './ktable.js';
import { keyValueStoreBuilderFor, materializedStoreName } from './materialize.js';
import type { ConsumedOptions, TableOptions } from './options.js';

type AnySupplier = ProcessorSupplier<unknown, unknown, unknown, unknown>;

export class StreamsBuilder {
  private readonly ctx = new DslContext();
  private built = false;

  /** A stream of one topic, several topics, or every topic matching a pattern. */
  stream<K, V>(topics: string | ReadonlyArray<string> | RegExp, options: ConsumedOptions<K, V> = {}): KStream<K, V> {
    this.checkOpen();
    const name = options.name ?? this.ctx.graph.newProcessorName('KSTREAM-SOURCE-');
    this.ctx.graph.add({
      kind: 'source',
      name,
      topics: typeof topics === 'string' ? [topics] : topics,
      keySerde: options.keySerde as Serde<unknown> | undefined,
      valueSerde: options.valueSerde as Serde<unknown> | undefined,
      timestampExtractor: options.timestampExtractor,
      offsetReset: options.offsetReset,
    });
    return new KStream<K, V>({
      ctx: this.ctx,
      name,
      keySerde: options.keySerde,
      valueSerde: options.valueSerde,
      repartitionRequired: false,
      sourceNodes: [name],
    });
  }

  /** A table over a topic: the latest value per key, materialised in a store (changelogged, restorable). */
  table<K, V>(topic: string, options: TableOptions<K, V> = {}): KTable<K, V> {
    this.checkOpen();
    // Kafka Streams' order: store name, then the source, then the table source processor.
    const storeName = options.storeSupplier?.name ?? options.storeName ?? this.ctx.graph.newStoreName(`${topic}-`);
    const sourceName = options.name ?? this.ctx.graph.newProcessorName('KSTREAM-SOURCE-');
    const name = this.ctx.graph.newProcessorName('KTABLE-SOURCE-');
    this.ctx.graph.add({
      kind: 'source',
      name: sourceName,
      topics: [topic],
      keySerde: options.keySerde as Serde<unknown> | undefined,
      valueSerde: options.valueSerde as Serde<unknown> | undefined,
      timestampExtractor: options.timestampExtractor,
      offsetReset: options.offsetReset,
    });
    this.ctx.graph.add({
      kind: 'state-store',
      builder: keyValueStoreBuilderFor(storeName, options, serdeOrFallback(options.keySerde), serdeOrFallback(options.valueSerde), true),
    });
    const sendOld = { value: false };
    this.ctx.graph.add({
      kind: 'processor',
      name,
      parents: [sourceName],
      supplier: tableSourceProcessor<K, V>(storeName, () => sendOld.value) as AnySupplier,
      stores: [storeName],
    });
    return new KTable<K, V>({
      ctx: this.ctx,
      name,
      keySerde: options.keySerde,
      valueSerde: options.valueSerde,
      storeName,
      queryable: options.storeName !== undefined || options.storeSupplier !== undefined,
      valueGetter: storeValueGetter<K, V>(storeName),
      sendOldValues: sendOld,
      enableParentOldValues: undefined,
      sourceNodes: [sourceName],
    });
  }

  /** A table replicated on every instance (all partitions), for joins without co-partitioning. */
  globalTable<K, V>(topic: string, options: TableOptions<K, V> = {}): GlobalKTable<K, V> {
    this.checkOpen();
    const storeName = materializedStoreName(options) ?? this.ctx.graph.newStoreName(`${topic}-`);
    const sourceName = options.name ?? this.ctx.graph.newProcessorName('KSTREAM-SOURCE-');
    const processorName = this.ctx.graph.newProcessorName('KTABLE-SOURCE-');
    this.ctx.graph.add({
      kind: 'global-store',
      builder: keyValueStoreBuilderFor(storeName, { ...options, logging: false }, serdeOrFallback(options.keySerde), serdeOrFallback(options.valueSerde)),
      sourceName,
      processorName,
      topic,
      keySerde: options.keySerde as Serde<unknown> | undefined,
      valueSerde: options.valueSerde as Serde<unknown> | undefined,
      supplier: tableSourceProcessor<K, V>(storeName, () => false, false) as AnySupplier,
    });
    return new GlobalKTable<K, V>(storeName);
  }

  /** A user store for the Processor API (`process(supplier, storeName)`). */
  addStateStore<S extends StateStore>(builder: StoreBuilder<S>): this {
    this.checkOpen();
    this.ctx.graph.add({ kind: 'state-store', builder: builder as unknown as StoreBuilder<StateStore> });
    return this;
  }

  /**
   * A global store fed by the user's processor (Kafka's `StreamsBuilder.addGlobalStore`): every instance reads all
   * partitions of `topic` and hands each record to the processor, which writes the store. The topic is the store's
   * changelog, so the store is never logged; processors anywhere in the topology may read it by name.
   */
  addGlobalStore<K, V, S extends StateStore>(
    storeBuilder: StoreBuilder<S>,
    topic: string,
    consumed: ConsumedOptions<K, V>,
    stateUpdateSupplier: ProcessorSupplier<K, V, void, void>,
  ): this {
    this.checkOpen();
    // Kafka's names: the source `<name>-source` or KSTREAM-SOURCE-n, the processor `<name>` or KTABLE-SOURCE-n.
    const sourceName = consumed.name ? `${consumed.name}-source` : this.ctx.graph.newProcessorName('KSTREAM-SOURCE-');
    const processorName = consumed.name ?? this.ctx.graph.newProcessorName('KTABLE-SOURCE-');
    this.ctx.graph.add({
      kind: 'global-store',
      builder: (storeBuilder as unknown as StoreBuilder<StateStore>).withLoggingDisabled(),
      sourceName,
      processorName,
      topic,
      keySerde: consumed.keySerde as Serde<unknown> | undefined,
      valueSerde: consumed.valueSerde as Serde<unknown> | undefined,
      supplier: stateUpdateSupplier as unknown as AnySupplier,
    });
    return this;
  }

  build(): Topology {
    this.built = true;
    return compile(this.ctx.graph.nodes);
  }

  private checkOpen(): void {
    if (this.built) throw new Error('This StreamsBuilder has already been built; create a new one for another topology');
  }
}
