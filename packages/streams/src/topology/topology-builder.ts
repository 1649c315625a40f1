/**
 * Collects sources, processors, sinks and stores (from the DSL compiler or from users of the Processor API) and
 * turns them into a `PhysicalTopology`: nodes grouped into sub-topologies the way Kafka Streams groups them, so task
 * ids, internal topic names and `describe()` match what a Kafka Streams user expects.
 */
import type { ProcessorSupplier } from '../api/processor.js';
import type { TimestampExtractor } from '../api/record.js';
import type { Serde } from '../serde/serde.js';
import type { StateStore, StoreBuilder } from '../state/store.js';
import type {
  GlobalStoreSpec,
  InternalTopicSpec,
  NodeSpec,
  PhysicalTopology,
  SinkNodeSpec,
  SourceNodeSpec,
  StoreSpec,
  StreamPartitioner,
  SubtopologySpec,
  TopicNameExtractor,
} from './physical.js';

export class TopologyError extends Error {
  override readonly name = 'TopologyError';
}

export interface SourceOptions {
  readonly keySerde?: Serde<unknown> | undefined;
  readonly valueSerde?: Serde<unknown> | undefined;
  readonly timestampExtractor?: TimestampExtractor | undefined;
  readonly offsetReset?: 'earliest' | 'latest' | undefined;
}

export interface SinkOptions {
  readonly keySerde?: Serde<unknown> | undefined;
  readonly valueSerde?: Serde<unknown> | undefined;
  readonly partitioner?: StreamPartitioner | undefined;
}

interface MutableNode {
  spec: NodeSpec;
  children: string[];
  parents: string[];
  stores: Set<string>;
}

export class TopologyBuilder {
  private readonly nodes = new Map<string, MutableNode>();
  private readonly stores = new Map<string, { builder: StoreBuilder<StateStore>; changelogOverride?: string }>();
  private readonly globalStores: GlobalStoreSpec[] = [];
  private readonly globalSourceNames = new Set<string>();
  private readonly internalTopics = new Map<string, InternalTopicSpec>();
  private readonly copartitionGroups: string[][] = [];
  private readonly sourceTopicOwners = new Map<string, string>();

  addSource(name: string, topics: ReadonlyArray<string> | RegExp, options: SourceOptions = {}): this {
    this.checkNewName(name);
    const isPattern = topics instanceof RegExp;
    if (!isPattern) {
      if (topics.length === 0) throw new TopologyError(`Source "${name}" needs at least one topic`);
      for (const topic of topics) {
        const owner = this.sourceTopicOwners.get(topic);
        if (owner !== undefined) {
          throw new TopologyError(`Topic "${topic}" is already read by source "${owner}"; a topic can be a source only once`);
        }
        this.sourceTopicOwners.set(topic, name);
      }
    }
    const spec: SourceNodeSpec = {
      kind: 'source',
      name,
      topics: isPattern ? [] : [...topics],
      ...(isPattern ? { pattern: topics } : {}),
      ...(options.keySerde ? { keySerde: options.keySerde } : {}),
      ...(options.valueSerde ? { valueSerde: options.valueSerde } : {}),
      ...(options.timestampExtractor ? { timestampExtractor: options.timestampExtractor } : {}),
      ...(options.offsetReset ? { offsetReset: options.offsetReset } : {}),
      children: [],
    };
    this.nodes.set(name, { spec, children: [], parents: [], stores: new Set() });
    return this;
  }

  addProcessor(name: string, supplier: ProcessorSupplier<unknown, unknown, unknown, unknown>, ...parentNames: string[]): this {
    this.checkNewName(name);
    if (parentNames.length === 0) throw new TopologyError(`Processor "${name}" needs at least one parent`);
    this.nodes.set(name, {
      spec: { kind: 'processor', name, supplier, stores: [], children: [] },
      children: [],
      parents: [],
      stores: new Set(),
    });
    for (const parent of parentNames) this.connect(parent, name);
    return this;
  }

