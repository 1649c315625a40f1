/**
 * The processor graph of one task: a sub-topology's nodes instantiated for one partition and wired together —
 * sources to their children, processors to their contexts (forward, stores, punctuation), sinks to the collector.
 * Records run through it synchronously; what a node needs of the task that runs it is `GraphHost`.
 */
import type { Cancellable, ProcessorContext, PunctuationType } from '../api/processor.js';
import type { RecordContext, RecordMetadata, StreamRecord, TimestampExtractor } from '../api/record.js';
import { Serdes } from '../serde/serdes.js';
import type { Serde } from '../serde/serde.js';
import type { StateStore } from '../state/store.js';
import type { NodeSpec, PhysicalTopology, SinkNodeSpec, SourceNodeSpec, SubtopologySpec } from '../topology/physical.js';
import type { DroppedRecordSink } from '../processor/logger.js';
import type { ResolvedConfig } from './config.js';
import { ProcessorError, StreamsError } from './errors.js';
import type { RecordCollector } from './record-collector.js';
import type { TaskStateManager } from './task-state-manager.js';

/** One instantiated node: takes a record and passes it on (or sends it, for a sink). */
export interface NodeInstance {
  readonly name: string;
  process(record: StreamRecord<unknown, unknown>): void;
}

/** A source node with what it needs per record resolved once (serdes and extractor fall back to the config's). */
export interface SourceEntry {
  readonly spec: SourceNodeSpec;
  readonly node: NodeInstance;
  readonly keySerde: Serde<unknown>;
  readonly valueSerde: Serde<unknown>;
  readonly timestampExtractor: TimestampExtractor | undefined;
}

/** A processor instance as the task closes it. */
export interface ClosableProcessor {
  readonly name: string;
  readonly close?: () => void;
}

/** What the graph's nodes need of the task that runs them. */
export interface GraphHost {
  readonly id: string;
  /** The consumed record being processed; undefined outside one (punctuations, cache flushes). Read per record. */
  readonly recordContext: RecordContext | undefined;
  readonly currentStreamTime: number;
  readonly stateManager: TaskStateManager;
  /** A processor or sink threw on `record`: the processing exception handler decides (throws to fail). */
  processingFailed(processorName: string, error: unknown, record: StreamRecord<unknown, unknown>): void;
  recordDropped(processorName: string, reason: string): void;
  schedule(processorName: string, intervalMs: number, type: PunctuationType, punctuator: (timestamp: number) => void): Cancellable;
  requestCommit(): void;
}

export interface TaskGraphOptions {
  readonly subtopology: SubtopologySpec;
  readonly topology: PhysicalTopology;
  readonly config: ResolvedConfig;
  /** Where sinks send (the task's guarded collector). */
  readonly collector: RecordCollector;
  readonly globalStores: ReadonlyMap<string, StateStore>;
  readonly wallClock: () => number;
  /** The real name of a topic named in the topology. */
  readonly realTopic: (name: string) => string;
}

export interface TaskGraph {
  /** Sources by real topic name. */
  readonly sourcesByTopic: ReadonlyMap<string, SourceEntry>;
  /** Sources subscribed by pattern, tried in order for a topic without a direct source. */
  readonly patternSources: ReadonlyArray<SourceEntry>;
  /** Every processor, in initialisation order. */
  readonly processors: ReadonlyArray<ClosableProcessor>;
}

export const FALLBACK_SERDE: Serde<unknown> = Serdes.json<unknown>();

/** Instantiates and initialises the sub-topology's nodes; call after the task's stores are restored. */
export function buildTaskGraph(host: GraphHost, options: TaskGraphOptions): TaskGraph {
  return new GraphBuilder(host, options).build();
}

class GraphBuilder {
  private readonly nodes = new Map<string, NodeInstance>();
  private readonly processors: ClosableProcessor[] = [];

  constructor(
    private readonly host: GraphHost,
    private readonly options: TaskGraphOptions,
  ) {}

  build(): TaskGraph {
    const { topology, subtopology, config } = this.options;
    for (const name of subtopology.nodes) {
      const spec = topology.nodes.get(name);
      if (spec) this.instantiate(spec);
    }
    const sourcesByTopic = new Map<string, SourceEntry>();
    const patternSources: SourceEntry[] = [];
    for (const name of subtopology.nodes) {
      const spec = topology.nodes.get(name);
      if (spec?.kind === 'source') {
        const entry: SourceEntry = {
          spec,
          node: this.nodes.get(name) as NodeInstance,
          keySerde: spec.keySerde ?? config.defaultKeySerde ?? FALLBACK_SERDE,
          valueSerde: spec.valueSerde ?? config.defaultValueSerde ?? FALLBACK_SERDE,
          timestampExtractor: spec.timestampExtractor ?? config.defaultTimestampExtractor,
        };
        if (spec.pattern) patternSources.push(entry);
        for (const t of spec.topics) sourcesByTopic.set(this.options.realTopic(t), entry);
      }
    }
    return { sourcesByTopic, patternSources, processors: this.processors };
  }

