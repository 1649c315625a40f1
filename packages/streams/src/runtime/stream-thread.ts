/**
 * The processing loop of one instance (Kafka Streams' `StreamThread` + `TaskManager`): it owns the consumer,
 * the producer and the tasks, creates and restores tasks when partitions are assigned, commits and closes them when
 * partitions are revoked, and commits on an interval. `commit()` is the one place that decides what is committed:
 * stores flushed, output acknowledged (or the transaction committed), then input offsets and checkpoints.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Backend, ConsumedRecord, Consumer, Producer, TopicPartition, TopicPartitionOffset } from '../backend/port.js';
import { CommitFailedError, ProducerFencedError } from '../backend/port.js';
import type { PhysicalTopology, SubtopologySpec } from '../topology/physical.js';
import { checkpointKey, deleteCheckpoint, readCheckpoint, writeCheckpoint, type Checkpoint } from './checkpoint.js';
import type { Logger, ResolvedConfig } from './config.js';
import { StreamsError } from './errors.js';
import { GlobalStateManager } from './global-state.js';
import { InstanceMetadata } from './instance-metadata.js';
import { prepareTopics, type TopicLayout } from './internal-topics.js';
import type { RecordCollector } from './record-collector.js';
import { restoreChangelogs } from './restore.js';
import { StreamTask } from './stream-task.js';
import { StandbyTasks } from './standby-tasks.js';

export interface ThreadCallbacks {
  onRebalancing(): void;
  onRunning(): void;
  onFatal(error: unknown): void;
}

export interface ThreadStats {
  processed: number;
  commits: number;
  lastCommitMs: number;
  restoredRecords: number;
  /** Records restored so far and to restore in the restore under way (both 0 when none). */
  restoring: { done: number; total: number };
  /** Task migrations and failed transactions recovered from. */
  recoveries: number;
  /** Consumer lag per input partition (`topic-partition` → records), refreshed every few seconds. */
  lag: Map<string, number>;
  /** Records dropped per reason (late, null key, skipped by an error handler) by tasks closed so far. */
  droppedClosedTasks: Map<string, number>;
}

/** The error a processor or sink wrapped (ProcessorError keeps the original as its cause). */
function rootCause(error: unknown): unknown {
  let e = error;
  for (let i = 0; i < 5 && e instanceof Error && e.cause !== undefined && !isTaskMigrated(e); i++) e = e.cause;
  return e;
}

/** A commit failed in a way that only loses this instance's claim on its tasks: recover, do not die. */
function isTaskMigrated(error: unknown): boolean {
  return error instanceof ProducerFencedError || error instanceof CommitFailedError;
}

export class StreamThread {
  private consumer: Consumer | undefined;
  private restoreConsumer: Consumer | undefined;
  private globalConsumer: Consumer | undefined;
  private producer: Producer | undefined;
  private readonly tasks = new Map<string, StreamTask>();
  private readonly taskOfPartition = new Map<string, StreamTask>();
  private readonly changelogPositions = new Map<string, Map<string, number>>();
  private global: GlobalStateManager | undefined;
  private layout: TopicLayout | undefined;
  private running = false;
  private loop: Promise<void> | undefined;
  private lastCommit = Date.now();
  private inTransaction = false;
  private readonly eos: boolean;
  private readonly metadata: InstanceMetadata;
  private lastMetadataRefresh = 0;
  private lastLagCheck = 0;
  private recentRecoveries: number[] = [];
  readonly stats: ThreadStats = {
    processed: 0,
    commits: 0,
    lastCommitMs: 0,
    restoredRecords: 0,
    restoring: { done: 0, total: 0 },
    recoveries: 0,
    lag: new Map(),
    droppedClosedTasks: new Map(),
  };

  constructor(
    private readonly backend: Backend,
    private readonly topology: PhysicalTopology,
    private readonly config: ResolvedConfig,
    private readonly logger: Logger,
    private readonly callbacks: ThreadCallbacks,
    private readonly processId: string,
    private readonly groupInstanceId: string | undefined,
  ) {
    this.eos = config.processingGuarantee === 'exactly_once_v2';
    this.clientId = `${config.applicationId}-${processId}-StreamThread-1`;
    this.metadata = new InstanceMetadata(backend, config.applicationId, processId, config.applicationServer, logger, config.numStandbyReplicas > 0);
    this.standbys = config.numStandbyReplicas > 0 ? new StandbyTasks(backend, topology, config, logger, this.clientId) : undefined;
  }

