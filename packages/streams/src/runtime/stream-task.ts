/**
 * One task: a sub-topology instantiated for one partition. It owns fresh processor instances and stores, turns
 * consumed bytes into typed records, runs them through the processor graph synchronously, and tracks what it has
 * consumed. The stream thread and the test driver both drive tasks; neither lives in here.
 */
import type { Cancellable, ProcessorContext, PunctuationType } from '../api/processor.js';
import type { RecordContext, RecordMetadata, StreamRecord, TimestampExtractor } from '../api/record.js';
import type { ConsumedRecord, TopicPartitionOffset } from '../backend/port.js';
import { ProducerFencedError, inCauseChain } from '../backend/port.js';
import { Serdes } from '../serde/serdes.js';
import type { Serde } from '../serde/serde.js';
import type { StateStore } from '../state/store.js';
import type { NodeSpec, PhysicalTopology, SinkNodeSpec, SourceNodeSpec, SubtopologySpec } from '../topology/physical.js';
import { realTopicName } from '../topology/physical.js';
import { withCacheBudget } from '../topology/cache-budget.js';
import type { ErrorHandlerContext, ErrorHandlerSetting, Logger, ResolvedConfig } from './config.js';
import { ProcessorError, StreamsError } from './errors.js';
import { PartitionGroup } from './partition-group.js';
import { PunctuationQueue } from './punctuation-queue.js';
import type { RecordCollector } from './record-collector.js';
import { TaskStateManager } from './task-state-manager.js';
import type { DroppedRecordSink } from '../processor/logger.js';

interface NodeInstance {
  readonly name: string;
  process(record: StreamRecord<unknown, unknown>): void;
}

/** A source node with what it needs per record resolved up front. */
interface SourceEntry {
  readonly spec: SourceNodeSpec;
  readonly node: NodeInstance;
  readonly keySerde: Serde<unknown>;
  readonly valueSerde: Serde<unknown>;
  readonly timestampExtractor: TimestampExtractor | undefined;
}

export interface StreamTaskOptions {
  readonly taskId: string;
  readonly subtopology: SubtopologySpec;
  readonly partition: number;
  readonly topology: PhysicalTopology;
  readonly config: ResolvedConfig;
  readonly collector: RecordCollector;
  readonly globalStores: ReadonlyMap<string, StateStore>;
  readonly wallClock: () => number;
  readonly logger: Logger;
  /** Absent: stores live only in memory and nothing is checkpointed (the test driver). */
  readonly taskDir: string;
}

function isFencing(error: unknown): boolean {
  return inCauseChain(error, (e) => e instanceof ProducerFencedError);
}

/** Headers of dead-letter records, as Kafka Streams writes them (KIP-1034). */
export const DLQ_HEADERS = {
  exception: '__streams.errors.exception',
  message: '__streams.errors.message',
  stacktrace: '__streams.errors.stacktrace',
  topic: '__streams.errors.topic',
  partition: '__streams.errors.partition',
  offset: '__streams.errors.offset',
} as const;

const FALLBACK_SERDE: Serde<unknown> = Serdes.json<unknown>();

export class StreamTask {
  readonly id: string;
  readonly partition: number;
  readonly stateManager: TaskStateManager;
  private readonly nodes = new Map<string, NodeInstance>();
  private readonly processors: Array<{ name: string; close?: () => void }> = [];
  private readonly sourcesByTopic = new Map<string, SourceEntry>();
  private readonly patternSources: SourceEntry[] = [];
  private lastSource: { topic: string; entry: SourceEntry } | undefined;
  private readonly streamTimePunctuations = new PunctuationQueue();
  private readonly wallClockPunctuations = new PunctuationQueue();
  /** Next offset to commit per input topic and partition; entries are updated in place (this is per record). */
  private readonly consumed = new Map<string, Map<number, { offset: number }>>();
  /** The entry of `consumed` the last record updated: consecutive records of one partition skip the map lookups. */
  private lastConsumed: { topic: string; partition: number; entry: { offset: number } } | undefined;
  private readonly queue = new PartitionGroup();
  private recordContext: RecordContext | undefined;
  private currentRaw: ConsumedRecord | undefined;
  private streamTime = -1;
  private commitRequested = false;
  private processedSinceCommit = 0;
  private closed = false;
  private outputDiscarded = false;
  private readonly collector: RecordCollector;
  /** Records skipped by error handlers or dropped by processors (late, null key), per reason, for metrics. */
  readonly droppedRecords = new Map<string, number>();

