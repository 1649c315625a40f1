/**
 * The active tasks of one stream thread and their life cycle (Kafka Streams' `TaskManager`): creating and restoring
 * tasks for assigned partitions, routing polled records to them, running them, and closing them — clean (after a
 * commit; exactly-once then writes checkpoints) or dirty (nothing committed; exactly-once wipes their state, which
 * may hold writes of an aborted transaction).
 */
import type { ConsumedRecord, Consumer, Producer, TopicPartition } from '../backend/port.js';
import { tpKey } from '../backend/topic-partition.js';
import { ThreadCache } from '../state/thread-cache.js';
import type { PhysicalTopology, SubtopologySpec } from '../topology/physical.js';
import { realTopicName } from '../topology/physical.js';
import type { Logger, ResolvedConfig } from './config.js';
import type { GlobalStateManager } from './global-state.js';
import type { TopicLayout } from './internal-topics.js';
import type { RecordCollector } from './record-collector.js';
import { StreamTask } from './stream-task.js';
import type { StandbyTasks } from './standby-tasks.js';
import { taskDirectory, taskIdOf, wipeTaskDirectory } from './task-directory.js';
import { restoreTasks } from './task-state-manager.js';

export interface TaskManagerContext {
  readonly topology: PhysicalTopology;
  readonly config: ResolvedConfig;
  readonly logger: Logger;
  readonly exactlyOnce: boolean;
  /** The producer tasks write through (it is replaced after fencing, so it is looked up per record). */
  producer(): Producer;
  readonly restoreConsumer: Consumer;
  readonly layout: TopicLayout;
  readonly global: GlobalStateManager | undefined;
  readonly standbys: StandbyTasks | undefined;
  onRestoreProgress(done: number, total: number): void;
}

export class TaskManager {
  private readonly tasks = new Map<string, StreamTask>();
  private readonly taskOfPartition = new Map<string, StreamTask>();
  /** Records dropped per reason by tasks closed so far (open tasks count their own). */
  private readonly droppedByClosed = new Map<string, number>();
  restoredRecords = 0;
  /**
   * The record-cache memory of this thread's tasks: the app's budget split evenly over its stream threads, as Kafka
   * sizes each thread's ThreadCache.
   */
  private readonly cache: ThreadCache;

  constructor(private readonly ctx: TaskManagerContext) {
    this.cache = new ThreadCache(Math.floor(ctx.config.statestoreCacheMaxBytes / ctx.config.numStreamThreads));
  }

  get active(): ReadonlyMap<string, StreamTask> {
    return this.tasks;
  }

  get size(): number {
    return this.tasks.size;
  }

  /** Whether no task has buffered input (the loop may then wait in poll). */
  get idle(): boolean {
    for (const t of this.tasks.values()) if (t.buffered > 0) return false;
    return true;
  }

  get hasBuffered(): boolean {
    return !this.idle;
  }

  /** Whether some task processed input (or asked for a commit) since its last commit. */
  get commitNeeded(): boolean {
    for (const t of this.tasks.values()) if (t.commitNeeded) return true;
    return false;
  }

  get commitRequested(): boolean {
    for (const t of this.tasks.values()) if (t.commitRequestedByUser) return true;
    return false;
  }

  /** Creates, restores and initialises the tasks for newly assigned partitions. */
  async createTasks(partitions: ReadonlyArray<TopicPartition>): Promise<void> {
    const bySubtopology = new Map<string, { st: SubtopologySpec; partition: number; tps: TopicPartition[] }>();
    for (const tp of partitions) {
      const st = this.subtopologyOf(tp.topic);
      if (!st) continue;
      const id = taskIdOf(st.id, tp.partition);
      let entry = bySubtopology.get(id);
      if (!entry) bySubtopology.set(id, (entry = { st, partition: tp.partition, tps: [] }));
      entry.tps.push(tp);
    }
    const created: Array<{ task: StreamTask; tps: TopicPartition[] }> = [];
    try {
      for (const [id, { st, partition, tps }] of bySubtopology) {
        if (this.tasks.has(id)) continue;
        // A standby of this task hands its files (and checkpoint) over, so only the changelog's tail is restored.
        if (await this.ctx.standbys?.release(id)) this.ctx.logger.info({ task: id }, 'standby replica promoted to active');
        const task = this.createTask(id, st, partition);
        // Exactly-once keeps no checkpoint while a task runs: local files without one may hold writes of an aborted
        // transaction, so they are rebuilt from the changelog (as Kafka Streams wipes such state).
        if (this.ctx.exactlyOnce && !task.stateManager.hasCheckpoint) wipeTaskDirectory(this.ctx.config, id);
        created.push({ task, tps });
        task.initializeStores();
      }
      // One restore over every new task's changelogs (as Kafka's StoreChangelogReader): one assignment of the restore
      // consumer per rebalance, not one per task — librdkafka can abort on back-to-back assignment changes.
      this.restoredRecords += await restoreTasks(
        created.map((c) => c.task.stateManager),
        this.ctx.restoreConsumer,
        this.ctx.logger,
        (done, total) => this.ctx.onRestoreProgress(done, total),
      );
    } catch (error) {
      for (const { task } of created) task.close(true);
      throw error;
    } finally {
      this.ctx.onRestoreProgress(0, 0);
    }
    for (const { task, tps } of created) {
      if (this.ctx.exactlyOnce) task.stateManager.deleteCheckpoint();
      else task.stateManager.checkpoint();
      task.initializeTopology();
      this.tasks.set(task.id, task);
      for (const tp of tps) this.taskOfPartition.set(tpKey(tp.topic, tp.partition), task);
    }
    this.ctx.logger.info({ tasks: [...this.tasks.keys()] }, 'tasks assigned');
  }