  private readonly standbys: StandbyTasks | undefined;

  /** Tasks this instance keeps standby replicas of. */
  get standbyTaskIds(): string[] {
    return this.standbys?.taskIds ?? [];
  }

  /** Changelog records applied to standby replicas since start. */
  get standbyRecordsApplied(): number {
    return this.standbys?.applied ?? 0;
  }

  private readonly clientId: string;

  get instances(): InstanceMetadata {
    return this.metadata;
  }

  get activeTasks(): ReadonlyMap<string, StreamTask> {
    return this.tasks;
  }

  /** Records dropped per reason since start, over open and closed tasks. */
  droppedRecords(): Map<string, number> {
    const out = new Map(this.stats.droppedClosedTasks);
    for (const t of this.tasks.values()) for (const [r, n] of t.droppedRecords) out.set(r, (out.get(r) ?? 0) + n);
    return out;
  }

  private retire(task: StreamTask): void {
    for (const [r, n] of task.droppedRecords) this.stats.droppedClosedTasks.set(r, (this.stats.droppedClosedTasks.get(r) ?? 0) + n);
  }

  get globalState(): GlobalStateManager | undefined {
    return this.global;
  }

  get topicLayout(): TopicLayout | undefined {
    return this.layout;
  }

  /** Prepares topics, bootstraps global stores and subscribes; processing then runs in the background. */
  async start(): Promise<void> {
    const admin = this.backend.admin();
    try {
      this.layout = await prepareTopics(admin, this.topology, this.config.applicationId, this.config.createMissingSourceTopics);
    } finally {
      await admin.close();
    }
    const appDir = join(this.config.stateDir, this.config.applicationId);
    this.global = new GlobalStateManager(this.topology, this.config, join(appDir, 'global'), () => Date.now());
    this.global.initialize();
    await this.metadata.start();
    this.producer = await this.createProducer();
    const isolationLevel = this.eos ? 'read_committed' : 'read_uncommitted';
    this.restoreConsumer = await this.backend.createConsumer({
      clientId: `${this.clientId}-restore-consumer`,
      isolationLevel: 'read_committed',
      autoOffsetReset: 'earliest',
    });
    if (this.topology.globalStores.length > 0) {
      this.globalConsumer = await this.backend.createConsumer({
        clientId: `${this.clientId}-global-consumer`,
        isolationLevel: 'read_committed',
        autoOffsetReset: 'earliest',
      });
      await this.bootstrapGlobal();
    }
    this.consumer = await this.backend.createConsumer({
      clientId: `${this.clientId}-consumer`,
      groupId: this.config.applicationId,
      ...(this.groupInstanceId ? { groupInstanceId: this.groupInstanceId } : {}),
      isolationLevel,
      autoOffsetReset: 'earliest',
      ...(this.config.sessionTimeoutMs !== undefined ? { sessionTimeoutMs: this.config.sessionTimeoutMs } : {}),
    });
    const topics = new Set<string>();
    let pattern: RegExp | undefined;
    for (const st of this.topology.subtopologies) {
      for (const t of st.sourceTopics) topics.add(this.real(t));
      if (st.sourcePattern) pattern = st.sourcePattern;
    }
    if (pattern && topics.size > 0) {
      throw new StreamsError('A topology that subscribes to a pattern cannot also read named topics in this version');
    }
    this.callbacks.onRebalancing();
    await this.consumer.subscribe(pattern ?? [...topics], {
      onPartitionsRevoked: (partitions) => this.onRevoked(partitions),
      onPartitionsAssigned: (partitions) => this.onAssigned(partitions),
      onPartitionsLost: (partitions) => this.onLost(partitions),
    });
    this.running = true;
    this.loop = this.run();
  }

  /**
   * Exactly-once: the transactional id is stable per instance (application id + persisted process id), so a restart
   * fences the previous incarnation's open transaction; the short timeout bounds how long a crashed instance's
   * transaction can hold back read_committed readers of its partitions when nobody restarts it.
   */
  private async createProducer(): Promise<Producer> {
    const producer = await this.backend.createProducer({
      clientId: `${this.clientId}-producer`,
      ...(this.eos ? { transactionalId: `${this.config.applicationId}-${this.processId}-1`, transactionTimeoutMs: this.config.transactionTimeoutMs } : {}),
    });
    if (this.eos) await producer.initTransactions();
    return producer;
  }