  constructor(private readonly options: StreamTaskOptions) {
    // Output goes through a guard: a task closed dirty may still forward (a record cache flushing on close), and
    // none of that may reach the log — nothing of a dirty close is committed, under either guarantee.
    this.collector = {
      send: (record) => {
        if (!this.outputDiscarded) options.collector.send(record);
      },
      partitionsFor: (topic) => options.collector.partitionsFor(topic),
    };
    this.id = options.taskId;
    this.partition = options.partition;
    this.stateManager = new TaskStateManager({
      taskId: options.taskId,
      partition: options.partition,
      applicationId: options.config.applicationId,
      taskDir: options.taskDir,
      topology: withCacheBudget(options.topology, options.config.statestoreCacheMaxBytes),
      storeNames: options.subtopology.stores,
      collector: this.collector,
      currentTimestamp: () => this.recordContext?.timestamp ?? this.streamTime,
    });
  }

  /** Creates stores (then the caller restores them) and processors. */
  initializeStores(): void {
    this.stateManager.initializeStores();
  }

  /** Instantiates and initialises processors; call after stores are restored. */
  initializeTopology(): void {
    const { topology, subtopology } = this.options;
    for (const name of subtopology.nodes) {
      const spec = topology.nodes.get(name);
      if (spec) this.instantiate(spec);
    }
    for (const name of subtopology.nodes) {
      const spec = topology.nodes.get(name);
      if (spec?.kind === 'source') {
        const { config } = this.options;
        // Resolved once here rather than per record.
        const entry: SourceEntry = {
          spec,
          node: this.nodes.get(name) as NodeInstance,
          keySerde: spec.keySerde ?? config.defaultKeySerde ?? FALLBACK_SERDE,
          valueSerde: spec.valueSerde ?? config.defaultValueSerde ?? FALLBACK_SERDE,
          timestampExtractor: spec.timestampExtractor ?? config.defaultTimestampExtractor,
        };
        if (spec.pattern) this.patternSources.push(entry);
        for (const t of spec.topics) this.sourcesByTopic.set(this.realTopic(t), entry);
      }
    }
  }

  /** The real name of a topic named in the topology (internal topics get the application id prefix). */
  realTopic(name: string): string {
    return realTopicName(this.options.topology, this.options.config.applicationId, name);
  }

  addRecord(record: ConsumedRecord): void {
    this.queue.add(record);
  }

  get buffered(): number {
    return this.queue.size;
  }

  /** Processes up to `max` buffered records; returns how many were taken. */
  process(max: number): number {
    let n = 0;
    while (n < max) {
      const r = this.queue.next();
      if (!r) break;
      this.processRecord(r);
      n++;
    }
    return n;
  }

  /**
   * Processes one consumed record through the graph (the test driver calls this directly). The record counts as
   * consumed only once it was processed or an error handler chose to skip it: a record whose failure stops the app
   * is never marked, so no commit can move past it and a restart processes it again (as Kafka Streams, which closes
   * its tasks dirty on such an error).
   */
  processRecord(raw: ConsumedRecord): void {
    const source = this.sourceFor(raw.topic);
    if (!source) throw new StreamsError(`Task ${this.id} has no source for topic "${raw.topic}"`);
    const { spec, node } = source;
    this.currentRaw = raw;
    try {
      let key: unknown;
      let value: unknown;
      let timestamp: number | undefined;
      try {
        key = source.keySerde.deserialize(raw.topic, raw.key);
        value = source.valueSerde.deserialize(raw.topic, raw.value);
        const extractor = source.timestampExtractor;
        timestamp = extractor
          ? extractor({ topic: raw.topic, partition: raw.partition, offset: raw.offset, key, value, timestamp: raw.timestamp }, this.streamTime)
          : raw.timestamp;
        if (!Number.isFinite(timestamp) || timestamp < 0) {
          throw new StreamsError(`Invalid timestamp ${timestamp} for record at ${raw.topic}-${raw.partition}@${raw.offset}`);
        }
      } catch (error) {
        this.handleError('deserializationExceptionHandler', error, spec.name, raw);
        timestamp = undefined;
      }
      if (timestamp !== undefined) {
        if (timestamp > this.streamTime) this.streamTime = timestamp;
        this.recordContext = { topic: raw.topic, partition: raw.partition, offset: raw.offset, timestamp, headers: raw.headers };
        // Processing errors are handled where they happen (processingFailed); what reaches here is a failure.
        node.process({ key, value, timestamp, headers: raw.headers });
      }
    } finally {
      this.recordContext = undefined;
      this.currentRaw = undefined;
    }
    // Reached only when the record was processed or skipped by a handler (a failure above has thrown).
    this.markConsumed(raw.topic, raw.partition, raw.offset + 1);
    this.processedSinceCommit++;
    this.punctuateStreamTime();
  }