  /** Hands polled records to their tasks. */
  route(records: ReadonlyArray<ConsumedRecord>): void {
    // A poll returns runs of records of one partition: look the task up once per run, not per record.
    let lastTopic: string | undefined;
    let lastPartition = -1;
    let task: StreamTask | undefined;
    for (const r of records) {
      if (r.topic !== lastTopic || r.partition !== lastPartition) {
        lastTopic = r.topic;
        lastPartition = r.partition;
        task = this.taskOfPartition.get(tpKey(r.topic, r.partition));
      }
      if (task) task.addRecord(r);
      else this.ctx.logger.warn({ topic: r.topic, partition: r.partition }, 'record for a partition with no task; dropped');
    }
  }

  /**
   * Runs every task with buffered input, then the wall-clock punctuations that are due. `beforeOutput` is awaited
   * before a task may write (exactly-once opens the transaction there). Returns the records processed.
   */
  async process(now: number, beforeOutput: () => Promise<void>): Promise<number> {
    let processed = 0;
    for (const task of this.tasks.values()) {
      if (task.buffered === 0) continue;
      await beforeOutput();
      processed += task.process(Number.MAX_SAFE_INTEGER);
    }
    for (const task of this.tasks.values()) {
      // Open a transaction only for a punctuation that is due: an idle app must not hold one open.
      if (!task.wallClockPunctuationDue(now)) continue;
      await beforeOutput();
      task.punctuateWallClock(now);
    }
    return processed;
  }

  /**
   * Closes every task after a successful commit, writing the checkpoints (the stores were flushed by the commit and
   * hold exactly what was committed), so a restart restores only the changelogs' tails: exactly-once writes none
   * while running, and at-least-once commits write one only every `CHECKPOINT_OFFSET_DELTA` records.
   */
  closeClean(): void {
    let first: unknown;
    for (const task of this.tasks.values()) {
      try {
        task.stateManager.checkpoint();
        this.retire(task);
        task.close();
      } catch (error) {
        first ??= error;
      }
    }
    this.clear();
    if (first) throw first;
  }

  /**
   * Closes every task without committing anything. Exactly-once wipes their local state: it may hold writes of the
   * transaction that is being aborted, and is rebuilt from the changelogs.
   */
  closeDirty(): void {
    for (const task of this.tasks.values()) {
      this.retire(task);
      try {
        task.close(true);
      } catch (error) {
        this.ctx.logger.warn({ task: task.id, err: String(error) }, 'error closing a task');
      }
      if (this.ctx.exactlyOnce) wipeTaskDirectory(this.ctx.config, task.id);
    }
    this.clear();
  }

  /** Records dropped per reason since start, over open and closed tasks. */
  droppedRecords(): Map<string, number> {
    const out = new Map(this.droppedByClosed);
    for (const t of this.tasks.values()) for (const [r, n] of t.droppedRecords) out.set(r, (out.get(r) ?? 0) + n);
    return out;
  }

  private clear(): void {
    this.tasks.clear();
    this.taskOfPartition.clear();
  }

  private retire(task: StreamTask): void {
    for (const [r, n] of task.droppedRecords) this.droppedByClosed.set(r, (this.droppedByClosed.get(r) ?? 0) + n);
  }

  private createTask(id: string, st: SubtopologySpec, partition: number): StreamTask {
    const { layout } = this.ctx;
    const collector: RecordCollector = {
      // The record as the sink built it (an undefined partition means the backend's partitioner, as an absent one):
      // copying it per record, with a spread, cost more than the producer's own work on the embedded log.
      send: (r) => this.ctx.producer().send(r),
      partitionsFor: (topic) => layout.partitions.get(topic),
    };
    return new StreamTask({
      taskId: id,
      subtopology: st,
      partition,
      topology: this.ctx.topology,
      config: this.ctx.config,
      collector,
      globalStores: this.ctx.global?.stores ?? new Map(),
      wallClock: () => Date.now(),
      logger: this.ctx.logger,
      taskDir: taskDirectory(this.ctx.config, id),
      cache: this.cache,
    });
  }

  private subtopologyOf(topic: string): SubtopologySpec | undefined {
    const { topology, config } = this.ctx;
    return topology.subtopologies.find(
      (st) => st.sourceTopics.some((t) => realTopicName(topology, config.applicationId, t) === topic) || (st.sourcePattern?.test(topic) ?? false),
    );
  }
}