  addSink(name: string, topic: string | TopicNameExtractor, options: SinkOptions, ...parentNames: string[]): this {
    this.checkNewName(name);
    if (parentNames.length === 0) throw new TopologyError(`Sink "${name}" needs at least one parent`);
    const spec: SinkNodeSpec = {
      kind: 'sink',
      name,
      topic,
      ...(options.keySerde ? { keySerde: options.keySerde } : {}),
      ...(options.valueSerde ? { valueSerde: options.valueSerde } : {}),
      ...(options.partitioner ? { partitioner: options.partitioner } : {}),
    };
    this.nodes.set(name, { spec, children: [], parents: [], stores: new Set() });
    for (const parent of parentNames) this.connect(parent, name);
    return this;
  }

  /** Adds a store and connects it to the named processors (more can be connected later). */
  addStateStore(builder: StoreBuilder<StateStore>, ...processorNames: string[]): this {
    if (this.stores.has(builder.name)) throw new TopologyError(`State store "${builder.name}" is already added`);
    this.stores.set(builder.name, { builder });
    for (const processor of processorNames) this.connectProcessorAndStore(processor, builder.name);
    return this;
  }

  hasStore(name: string): boolean {
    return this.stores.has(name);
  }

  connectProcessorAndStore(processorName: string, storeName: string): this {
    const node = this.nodes.get(processorName);
    if (!node || node.spec.kind !== 'processor') throw new TopologyError(`"${processorName}" is not a processor`);
    if (!this.stores.has(storeName) && !this.globalStores.some((g) => g.storeName === storeName)) {
      throw new TopologyError(`State store "${storeName}" is not added (processor "${processorName}")`);
    }
    node.stores.add(storeName);
    return this;
  }

  /**
   * A global store: a source over all partitions of `topic` and a processor that writes the store. Its records are
   * not logged: the topic itself is the changelog.
   */
  addGlobalStore(
    builder: StoreBuilder<StateStore>,
    sourceName: string,
    topic: string,
    options: SourceOptions,
    processorName: string,
    supplier: ProcessorSupplier<unknown, unknown, unknown, unknown>,
  ): this {
    this.checkNewName(sourceName);
    this.checkNewName(processorName);
    if (this.stores.has(builder.name) || this.globalStores.some((g) => g.storeName === builder.name)) {
      throw new TopologyError(`State store "${builder.name}" is already added`);
    }
    this.globalSourceNames.add(sourceName);
    this.globalStores.push({
      storeName: builder.name,
      sourceName,
      topic,
      ...(options.keySerde ? { keySerde: options.keySerde } : {}),
      ...(options.valueSerde ? { valueSerde: options.valueSerde } : {}),
      processorName,
      supplier,
    });
    this.stores.set(builder.name, { builder: builder.withLoggingDisabled() });
    return this;
  }

  isGlobalStore(storeName: string): boolean {
    return this.globalStores.some((g) => g.storeName === storeName);
  }

  addInternalTopic(spec: InternalTopicSpec): this {
    this.internalTopics.set(spec.name, spec);
    return this;
  }

  /** Source topics whose partition counts must match (joins). */
  copartition(topics: ReadonlyArray<string>): this {
    this.copartitionGroups.push([...topics]);
    return this;
  }

