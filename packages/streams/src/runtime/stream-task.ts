/**
 * One task: a sub-topology instantiated for one partition. It owns its processor graph (task-graph.ts) and stores,
 * turns consumed bytes into typed records, runs them through the graph synchronously, and tracks what it has
 * consumed. The stream thread and the test driver both drive tasks; neither lives in here.
 */
import type { Cancellable, PunctuationType } from '../api/processor.js';
import type { Headers, RecordContext, StreamRecord } from '../api/record.js';
import type { ConsumedRecord, TopicPartitionOffset } from '../backend/port.js';
import type { StateStore } from '../state/store.js';
import type { ThreadCache } from '../state/thread-cache.js';
import type { PhysicalTopology, SubtopologySpec } from '../topology/physical.js';
import { realTopicName } from '../topology/physical.js';
import { withCacheBudget } from '../topology/cache-budget.js';
import type { Logger, ResolvedConfig } from './config.js';
import { ProcessorError, StreamsError } from './errors.js';
import { PartitionGroup } from './partition-group.js';
import { PunctuationQueue } from './punctuation-queue.js';
import type { RecordCollector } from './record-collector.js';
import { RecordFailures } from './record-failures.js';
import { buildTaskGraph, type ClosableProcessor, type GraphHost, type SourceEntry } from './task-graph.js';
import { TaskStateManager } from './task-state-manager.js';

/** The context of the record being processed; one object per task, filled in per record (it never leaves the task). */
interface MutableRecordContext {
  topic: string | undefined;
  partition: number | undefined;
  offset: number | undefined;
  timestamp: number;
  headers: Headers;
}

/** Where a consumed partition's next offset to commit is kept (updated in place per record). */
interface ConsumedPosition {
  readonly topic: string;
  readonly partition: number;
  offset: number;
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
  /** The record-cache memory of the thread running the task, shared with its other tasks. */
  readonly cache: ThreadCache;
}

export class StreamTask implements GraphHost {
  readonly id: string;
  readonly partition: number;
  readonly stateManager: TaskStateManager;
  private processors: ReadonlyArray<ClosableProcessor> = [];
  private sourcesByTopic: ReadonlyMap<string, SourceEntry> = new Map();
  private patternSources: ReadonlyArray<SourceEntry> = [];
  private readonly streamTimePunctuations = new PunctuationQueue();
  private readonly wallClockPunctuations = new PunctuationQueue();
  /** Next offset to commit per input topic and partition; entries are updated in place (this is per record). */
  private readonly consumed = new Map<string, Map<number, ConsumedPosition>>();
  /** The entry of `consumed` the last record updated: records come in runs of one partition. */
  private lastConsumed: ConsumedPosition | undefined;
  private readonly queue = new PartitionGroup();
  /**
   * Set to `currentContext` while a consumed record is processed, undefined otherwise (punctuations, cache flushes).
   * Read by the graph's nodes (GraphHost); only the task sets it.
   */
  recordContext: RecordContext | undefined;
  private readonly currentContext: MutableRecordContext = { topic: undefined, partition: undefined, offset: undefined, timestamp: 0, headers: {} };
  private currentRaw: ConsumedRecord | undefined;
  private streamTime = -1;
  private commitRequested = false;
  private processedSinceCommit = 0;
  private closed = false;
  private outputDiscarded = false;
  private readonly collector: RecordCollector;
  private readonly failures: RecordFailures;
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
      topology: withCacheBudget(options.topology, options.cache),
      storeNames: options.subtopology.stores,
      collector: this.collector,
      currentTimestamp: () => this.recordContext?.timestamp ?? this.streamTime,
      deferSync: options.config.processingGuarantee === 'exactly_once_v2',
    });
    this.failures = new RecordFailures({
      taskId: options.taskId,
      config: options.config,
      logger: options.logger,
      collector: this.collector,
      countDropped: (reason) => this.countDropped(reason),
    });
  }

  /** Creates stores (then the caller restores them) and processors. */
  initializeStores(): void {
    this.stateManager.initializeStores();
  }

  /** Instantiates and initialises processors; call after stores are restored. */
  initializeTopology(): void {
    const { topology, subtopology, config, globalStores, wallClock } = this.options;
    const graph = buildTaskGraph(this, {
      topology,
      subtopology,
      config,
      globalStores,
      wallClock,
      collector: this.collector,
      realTopic: (name) => this.realTopic(name),
    });
    this.sourcesByTopic = graph.sourcesByTopic;
    this.patternSources = graph.patternSources;
    this.processors = graph.processors;
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
        this.failures.deserializationFailed(error, spec.name, raw);
        timestamp = undefined;
      }
      if (timestamp !== undefined) {
        if (timestamp > this.streamTime) this.streamTime = timestamp;
        const context = this.currentContext;
        context.topic = raw.topic;
        context.partition = raw.partition;
        context.offset = raw.offset;
        context.timestamp = timestamp;
        context.headers = raw.headers;
        this.recordContext = context;
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
      last.offset = offset;
      return;
    }
    let partitions = this.consumed.get(topic);
    if (!partitions) this.consumed.set(topic, (partitions = new Map()));
    let entry = partitions.get(partition);
    if (entry) entry.offset = offset;
    else partitions.set(partition, (entry = { topic, partition, offset }));
    this.lastConsumed = entry;
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
    const direct = this.sourcesByTopic.get(topic);
    if (direct) return direct;
    return this.patternSources.find((s) => s.spec.pattern?.test(topic));
  }

  /** GraphHost: the processing exception handler decides about `record` (see record-failures.ts). */
  processingFailed(processorName: string, error: unknown, record: StreamRecord<unknown, unknown>): void {
    this.failures.processingFailed(processorName, error, record, this.recordContext, this.currentRaw);
  }

  /** GraphHost: a processor dropped a record (null key, late): counted per reason, logged at debug level. */
  recordDropped(processorName: string, reason: string): void {
    this.countDropped(reason);
    const c = this.recordContext;
    this.options.logger.debug({ taskId: this.id, processor: processorName, topic: c?.topic, partition: c?.partition, offset: c?.offset, reason }, 'dropped a record');
  }

  /** GraphHost: a processor's punctuation; it runs outside any record's context. */
  schedule(processorName: string, intervalMs: number, type: PunctuationType, punctuator: (timestamp: number) => void): Cancellable {
    const fire = (ts: number): void => {
      const saved = this.recordContext;
      this.recordContext = undefined;
      try {
        punctuator(ts);
      } catch (error) {
        throw error instanceof ProcessorError ? error : new ProcessorError(processorName, this.id, error);
      } finally {
        this.recordContext = saved;
      }
    };
    if (type === 'STREAM_TIME') return this.streamTimePunctuations.schedule(0, intervalMs, fire);
    if (type === 'WALL_CLOCK_TIME') return this.wallClockPunctuations.schedule(this.options.wallClock() + intervalMs, intervalMs, fire);
    throw new StreamsError(`Unknown punctuation type ${String(type)}`);
  }

  /** GraphHost: a processor asked for a commit (ProcessorContext.commit). */
  requestCommit(): void {
    this.commitRequested = true;
  }

  private countDropped(reason: string): void {
    this.droppedRecords.set(reason, (this.droppedRecords.get(reason) ?? 0) + 1);
  }

  /** The raw record being processed (for error reporting by callers). */
  get currentRecord(): ConsumedRecord | undefined {
    return this.currentRaw;
  }
}