  /** Stops the loop, commits and closes tasks and clients. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop?.catch(() => undefined);
    let firstError: unknown;
    const attempt = async (f: () => Promise<void> | void): Promise<void> => {
      try {
        await f();
      } catch (error) {
        firstError ??= error;
      }
    };
    if (this.consumer && this.tasks.size > 0) await attempt(() => this.commit());
    for (const task of this.tasks.values()) await attempt(() => task.close());
    this.tasks.clear();
    this.taskOfPartition.clear();
    await attempt(() => this.global?.close());
    await attempt(() => this.standbys?.close());
    await attempt(() => this.metadata.close());
    await attempt(async () => this.consumer?.close());
    await attempt(async () => this.restoreConsumer?.close());
    await attempt(async () => this.globalConsumer?.close());
    await attempt(async () => this.producer?.close());
    if (firstError) throw firstError;
  }

  private async run(): Promise<void> {
    try {
      while (this.running) {
        await this.runOnce();
      }
    } catch (error) {
      this.running = false;
      this.callbacks.onFatal(error);
    }
  }

  private async runOnce(): Promise<void> {
    const consumer = this.consumer as Consumer;
    const idle = [...this.tasks.values()].every((t) => t.buffered === 0);
    const records = await consumer.poll(this.config.maxPollRecords, idle ? 100 : 0);
    if (!this.running) {
      // A record polled after stop() began is not processed; its offset is not committed, so it is read again.
      return;
    }
    this.route(records);
    if (this.globalConsumer) {
      const globalRecords = await this.globalConsumer.poll(this.config.maxPollRecords, 0);
      for (const r of globalRecords) this.global?.process(r);
    }
    const now = Date.now();
    try {
      let processed = 0;
      for (const task of this.tasks.values()) {
        if (task.buffered > 0) await this.beginTransactionIfNeeded();
        processed += task.process(Number.MAX_SAFE_INTEGER);
      }
      this.stats.processed += processed;
      for (const task of this.tasks.values()) {
        // Open a transaction only for a punctuation that is due: an idle app must not hold one open until the
        // broker aborts it and fences the producer.
        if (!task.wallClockPunctuationDue(now)) continue;
        await this.beginTransactionIfNeeded();
        task.punctuateWallClock(now);
      }
    } catch (error) {
      // A producer fenced while sending (another instance took the tasks over) is a task migration, not a bug in
      // the topology: rebuild from committed state instead of stopping.
      const cause = rootCause(error);
      if (!isTaskMigrated(cause)) throw error;
      await this.recover(cause);
      return;
    }
    const requested = [...this.tasks.values()].some((t) => t.commitRequestedByUser);
    if (requested || now - this.lastCommit >= this.config.commitIntervalMs) {
      try {
        await this.commit();
      } catch (error) {
        await this.recover(error);
      }
      this.standbys?.checkpoint();
    }
    if (now - this.lastMetadataRefresh >= 500) {
      this.lastMetadataRefresh = now;
      await this.metadata.refresh();
      await this.placeStandbys();
    }
    await this.standbys?.poll();
    if (now - this.lastLagCheck >= 5_000) {
      this.lastLagCheck = now;
      await this.updateLag();
    }
  }

  /** Opens and closes standby replicas as the instances' announcements say they belong here. */
  private async placeStandbys(): Promise<void> {
    if (!this.standbys || !this.layout) return;
    const wanted = this.metadata
      .standbyTasksFor(this.processId, StandbyTasks.statefulTaskIds(this.topology, this.layout.tasksPerSubtopology), this.config.numStandbyReplicas)
      .filter((id) => !this.tasks.has(id));
    if (await this.standbys.sync(wanted)) await this.metadata.publish([...this.tasks.keys()], this.standbys.taskIds);
  }