  /** Fires due stream-time punctuations. */
  punctuateStreamTime(): boolean {
    if (this.streamTime < 0) return false;
    return this.streamTimePunctuations.mayPunctuate(this.streamTime);
  }

  punctuateWallClock(now: number): boolean {
    return this.wallClockPunctuations.mayPunctuate(now);
  }

  wallClockPunctuationDue(now: number): boolean {
    return this.wallClockPunctuations.isDue(now);
  }

  get currentStreamTime(): number {
    return this.streamTime;
  }

  /** Input offsets to commit: per partition, the next offset to read. */
  consumedOffsets(): TopicPartitionOffset[] {
    const out: TopicPartitionOffset[] = [];
    for (const [topic, partitions] of this.consumed) for (const [partition, { offset }] of partitions) out.push({ topic, partition, offset });
    return out;
  }

  private markConsumed(topic: string, partition: number, offset: number): void {
    const last = this.lastConsumed;
    if (last !== undefined && last.partition === partition && last.topic === topic) {
      last.entry.offset = offset;
      return;
    }
    let partitions = this.consumed.get(topic);
    if (!partitions) this.consumed.set(topic, (partitions = new Map()));
    let entry = partitions.get(partition);
    if (entry) entry.offset = offset;
    else partitions.set(partition, (entry = { offset }));
    this.lastConsumed = { topic, partition, entry };
  }

  get commitNeeded(): boolean {
    return this.processedSinceCommit > 0 || this.commitRequested;
  }

  get commitRequestedByUser(): boolean {
    return this.commitRequested;
  }

  /** Called after a successful commit. */
  markCommitted(): void {
    this.commitRequested = false;
    this.processedSinceCommit = 0;
  }

  /** Makes every store write so far durable (caches forward their dirty entries first). */
  flushState(): void {
    this.stateManager.flush();
  }

  /** Drops buffered input (after a failed transaction the thread rewinds to committed offsets). */
  clearBuffered(): void {
    this.queue.clear();
    this.consumed.clear();
    this.lastConsumed = undefined;
  }

  /** Closes processors and stores; `dirty`: nothing they still emit is sent (see the output guard). */
  close(dirty = false): void {
    if (this.closed) return;
    this.closed = true;
    if (dirty) this.outputDiscarded = true;
    let firstError: unknown;
    for (const p of this.processors) {
      try {
        p.close?.();
      } catch (error) {
        firstError ??= new ProcessorError(p.name, this.id, error);
      }
    }
    this.stateManager.close();
    if (firstError) throw firstError;
  }

  store(name: string): StateStore | undefined {
    return this.stateManager.store(name);
  }

  private sourceFor(topic: string): SourceEntry | undefined {
    // Records come in runs of one topic (the Kafka consumer hands over one string per partition): compared by
    // identity first, the map is consulted once per run.
    if (topic === this.lastSource?.topic) return this.lastSource.entry;
    const entry = this.findSource(topic);
    if (entry) this.lastSource = { topic, entry };
    return entry;
  }

  private findSource(topic: string): SourceEntry | undefined {
    const direct = this.sourcesByTopic.get(topic);
    if (direct) return direct;
    return this.patternSources.find((s) => s.spec.pattern?.test(topic));
  }