  build(): PhysicalTopology {
    const groups = this.groupNodes();
    const subtopologies: SubtopologySpec[] = [];
    const nodeSpecs = new Map<string, NodeSpec>();
    for (const node of this.nodes.values()) nodeSpecs.set(node.spec.name, this.freeze(node));

    let id = 0;
    const globalIds = new Map<string, number>();
    for (const group of groups) {
      if (group.global) {
        globalIds.set(group.members[0] ?? '', id++);
        continue;
      }
      const members = group.members;
      const sourceTopics: string[] = [];
      let sourcePattern: RegExp | undefined;
      const stores = new Set<string>();
      for (const name of members) {
        const node = this.nodes.get(name);
        if (!node) continue;
        if (node.spec.kind === 'source') {
          sourceTopics.push(...node.spec.topics);
          if (node.spec.pattern) sourcePattern = node.spec.pattern;
        }
        for (const s of node.stores) if (!this.isGlobalStore(s)) stores.add(s);
      }
      const copartitionGroups = this.copartitionGroups.filter((g) => g.some((t) => sourceTopics.includes(t)));
      subtopologies.push({
        id: id++,
        nodes: members,
        sourceTopics,
        ...(sourcePattern ? { sourcePattern } : {}),
        stores: [...stores],
        copartitionGroups,
      });
    }

    const stores = new Map<string, StoreSpec>();
    const internalTopics = new Map(this.internalTopics);
    for (const [name, entry] of this.stores) {
      const global = this.isGlobalStore(name);
      const changelog = !global && entry.builder.loggingEnabled ? `${name}-changelog` : undefined;
      stores.set(name, { builder: entry.builder, ...(changelog ? { changelogTopic: changelog } : {}) });
      if (changelog) {
        internalTopics.set(changelog, {
          name: changelog,
          type: 'changelog',
          config: { 'cleanup.policy': 'compact', ...entry.builder.logConfig },
          ...(entry.builder.changelogRetention ? { retention: entry.builder.changelogRetention } : {}),
        });
      }
    }
    return {
      nodes: nodeSpecs,
      subtopologies,
      stores,
      globalStores: [...this.globalStores],
      internalTopics,
      globalSubtopologyIds: globalIds,
    };
  }

  private freeze(node: MutableNode): NodeSpec {
    switch (node.spec.kind) {
      case 'source':
        return { ...node.spec, children: [...node.children] };
      case 'processor':
        return { ...node.spec, stores: [...node.stores], children: [...node.children] };
      case 'sink':
        return node.spec;
    }
  }

  /**
   * Kafka Streams' node groups: connected components over parent/child links and shared stores, numbered in the
   * sorted order of their source node names (global-store groups take ids from the same counter).
   */
  private groupNodes(): Array<{ members: string[]; global: boolean }> {
    const parent = new Map<string, string>();
    const find = (x: string): string => {
      let root = x;
      while (parent.get(root) !== root) root = parent.get(root) ?? root;
      let cur = x;
      while (cur !== root) {
        const next = parent.get(cur) ?? root;
        parent.set(cur, root);
        cur = next;
      }
      return root;
    };
    const union = (a: string, b: string): void => {
      const ra = find(a);
      const rb = find(b);
      if (ra !== rb) parent.set(ra, rb);
    };
    for (const name of this.nodes.keys()) parent.set(name, name);
    for (const node of this.nodes.values()) for (const child of node.children) union(node.spec.name, child);
    const storeUsers = new Map<string, string>();
    for (const node of this.nodes.values()) {
      for (const store of node.stores) {
        if (this.isGlobalStore(store)) continue;
        const first = storeUsers.get(store);
        if (first === undefined) storeUsers.set(store, node.spec.name);
        else union(first, node.spec.name);
      }
    }
    const order = [...this.nodes.keys()];
    const sources = [...order.filter((n) => this.nodes.get(n)?.spec.kind === 'source'), ...this.globalSourceNames].sort();
    const groups: Array<{ members: string[]; global: boolean }> = [];
    const seen = new Set<string>();
    for (const source of sources) {
      if (this.globalSourceNames.has(source)) {
        groups.push({ members: [source], global: true });
        continue;
      }
      const root = find(source);
      if (seen.has(root)) continue;
      seen.add(root);
      groups.push({ members: order.filter((n) => find(n) === root), global: false });
    }
    return groups;
  }

  private connect(parentName: string, childName: string): void {
    const parentNode = this.nodes.get(parentName);
    const child = this.nodes.get(childName);
    if (!parentNode) throw new TopologyError(`Parent "${parentName}" of "${childName}" does not exist`);
    if (!child) throw new TopologyError(`"${childName}" does not exist`);
    if (parentNode.spec.kind === 'sink') throw new TopologyError(`Sink "${parentName}" cannot have children`);
    parentNode.children.push(childName);
    child.parents.push(parentName);
  }

  private checkNewName(name: string): void {
    if (!name) throw new TopologyError('Node names must not be empty');
    if (this.nodes.has(name) || this.globalSourceNames.has(name) || this.globalStores.some((g) => g.processorName === name)) throw new TopologyError(`A node named "${name}" already exists`);
  }
}
