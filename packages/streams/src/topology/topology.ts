/**
 * The public `Topology`: what `StreamsBuilder.build()` returns and what Processor API users assemble by hand.
 * It wraps the builder; the runtime and the test driver read its physical form.
 */
import type { ProcessorSupplier } from '../api/processor.js';
import type { StateStore, StoreBuilder } from '../state/store.js';
import { TopologyDescription } from './description.js';
import type { PhysicalTopology, TopicNameExtractor } from './physical.js';
import { TopologyBuilder, type SinkOptions, type SourceOptions } from './topology-builder.js';

export class Topology {
  /** @internal The builder behind this topology; the DSL compiler writes into it. */
  readonly builder: TopologyBuilder;
  private built: PhysicalTopology | undefined;

  /** An empty topology, for the Processor API (`addSource`, `addProcessor`, `addSink`, ...). */
  constructor();
  /** @internal The DSL hands over the builder it compiled into. */
  constructor(builder: TopologyBuilder);
  constructor(builder: TopologyBuilder = new TopologyBuilder()) {
    this.builder = builder;
  }

  addSource(name: string, topics: string | ReadonlyArray<string> | RegExp, options: SourceOptions = {}): this {
    this.mutate();
    this.builder.addSource(name, typeof topics === 'string' ? [topics] : topics, options);
    return this;
  }

  addProcessor<KIn, VIn, KOut, VOut>(
    name: string,
    supplier: ProcessorSupplier<KIn, VIn, KOut, VOut>,
    ...parentNames: string[]
  ): this {
    this.mutate();
    this.builder.addProcessor(name, supplier as unknown as ProcessorSupplier, ...parentNames);
    return this;
  }

  addSink(
    name: string,
    topic: string | TopicNameExtractor,
    parentNames: string | ReadonlyArray<string>,
    options: SinkOptions = {},
  ): this {
    this.mutate();
    const parents = typeof parentNames === 'string' ? [parentNames] : [...parentNames];
    this.builder.addSink(name, topic, options, ...parents);
    return this;
  }

  addStateStore<S extends StateStore>(storeBuilder: StoreBuilder<S>, ...processorNames: string[]): this {
    this.mutate();
    this.builder.addStateStore(storeBuilder as unknown as StoreBuilder<StateStore>, ...processorNames);
    return this;
  }

  /**
   * A global store fed by a user processor (Kafka's `Topology.addGlobalStore`). Either Kafka's full form with node
   * names, `(storeBuilder, sourceName, { keySerde, valueSerde }, topic, processorName, supplier)`, or the short form
   * of `StreamsBuilder.addGlobalStore`, `(storeBuilder, topic, { keySerde, valueSerde }, supplier)`, which names the
   * nodes after the store.
   */
  addGlobalStore<K, V, S extends StateStore>(
    storeBuilder: StoreBuilder<S>,
    sourceName: string,
    options: SourceOptions,
    topic: string,
    processorName: string,
    stateUpdateSupplier: ProcessorSupplier<K, V, void, void>,
  ): this;
  addGlobalStore<K, V, S extends StateStore>(
    storeBuilder: StoreBuilder<S>,
    topic: string,
    options: SourceOptions,
    stateUpdateSupplier: ProcessorSupplier<K, V, void, void>,
  ): this;
  addGlobalStore<S extends StateStore>(storeBuilder: StoreBuilder<S>, ...args: unknown[]): this {
    this.mutate();
    const full = args.length >= 5;
    const sourceName = full ? (args[0] as string) : `${storeBuilder.name}-global-source`;
    const options = args[1] as SourceOptions | undefined;
    const topic = full ? (args[2] as string) : (args[0] as string);
    const processorName = full ? (args[3] as string) : `${storeBuilder.name}-global-processor`;
    const supplier = (full ? args[4] : args[2]) as ProcessorSupplier;
    if (typeof topic !== 'string' || typeof supplier !== 'function') {
      throw new TypeError('addGlobalStore(storeBuilder, sourceName, options, topic, processorName, supplier) or addGlobalStore(storeBuilder, topic, options, supplier)');
    }
    this.builder.addGlobalStore(storeBuilder as unknown as StoreBuilder<StateStore>, sourceName, topic, options ?? {}, processorName, supplier);
    return this;
  }

  connectProcessorAndStateStores(processorName: string, ...storeNames: string[]): this {
    this.mutate();
    for (const store of storeNames) this.builder.connectProcessorAndStore(processorName, store);
    return this;
  }

  describe(): TopologyDescription {
    return TopologyDescription.of(this.physical());
  }

  /** @internal The compiled form that tasks are made from. */
  physical(): PhysicalTopology {
    this.built ??= this.builder.build();
    return this.built;
  }

  private mutate(): void {
    this.built = undefined;
  }
}