  /**
   * After a fenced producer, a commit the group refused, or (exactly-once) any failed transaction: abort, drop the
   * tasks' uncommitted state, rewind to the committed offsets and rebuild the tasks from their changelogs. Under
   * exactly-once nothing of the failed transaction is visible, so processing resumes with no duplicate and no gap.
   */
  private async recover(error: unknown): Promise<void> {
    const now = Date.now();
    this.recentRecoveries = this.recentRecoveries.filter((t) => now - t < 60_000);
    if ((!isTaskMigrated(error) && !this.eos) || this.recentRecoveries.length >= 5) throw error;
    this.recentRecoveries.push(now);
    this.stats.recoveries++;
    this.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'commit failed; rebuilding tasks from committed state');
    const producer = this.producer as Producer;
    if (this.inTransaction) {
      await producer.abortTransaction().catch(() => undefined);
      this.inTransaction = false;
    }
    if (error instanceof ProducerFencedError) {
      await producer.close().catch(() => undefined);
      this.producer = await this.createProducer();
    }
    const assignment = (this.consumer as Consumer).assignment();
    this.closeTasksDirty();
    const consumer = this.consumer as Consumer;
    const committed = await consumer.committed(assignment);
    const begins = await consumer.beginningOffsets(assignment);
    for (const c of committed) {
      const begin = begins.find((b) => b.topic === c.topic && b.partition === c.partition)?.offset ?? 0;
      consumer.seek({ topic: c.topic, partition: c.partition, offset: c.offset >= 0 ? c.offset : begin });
    }
    await this.onAssigned(assignment);
  }

  /** Closes tasks without committing; under exactly-once their local state is wiped (it may hold aborted writes). */
  private closeTasksDirty(): void {
    for (const task of this.tasks.values()) {
      this.retire(task);
      try {
        task.close();
      } catch (error) {
        this.logger.warn({ task: task.id, err: String(error) }, 'error closing a task');
      }
      if (this.eos) rmSync(this.taskDir(task.id), { recursive: true, force: true });
    }
    this.tasks.clear();
    this.taskOfPartition.clear();
    this.changelogPositions.clear();
  }

  private async updateLag(): Promise<void> {
    const consumer = this.consumer as Consumer;
    const assignment = consumer.assignment();
    if (assignment.length === 0) return;
    try {
      const ends = await consumer.endOffsets(assignment);
      this.stats.lag.clear();
      for (const e of ends) {
        const pos = consumer.position({ topic: e.topic, partition: e.partition });
        this.stats.lag.set(`${e.topic}-${e.partition}`, Math.max(0, e.offset - Math.max(pos, 0)));
      }
    } catch (error) {
      this.logger.debug({ err: String(error) }, 'could not read end offsets for lag');
    }
  }

  private route(records: ReadonlyArray<ConsumedRecord>): void {
    // A poll returns runs of records of one partition: look the task up once per run, not per record.
    let lastTopic: string | undefined;
    let lastPartition = -1;
    let task: StreamTask | undefined;
    for (const r of records) {
      if (r.topic !== lastTopic || r.partition !== lastPartition) {
        lastTopic = r.topic;
        lastPartition = r.partition;
        task = this.taskOfPartition.get(`${r.topic}\u0000${r.partition}`);
      }
      if (task) task.addRecord(r);
      else this.logger.warn({ topic: r.topic, partition: r.partition }, 'record for a partition with no task; dropped');
    }
  }

  private async beginTransactionIfNeeded(): Promise<void> {
    if (this.eos && !this.inTransaction) {
      await (this.producer as Producer).beginTransaction();
      this.inTransaction = true;
    }
  }

  /** The commit unit: flush state, make output durable, then commit input offsets and write checkpoints. */
  async commit(): Promise<void> {
    const producer = this.producer as Producer;
    const consumer = this.consumer as Consumer;
    const started = Date.now();
    const tasks = [...this.tasks.values()].filter((t) => t.commitNeeded);
    // An open transaction is always finished here, even with nothing to commit (punctuation output, or nothing):
    // leaving it open would let the broker time it out and fence the producer.
    if (tasks.length === 0 && !this.inTransaction) {
      this.lastCommit = started;
      return;
    }
    if (this.eos) await this.beginTransactionIfNeeded();
    for (const task of tasks) task.flushState();
    const offsets: TopicPartitionOffset[] = tasks.flatMap((t) => t.consumedOffsets());
    let written: TopicPartitionOffset[];
    if (this.eos) {
      written = await producer.flush();
      if (offsets.length > 0) await producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
      await producer.commitTransaction();
      this.inTransaction = false;
    } else {
      written = await this.flushHandlingErrors(producer);
      if (offsets.length > 0) await consumer.commit(offsets);
    }
    const writtenByPartition = new Map(written.map((w) => [checkpointKey(w.topic, w.partition), w.offset + 1]));
    for (const task of tasks) {
      const positions = this.changelogPositions.get(task.id);
      if (positions) {
        for (const key of positions.keys()) {
          const w = writtenByPartition.get(key);
          if (w !== undefined) positions.set(key, w);
        }
        if (!this.eos) this.writeTaskCheckpoint(task, positions);
      }
      task.markCommitted();
    }
    this.global?.flush();
    this.stats.commits++;
    this.stats.lastCommitMs = Date.now() - started;
    this.lastCommit = Date.now();
  }

  /**
   * At-least-once: a record the broker rejected goes to the production exception handler. `fail` stops the app
   * before the input offsets are committed (the records are read again after a restart); `logAndContinue` gives
   * the record up, as Kafka Streams' handler does with CONTINUE.
   */
  private async flushHandlingErrors(producer: Producer): Promise<TopicPartitionOffset[]> {
    try {
      return await producer.flush();
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      const setting = this.config.productionExceptionHandler;
      const response =
        setting === 'fail'
          ? 'fail'
          : setting === 'logAndContinue'
            ? 'continue'
            : setting(err, { taskId: '', topic: undefined, partition: undefined, offset: undefined, timestamp: Date.now(), processorName: undefined });
      if (response === 'fail') throw new StreamsError(`Producing output failed: ${err.message}`, { cause: err });
      this.logger.warn({ err: err.message }, 'a produced record was rejected; continuing as the production exception handler says');
      return [];
    }
  }

  private writeTaskCheckpoint(task: StreamTask, positions: Map<string, number>): void {
    const persistentKeys = new Set(
      task.stateManager
        .changelogs()
        .filter((c) => c.persistent)
        .map((c) => checkpointKey(c.topic, c.partition)),
    );
    if (persistentKeys.size === 0) return;
    const cp: Checkpoint = new Map([...positions].filter(([k]) => persistentKeys.has(k)));
    writeCheckpoint(this.taskDir(task.id), cp);
  }

  private async onRevoked(partitions: ReadonlyArray<TopicPartition>): Promise<void> {
    this.callbacks.onRebalancing();
    if (partitions.length === 0 && this.tasks.size === 0) return;
    await this.commit();
    if (this.eos) {
      // Under exactly-once the checkpoint is written only when a task closes cleanly.
      for (const task of this.tasks.values()) {
        const positions = this.changelogPositions.get(task.id);
        if (positions) this.writeTaskCheckpoint(task, positions);
      }
    }
    for (const task of this.tasks.values()) {
      this.retire(task);
      task.close();
    }
    this.tasks.clear();
    this.taskOfPartition.clear();
    this.changelogPositions.clear();
  }

  private async onLost(partitions: ReadonlyArray<TopicPartition>): Promise<void> {
    this.logger.warn({ partitions: partitions.length }, 'partitions lost; closing tasks without committing');
    if (this.inTransaction) {
      await (this.producer as Producer).abortTransaction().catch(() => undefined);
      this.inTransaction = false;
    }
    this.closeTasksDirty();
  }

  private async onAssigned(partitions: ReadonlyArray<TopicPartition>): Promise<void> {
    const bySubtopology = new Map<string, { st: SubtopologySpec; partition: number; tps: TopicPartition[] }>();
    for (const tp of partitions) {
      const st = this.subtopologyOf(tp.topic);
      if (!st) continue;
      const id = `${st.id}_${tp.partition}`;
      let entry = bySubtopology.get(id);
      if (!entry) bySubtopology.set(id, (entry = { st, partition: tp.partition, tps: [] }));
      entry.tps.push(tp);
    }
    for (const [id, { st, partition, tps }] of bySubtopology) {
      const taskDir = this.taskDir(id);
      // A standby of this task hands its files (and checkpoint) over, so only the changelog's tail is restored.
      if (await this.standbys?.release(id)) this.logger.info({ task: id }, 'standby replica promoted to active');
      // Exactly-once deletes the checkpoint while a task runs: without one, local files may hold writes of an
      // aborted transaction, so they are rebuilt from the changelog (as Kafka Streams wipes such state).
      if (this.eos && existsSync(taskDir) && !existsSync(join(taskDir, '.checkpoint'))) rmSync(taskDir, { recursive: true, force: true });
      const task = this.createTask(id, st, partition);
      task.initializeStores();
      const changelogs = task.stateManager.changelogs();
      const result = await restoreChangelogs(this.restoreConsumer as Consumer, changelogs, readCheckpoint(taskDir), this.logger, (done, total) => {
        this.stats.restoring = { done, total };
      });
      this.stats.restoring = { done: 0, total: 0 };
      this.stats.restoredRecords += result.restoredRecords;
      // Under exactly-once a crash may leave writes in a persistent store that were never committed: drop the
      // checkpoint while processing so such a store is rebuilt from the changelog after a crash.
      // What was restored is made durable before a checkpoint says it is there.
      if (result.restoredRecords > 0) task.flushState();
      if (this.eos) deleteCheckpoint(taskDir);
      else if (changelogs.some((c) => c.persistent)) this.writeTaskCheckpoint(task, result.positions);
      this.changelogPositions.set(id, result.positions);
      task.initializeTopology();
      this.tasks.set(id, task);
      for (const tp of tps) this.taskOfPartition.set(`${tp.topic}\u0000${tp.partition}`, task);
    }
    this.logger.info({ tasks: [...this.tasks.keys()] }, 'tasks assigned');
    await this.metadata.publish([...this.tasks.keys()], this.standbys?.taskIds ?? []);
    this.callbacks.onRunning();
  }

  private createTask(id: string, st: SubtopologySpec, partition: number): StreamTask {
    const producer = this.producer as Producer;
    const layout = this.layout as TopicLayout;
    const collector: RecordCollector = {
      send: (r) => {
        producer.send({
          topic: r.topic,
          ...(r.partition !== undefined ? { partition: r.partition } : {}),
          key: r.key,
          value: r.value,
          timestamp: r.timestamp,
          headers: r.headers,
        });
      },
      partitionsFor: (topic) => layout.partitions.get(topic),
    };
    return new StreamTask({
      taskId: id,
      subtopology: st,
      partition,
      topology: this.topology,
      config: this.config,
      collector,
      globalStores: this.global?.stores ?? new Map(),
      wallClock: () => Date.now(),
      logger: this.logger,
      taskDir: this.taskDir(id),
    });
  }

  private async bootstrapGlobal(): Promise<void> {
    const consumer = this.globalConsumer as Consumer;
    const admin = this.backend.admin();
    let counts: Map<string, number>;
    try {
      counts = await admin.describeTopics(this.global?.topics ?? []);
    } finally {
      await admin.close();
    }
    const tps: TopicPartition[] = [];
    for (const [topic, n] of counts) for (let p = 0; p < n; p++) tps.push({ topic, partition: p });
    await consumer.assign(tps.map((tp) => ({ ...tp, offset: -1 })));
    const ends = await consumer.endOffsets(tps);
    const pending = new Map(ends.filter((e) => e.offset > 0).map((e) => [checkpointKey(e.topic, e.partition), e.offset]));
    while (pending.size > 0) {
      const records = await consumer.poll(10_000, 200);
      for (const r of records) this.global?.process(r);
      for (const [key, end] of pending) {
        const [topic, partition] = splitKey(key);
        if (consumer.position({ topic, partition }) >= end) pending.delete(key);
      }
    }
    this.global?.flush();
  }

  private subtopologyOf(topic: string): SubtopologySpec | undefined {
    return this.topology.subtopologies.find(
      (st) => st.sourceTopics.some((t) => this.real(t) === topic) || (st.sourcePattern?.test(topic) ?? false),
    );
  }

  private real(topic: string): string {
    return this.topology.internalTopics.has(topic) ? `${this.config.applicationId}-${topic}` : topic;
  }

  private taskDir(taskId: string): string {
    return join(this.config.stateDir, this.config.applicationId, taskId);
  }
}

function splitKey(key: string): [string, number] {
  const i = key.lastIndexOf(':');
  return [key.slice(0, i), Number(key.slice(i + 1))];
}
