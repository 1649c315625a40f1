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