  private handleError(
    kind: 'deserializationExceptionHandler',
    error: unknown,
    processorName: string,
    raw: ConsumedRecord,
  ): void {
    const err = error instanceof Error ? error : new Error(String(error));
    // Fencing is not the record's fault: never let a handler skip the record because of it.
    if (isFencing(err)) throw error;
    const setting: ErrorHandlerSetting = this.options.config[kind];
    const ctx: ErrorHandlerContext = {
      taskId: this.id,
      topic: raw.topic,
      partition: raw.partition,
      offset: raw.offset,
      timestamp: raw.timestamp,
      processorName,
      key: raw.key,
      value: raw.value,
      headers: raw.headers,
    };
    const response = setting === 'fail' ? 'fail' : setting === 'logAndContinue' ? 'continue' : setting(err, ctx);
    if (response === 'fail') {
      if (err instanceof ProcessorError) throw err;
      throw new StreamsError(
        `Deserialization failed in task ${this.id} for ${raw.topic}-${raw.partition}@${raw.offset}: ${err.message}`,
        { cause: err },
      );
    }
    this.skipRecord(kind, err, processorName, raw);
  }

  /**
   * A processor (or sink) threw on `record`: as Kafka's ProcessorNode, the processing exception handler decides right
   * there, with the record as that processor received it. `continue` drops the record at this node only (its parent
   * goes on with its other children, as in Kafka); `fail` throws a ProcessorError, which the nodes above pass on.
   */
  private processingFailed(processorName: string, error: unknown, record: StreamRecord<unknown, unknown>): void {
    // Decided further down, or fencing (not the record's fault: never let a handler skip the record because of it).
    if (error instanceof ProcessorError || isFencing(error)) throw error;
    const err = error instanceof Error ? error : new Error(String(error));
    const c = this.recordContext;
    const ctx: ErrorHandlerContext = {
      taskId: this.id,
      topic: c?.topic,
      partition: c?.partition,
      offset: c?.offset,
      timestamp: record.timestamp,
      processorName,
      key: record.key,
      value: record.value,
      headers: record.headers,
    };
    const setting = this.options.config.processingExceptionHandler;
    let response: unknown;
    try {
      response = setting === 'fail' ? 'fail' : setting === 'logAndContinue' ? 'continue' : setting(err, ctx);
      if (response !== 'fail' && response !== 'continue') throw new TypeError(`Invalid processing exception handler response: ${String(response)}`);
    } catch (handlerError) {
      // As Kafka: a handler that throws (or answers nonsense) is fatal, and is not asked again by the nodes above.
      throw new ProcessorError(processorName, this.id, new StreamsError('Fatal user code error in processing error callback', { cause: handlerError }));
    }
    if (response === 'fail') {
      const failure = new ProcessorError(processorName, this.id, err);
      // Where the input record came from, as Kafka's message says it ("Exception caught in process. taskId=...").
      failure.message += ` (Exception caught in process. taskId=${this.id}, processor=${processorName}, topic=${c?.topic}, partition=${c?.partition}, offset=${c?.offset})`;
      throw failure;
    }
    this.skipRecord('processingExceptionHandler', err, processorName, this.currentRaw);
  }

  /** A handler said `continue`: count and log the dropped record, and send its raw form to the dead-letter topic. */
  private skipRecord(
    kind: 'deserializationExceptionHandler' | 'processingExceptionHandler',
    err: Error,
    processorName: string,
    raw: ConsumedRecord | undefined,
  ): void {
    this.countDropped(kind === 'deserializationExceptionHandler' ? 'deserialization error' : 'processing error');
    this.options.logger.warn(
      { taskId: this.id, topic: raw?.topic, partition: raw?.partition, offset: raw?.offset, processor: processorName, err: err.message },
      kind === 'deserializationExceptionHandler' ? 'skipping a record that cannot be deserialized' : 'skipping a record whose processing failed',
    );
    const dlq = this.options.config.deadLetterQueueTopic;
    // Outside a consumed record (a punctuation, a cache flush) there are no raw bytes to write.
    if (dlq && raw) {
      const cause = err instanceof ProcessorError && err.cause instanceof Error ? err.cause : err;
      this.collector.send({
        topic: dlq,
        partition: undefined,
        key: raw.key,
        value: raw.value,
        timestamp: raw.timestamp,
        headers: {
          ...raw.headers,
          [DLQ_HEADERS.exception]: cause.name,
          [DLQ_HEADERS.message]: err.message,
          [DLQ_HEADERS.stacktrace]: cause.stack ?? '',
          [DLQ_HEADERS.topic]: raw.topic,
          [DLQ_HEADERS.partition]: String(raw.partition),
          [DLQ_HEADERS.offset]: String(raw.offset),
        },
      });
    }
  }