  private instantiate(spec: NodeSpec): NodeInstance {
    const existing = this.nodes.get(spec.name);
    if (existing) return existing;
    let instance: NodeInstance;
    switch (spec.kind) {
      case 'sink':
        instance = this.sinkNode(spec);
        break;
      case 'source': {
        const children = spec.children.map((c) => this.instantiateByName(c));
        instance = {
          name: spec.name,
          process: (record) => {
            for (const child of children) child.process(record);
          },
        };
        break;
      }
      case 'processor': {
        const children = spec.children.map((c) => this.instantiateByName(c));
        const byName = new Map(children.map((c) => [c.name, c]));
        const processor = spec.supplier();
        const context = this.contextFor(spec.name, spec.stores, children, byName);
        const name = spec.name;
        const host = this.host;
        instance = {
          name,
          process: (record) => {
            try {
              processor.process(record);
            } catch (error) {
              host.processingFailed(name, error, record);
            }
          },
        };
        this.nodes.set(spec.name, instance);
        try {
          processor.init?.(context);
        } catch (error) {
          throw new ProcessorError(name, host.id, error);
        }
        this.processors.push({ name, close: processor.close ? () => processor.close?.() : undefined });
        return instance;
      }
    }
    this.nodes.set(spec.name, instance);
    return instance;
  }

  private instantiateByName(name: string): NodeInstance {
    const spec = this.options.topology.nodes.get(name);
    if (!spec) throw new StreamsError(`Unknown node "${name}"`);
    return this.instantiate(spec);
  }

  private sinkNode(spec: SinkNodeSpec): NodeInstance {
    const { config, collector } = this.options;
    const host = this.host;
    const keySerde = spec.keySerde ?? config.defaultKeySerde ?? FALLBACK_SERDE;
    const valueSerde = spec.valueSerde ?? config.defaultValueSerde ?? FALLBACK_SERDE;
    const staticTopic = typeof spec.topic === 'string' ? this.options.realTopic(spec.topic) : undefined;
    const extractor = typeof spec.topic === 'string' ? undefined : spec.topic;
    return {
      name: spec.name,
      process: (record) => {
        try {
          const topic = staticTopic ?? (extractor ? extractor(record.key, record.value, extractorContext(host.recordContext, record)) : '');
          if (!topic) throw new StreamsError('The topic name extractor returned an empty topic name');
          const key = keySerde.serialize(topic, record.key);
          const value = valueSerde.serialize(topic, record.value);
          let partition: number | undefined;
          if (spec.partitioner) {
            const count = collector.partitionsFor(topic);
            partition = spec.partitioner(topic, record.key, record.value, count ?? 1);
          }
          collector.send({ topic, partition, key, value, timestamp: record.timestamp, headers: record.headers });
        } catch (error) {
          host.processingFailed(spec.name, error, record);
        }
      },
    };
  }

  private contextFor(
    nodeName: string,
    storeNames: ReadonlyArray<string>,
    children: ReadonlyArray<NodeInstance>,
    byName: ReadonlyMap<string, NodeInstance>,
  ): ProcessorContext<unknown, unknown> & DroppedRecordSink {
    const { host, options } = this;
    const allowed = new Set(storeNames);
    return {
      recordDropped(reason: string): void {
        host.recordDropped(nodeName, reason);
      },
      applicationId: options.config.applicationId,
      taskId: host.id,
      forward(record: StreamRecord<unknown, unknown>, childName?: string): void {
        if (childName !== undefined) {
          const child = byName.get(childName);
          if (!child) throw new StreamsError(`Processor "${nodeName}" has no child named "${childName}"`);
          child.process(record);
          return;
        }
        for (const child of children) child.process(record);
      },
      getStateStore<S extends StateStore = StateStore>(name: string): S {
        const global = options.globalStores.get(name);
        if (global) return global as S;
        if (!allowed.has(name)) {
          throw new StreamsError(
            `Processor "${nodeName}" has no access to state store "${name}": connect it (addStateStore / process(..., "${name}"))`,
          );
        }
        const store = host.stateManager.store(name);
        if (!store) throw new StreamsError(`State store "${name}" is not initialised in task ${host.id}`);
        return store as S;
      },
      schedule(intervalMs: number, type: PunctuationType, punctuator: (timestamp: number) => void): Cancellable {
        return host.schedule(nodeName, intervalMs, type, punctuator);
      },
      commit(): void {
        host.requestCommit();
      },
      recordMetadata(): RecordMetadata | undefined {
        const c = host.recordContext;
        if (!c || c.topic === undefined || c.partition === undefined || c.offset === undefined) return undefined;
        return { topic: c.topic, partition: c.partition, offset: c.offset };
      },
      currentStreamTimeMs(): number {
        return host.currentStreamTime;
      },
      currentSystemTimeMs(): number {
        return options.wallClock();
      },
    };
  }
}

/** What a topic name extractor sees: the input record's position (none outside one) with this record's time and headers. */
function extractorContext(context: RecordContext | undefined, record: StreamRecord<unknown, unknown>): RecordContext {
  return {
    topic: context?.topic,
    partition: context?.partition,
    offset: context?.offset,
    timestamp: record.timestamp,
    headers: record.headers,
  };
}
