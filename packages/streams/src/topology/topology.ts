/**
 * The public `Topology`: what `StreamsBuilder.build()` returns and what Processor API users assemble by hand.
 * It wraps the builder; the runtime and the test driver read its physical form.
 */
import type { ProcessorSupplier } from '../api/processor.js';
import type { StateStore, StoreBuilder, StoreType } from '../state/store.js';
import { TopologyDescription } from './description.js';
import type { PhysicalTopology, TopicNameExtractor } from './physical.js';
import { TopologyBuilder, type SinkOptions, type SourceOptions } from './topology-builder.js';

/** A state store of a topology (see `Topology.stores()`). */
export interface TopologyStoreInfo {
  readonly name: string;
  readonly kind: StoreType;
  /** The changelog topic without the application id prefix; undefined when the store is not logged. */
  readonly changelogTopic: string | undefined;
  readonly global: boolean;
}

/** A sink of a topology (see `Topology.sinkTopics()`). */
export interface TopologySinkInfo {
  readonly sink: string;
  /** The topic (un-prefixed when internal); undefined when chosen per record. */
  readonly topic: string | undefined;
  /** A topic the application owns (a repartition topic), named after its application id at run time. */
  readonly internal: boolean;
}

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

  /**
   * The state stores of this topology with their kind, changelog topic (un-prefixed, as `describe()` shows
   * internal topics) and whether they are global — what `describe()` does not say, for tools that list or browse
   * stores.
   */
  stores(): ReadonlyArray<TopologyStoreInfo> {
    const physical = this.physical();
    const globals = new Set(physical.globalStores.map((g) => g.storeName));
    return [...physical.stores].map(([name, spec]) => ({ name, kind: spec.builder.type, changelogTopic: spec.changelogTopic, global: globals.has(name) }));
  }

  /**
   * What this topology's sinks write to: the topic (un-prefixed when internal), or `undefined` for a sink whose
   * topic a `TopicNameExtractor` chooses per record.
   */
  sinkTopics(): ReadonlyArray<TopologySinkInfo> {
    const physical = this.physical();
    const out: TopologySinkInfo[] = [];
    for (const node of physical.nodes.values()) {
      if (node.kind !== 'sink') continue;
      const topic = typeof node.topic === 'string' ? node.topic : undefined;
      out.push({ sink: node.name, topic, internal: topic !== undefined && physical.internalTopics.has(topic) });
    }
    return out;
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