  private countDropped(reason: string): void {
    this.droppedRecords.set(reason, (this.droppedRecords.get(reason) ?? 0) + 1);
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
        const taskId = this.id;
        instance = {
          name,
          process: (record) => {
            try {
              processor.process(record);
            } catch (error) {
              this.processingFailed(name, error, record);
            }
          },
        };
        this.nodes.set(spec.name, instance);
        try {
          processor.init?.(context);
        } catch (error) {
          throw new ProcessorError(name, taskId, error);
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
    const { config } = this.options;
    const collector = this.collector;
    const keySerde = spec.keySerde ?? config.defaultKeySerde ?? FALLBACK_SERDE;
    const valueSerde = spec.valueSerde ?? config.defaultValueSerde ?? FALLBACK_SERDE;
    const staticTopic = typeof spec.topic === 'string' ? this.realTopic(spec.topic) : undefined;
    const extractor = typeof spec.topic === 'string' ? undefined : spec.topic;
    return {
      name: spec.name,
      process: (record) => {
        try {
          const ctx: RecordContext = this.recordContext ?? {
            topic: undefined,
            partition: undefined,
            offset: undefined,
            timestamp: record.timestamp,
            headers: record.headers,
          };
          const topic = staticTopic ?? (extractor ? extractor(record.key, record.value, { ...ctx, timestamp: record.timestamp, headers: record.headers }) : '');
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
          this.processingFailed(spec.name, error, record);
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
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the context object's methods run with their own 'this'
    const task = this;
    const allowed = new Set(storeNames);
    return {
      recordDropped(reason: string): void {
        task.countDropped(reason);
        const c = task.recordContext;
        task.options.logger.debug({ taskId: task.id, processor: nodeName, topic: c?.topic, partition: c?.partition, offset: c?.offset, reason }, 'dropped a record');
      },
      applicationId: this.options.config.applicationId,
      taskId: this.id,
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
        const global = task.options.globalStores.get(name);
        if (global) return global as S;
        if (!allowed.has(name)) {
          throw new StreamsError(
            `Processor "${nodeName}" has no access to state store "${name}": connect it (addStateStore / process(..., "${name}"))`,
          );
        }
        const store = task.stateManager.store(name);
        if (!store) throw new StreamsError(`State store "${name}" is not initialised in task ${task.id}`);
        return store as S;
      },
      schedule(intervalMs: number, type: PunctuationType, punctuator: (timestamp: number) => void): Cancellable {
        const fire = (ts: number): void => {
          const saved = task.recordContext;
          task.recordContext = undefined;
          try {
            punctuator(ts);
          } catch (error) {
            throw error instanceof ProcessorError ? error : new ProcessorError(nodeName, task.id, error);
          } finally {
            task.recordContext = saved;
          }
        };
        if (type === 'STREAM_TIME') return task.streamTimePunctuations.schedule(0, intervalMs, fire);
        if (type === 'WALL_CLOCK_TIME') {
          return task.wallClockPunctuations.schedule(task.options.wallClock() + intervalMs, intervalMs, fire);
        }
        throw new StreamsError(`Unknown punctuation type ${String(type)}`);
      },
      commit(): void {
        task.commitRequested = true;
      },
      recordMetadata(): RecordMetadata | undefined {
        const c = task.recordContext;
        if (!c || c.topic === undefined || c.partition === undefined || c.offset === undefined) return undefined;
        return { topic: c.topic, partition: c.partition, offset: c.offset };
      },
      currentStreamTimeMs(): number {
        return task.streamTime;
      },
      currentSystemTimeMs(): number {
        return task.options.wallClock();
      },
    };
  }

  /** The raw record being processed (for error reporting by callers). */
  get currentRecord(): ConsumedRecord | undefined {
    return this.currentRaw;
  }
}
