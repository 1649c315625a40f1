/**
 * The processing loop of one stream thread and the clients it owns (Kafka Streams' `StreamThread`): it polls, lets
 * the task manager run the tasks, commits on the interval through the commit unit, and decides what an error means
 * (see `failure.ts`): a task migration or a retriable error is recovered from (`thread-recovery.ts`: abort, rewind to
 * what was committed, rebuild the tasks); anything else stops the thread with its tasks closed dirty, and the
 * owner's uncaught-exception handler decides what follows.
 */
import type { Backend, Consumer, Producer, TopicPartition } from '../backend/port.js';
import type { PhysicalTopology } from '../topology/physical.js';
import { Commit } from './commit.js';
import { RepartitionPurge } from './repartition-purge.js';
import type { Logger, ResolvedConfig } from './config.js';
import { StreamsError } from './errors.js';
import { GlobalStateManager } from './global-state.js';
import { InstanceMetadata } from './instance-metadata.js';
import { prepareTopics, subscriptionOf, type TopicLayout } from './internal-topics.js';
import type { StreamTask } from './stream-task.js';
import { StandbyTasks } from './standby-tasks.js';
import { measureLag } from './consumer-lag.js';
import { pollWaitMs } from './poll-wait.js';
import { ProgressWatch } from './progress-watch.js';
import { LoopWatch } from './loop-watch.js';
import { globalStateDirectory } from './task-directory.js';
import { TaskManager } from './task-manager.js';
import { ThreadRecovery, type RecoveryTarget } from './thread-recovery.js';
import type { ThreadStats } from './thread-stats.js';

/** At most this long between two turns of the event loop while the thread works through a backlog. */
const YIELD_INTERVAL_MS = 10;
/** How long a replaced consumer may take to close (it waits up to 35 s for a call in flight, then leaves the group). */
const CONSUMER_CLOSE_WAIT_MS = 60_000;

export interface ThreadCallbacks {
  onRebalancing(): void;
  onRunning(): void;
  /** The thread stopped on an error it could not recover from; its tasks are closed dirty, nothing was committed. */
  onFatal(error: unknown): void;
}

export interface ThreadIdentity {
  readonly processId: string;
  readonly groupInstanceId: string | undefined;
  /**
   * 1-based, as Kafka's `StreamThread-1`; a thread that replaces a dead one takes its number (as Kafka's does), so
   * its transactional id, global-store folder and announcements are the ones a restart fences or reuses.
   */
  readonly index: number;
}

export class StreamThread {
  private consumer: Consumer | undefined;
  private restoreConsumer: Consumer | undefined;
  private globalConsumer: Consumer | undefined;
  private producer: Producer | undefined;
  private commitUnit: Commit | undefined;
  private taskManager: TaskManager | undefined;
  private global: GlobalStateManager | undefined;
  private layout: TopicLayout | undefined;
  private running = false;
  private loop: Promise<void> | undefined;
  private lastCommit = Date.now();
  private lastMetadataRefresh = 0;
  private lastLagCheck = 0;
  private readonly startedAt = Date.now();
  private readonly recovery: ThreadRecovery;
  /** The thread's clients and tasks as recovery rebuilds them (set once they exist). */
  private recoveryTarget: RecoveryTarget | undefined;
  private purge: RepartitionPurge | undefined;
  private readonly exactlyOnce: boolean;
  private readonly clientId: string;
  private readonly metadata: InstanceMetadata;
  private readonly standbys: StandbyTasks | undefined;
  /** Input partitions with records to read whose position stopped moving (see progress-watch.ts). */
  private readonly fetchProgress = new ProgressWatch();
  /** What the loop is waiting on, and since when: a loop that stops completing iterations says where it hangs. */
  private readonly loopWatch: LoopWatch;

  constructor(
    private readonly backend: Backend,
    private readonly topology: PhysicalTopology,
    private readonly config: ResolvedConfig,
    private readonly logger: Logger,
    private readonly callbacks: ThreadCallbacks,
    private readonly identity: ThreadIdentity,
    /** Shared by the threads an instance runs over its life (a replaced thread's successor counts on). */
    readonly stats: ThreadStats,
  ) {
    this.exactlyOnce = config.processingGuarantee === 'exactly_once_v2';
    this.recovery = new ThreadRecovery(config.taskTimeoutMs, logger, stats, this.exactlyOnce);
    this.clientId = streamThreadName(config.applicationId, identity.processId, identity.index);
    this.metadata = new InstanceMetadata(backend, config.applicationId, identity.processId, config.applicationServer, logger, config.numStandbyReplicas > 0, identity.index);
    this.loopWatch = new LoopWatch(logger);
    this.standbys = config.numStandbyReplicas > 0 ? new StandbyTasks(backend, topology, config, logger, this.clientId) : undefined;
  }

  /** `<applicationId>-<processId>-StreamThread-<n>`, the prefix of its clients' ids. */
  get name(): string {
    return this.clientId;
  }

  get standbyTaskIds(): string[] {
    return this.standbys?.taskIds ?? [];
  }

  get standbyRecordsApplied(): number {
    return this.standbys?.applied ?? 0;
  }

  get instances(): InstanceMetadata {
    return this.metadata;
  }

  get activeTasks(): ReadonlyMap<string, StreamTask> {
    return this.taskManager?.active ?? new Map<string, StreamTask>();
  }

  droppedRecords(): Map<string, number> {
    return this.taskManager?.droppedRecords() ?? new Map();
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
      this.layout = await prepareTopics(admin, this.topology, this.config);
      this.global = new GlobalStateManager(this.topology, this.config, globalStateDirectory(this.config, this.identity.index), () => Date.now());
      this.global.initialize();
      await this.metadata.start();
      this.producer = await this.createProducer();
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
        await this.global.bootstrap(this.globalConsumer, admin);
      }
    } finally {
      await admin.close();
    }
    const consumer = await this.createConsumer();
    this.consumer = consumer;
    this.purge = new RepartitionPurge(this.topology, this.config.applicationId, this.backend.admin(), this.config.repartitionPurgeIntervalMs, this.logger);
    this.commitUnit = new Commit(this.producer, consumer, {
      exactlyOnce: this.exactlyOnce,
      productionExceptionHandler: this.config.productionExceptionHandler,
      logger: this.logger,
    });
    this.taskManager = new TaskManager({
      topology: this.topology,
      config: this.config,
      logger: this.logger,
      exactlyOnce: this.exactlyOnce,
      producer: () => this.producer as Producer,
      restoreConsumer: this.restoreConsumer,
      layout: this.layout,
      global: this.global,
      standbys: this.standbys,
      onRestoreProgress: (done, total) => {
        this.stats.restoring = { done, total };
      },
    });
    this.recoveryTarget = {
      consumer: () => this.consumer as Consumer,
      replaceConsumer: () => this.replaceConsumer(),
      tasks: this.taskManager,
      commitUnit: this.commitUnit,
      producer: () => this.producer,
      replaceProducer: () => this.replaceProducer(),
      reassign: (partitions) => this.onAssigned(partitions),
    };
    this.callbacks.onRebalancing();
    await this.subscribe(consumer);
    this.running = true;
    this.loop = this.run();
    this.loopWatch.start();
  }

  /**
   * Stops the loop and closes the clients. Clean: commits, then closes the tasks (exactly-once writes checkpoints).
   * Dirty (after a fatal error): commits nothing — the open transaction is aborted, the tasks are closed without
   * committing — so a restart processes again everything after the last commit, the failing record included.
   */
  async stop(mode: 'clean' | 'dirty' = 'clean'): Promise<void> {
    this.running = false;
    // Every wait in the loop has its own timeout, so the loop ends; should a client call never return, closing goes
    // on without it (dirty: what the stuck step was doing is not committed) rather than hanging the caller.
    if (!(await this.loopWatch.stopAndWait(this.loop))) mode = 'dirty';
    let firstError: unknown;
    const attempt = async (f: () => Promise<unknown> | void): Promise<void> => {
      try {
        await f();
      } catch (error) {
        firstError ??= error;
      }
    };
    const tasks = this.taskManager;
    if (tasks && tasks.size > 0) {
      if (mode === 'clean' && !this.recovery.recovering) {
        await attempt(() => this.commit());
        await attempt(() => tasks.closeClean());
      } else {
        await attempt(() => this.commitUnit?.abort());
        tasks.closeDirty();
      }
    } else if (mode === 'dirty' || this.recovery.recovering) {
      await attempt(() => this.commitUnit?.abort());
    }
    await attempt(() => this.purge?.close());
    await attempt(() => this.global?.close());
    await attempt(() => this.standbys?.close());
    await attempt(() => this.metadata.close());
    await attempt(async () => this.consumer?.close());
    await attempt(async () => this.restoreConsumer?.close());
    await attempt(async () => this.globalConsumer?.close());
    await attempt(async () => this.producer?.close());
    if (firstError && mode === 'clean') throw firstError;
  }

  /** SHUTDOWN_APPLICATION (KIP-671): asks every instance of the application to stop. */
  requestApplicationShutdown(reason: string): Promise<void> {
    return this.metadata.requestShutdown(reason);
  }

  private async run(): Promise<void> {
    let lastYield = performance.now();
    while (this.running) {
      try {
        if (this.recovery.recovering) await this.recover();
        await this.runOnce();
        this.enter('idle');
        // A backend that answers polls from memory (the embedded log) never makes this loop wait while input is
        // buffered; without a turn of the event loop now and then, timers, I/O callbacks (the log's buffered file
        // writes, interactive queries, metrics) would wait until the backlog is gone.
        if (performance.now() - lastYield >= YIELD_INTERVAL_MS) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          lastYield = performance.now();
        }
      } catch (error) {
        if (!this.running) break;
        try {
          await this.recovery.onError(error);
        } catch (fatal) {
          this.running = false;
          this.enter('idle'); // stopped: nothing left to warn about until stop() ends the watch
          this.callbacks.onFatal(fatal);
          return;
        }
      }
    }
  }

  /** Rebuilds the tasks from committed state (see thread-recovery.ts). */
  private async recover(): Promise<void> {
    this.enter('recover');
    this.fetchProgress.reset();
    await this.recovery.recover(this.recoveryTarget as RecoveryTarget);
  }

  private async runOnce(): Promise<void> {
    const consumer = this.consumer as Consumer;
    const tasks = this.taskManager as TaskManager;
    this.enter('poll');
    const records = await consumer.poll(this.config.maxPollRecords, tasks.idle ? pollWaitMs({ commitNeeded: tasks.commitNeeded, lastCommit: this.lastCommit, commitIntervalMs: this.config.commitIntervalMs, now: Date.now() }) : 0);
    // A record polled after stop() began is not processed; its offset is not committed, so it is read again.
    if (!this.running) return;
    tasks.route(records);
    if (this.globalConsumer) {
      for (const r of await this.globalConsumer.poll(this.config.maxPollRecords, 0)) this.global?.process(r);
    }
    const now = Date.now();
    this.enter('process');
    try {
      this.stats.processed += await tasks.process(now, () => (this.commitUnit as Commit).begin());
    } catch (error) {
      this.recovery.noteProducerState(error);
      throw error;
    }
    if (tasks.commitRequested || now - this.lastCommit >= this.config.commitIntervalMs) {
      this.enter('commit');
      try {
        await this.commit();
      } catch (error) {
        this.recovery.noteProducerState(error);
        throw error;
      }
      this.standbys?.checkpoint();
    }
    if (now - this.lastMetadataRefresh >= 500) {
      this.lastMetadataRefresh = now;
      this.enter('instance metadata');
      await this.metadata.refresh();
      const request = this.metadata.shutdownRequestedAfter(this.startedAt);
      if (request) throw new ApplicationShutdownRequestedError(`Another instance asked the application to shut down: ${request}`);
      if (this.standbys && this.layout) await this.standbys.place(this.metadata, this.identity.processId, this.activeTasks, this.layout);
    }
    this.enter('standbys');
    await this.standbys?.poll();
    if (now - this.lastLagCheck >= 5_000) {
      this.lastLagCheck = now;
      this.enter('lag');
      const measured = await measureLag(consumer, this.stats.lag, this.logger);
      if (measured !== undefined) this.fetchProgress.check(measured);
    }
  }

  private enter(step: string): void {
    this.loopWatch.enter(step);
  }

  private async commit(): Promise<void> {
    const result = await (this.commitUnit as Commit).commit((this.taskManager as TaskManager).active.values());
    this.global?.flush();
    this.lastCommit = Date.now();
    if (result.committed > 0) {
      this.stats.commits++;
      this.stats.lastCommitMs = result.durationMs;
    }
    this.recovery.progressed();
    this.purge?.afterCommit(result.offsets);
  }

  private createConsumer(): Promise<Consumer> {
    return this.backend.createConsumer({
      clientId: `${this.clientId}-consumer`,
      groupId: this.config.applicationId,
      ...(this.identity.groupInstanceId ? { groupInstanceId: this.identity.groupInstanceId } : {}),
      isolationLevel: this.exactlyOnce ? 'read_committed' : 'read_uncommitted',
      autoOffsetReset: 'earliest',
      ...(this.config.sessionTimeoutMs !== undefined ? { sessionTimeoutMs: this.config.sessionTimeoutMs } : {}),
    });
  }

  private subscribe(consumer: Consumer): Promise<void> {
    return consumer.subscribe(subscriptionOf(this.topology, this.config.applicationId), {
      onPartitionsRevoked: (partitions) => this.onRevoked(partitions),
      onPartitionsAssigned: (partitions) => this.onAssigned(partitions),
      onPartitionsLost: () => this.onLost(),
    });
  }

  /**
   * Recovery found the consumer stuck (thread-recovery.ts): the old one leaves the group (its tasks are closed
   * already) and a new one joins; its assignment creates the tasks again.
   */
  private async replaceConsumer(): Promise<void> {
    const old = this.consumer;
    if (old !== undefined) {
      // Bounded: a consumer that cannot reach its coordinator may not manage to leave the group either; the group
      // drops it when its session times out, as it cannot heartbeat then.
      const closed = await Promise.race([
        old.close().then(
          () => true,
          () => true,
        ),
        new Promise<false>((resolve) => setTimeout(() => resolve(false), CONSUMER_CLOSE_WAIT_MS).unref()),
      ]);
      if (!closed) this.logger.warn({ waitedMs: CONSUMER_CLOSE_WAIT_MS }, 'the replaced consumer did not close; going on without it');
    }
    this.consumer = undefined;
    const consumer = await this.createConsumer();
    this.consumer = consumer;
    (this.commitUnit as Commit).useConsumer(consumer);
    this.callbacks.onRebalancing();
    await this.subscribe(consumer);
  }

  private async createProducer(): Promise<Producer> {
    // Exactly-once: the transactional id is stable per instance and thread (application id + persisted process id +
    // thread number), so a restart fences the previous incarnation's open transaction and threads never fence each other.
    const producer = await this.backend.createProducer({
      clientId: `${this.clientId}-producer`,
      ...(this.exactlyOnce
        ? { transactionalId: `${this.config.applicationId}-${this.identity.processId}-${this.identity.index}`, transactionTimeoutMs: this.config.transactionTimeoutMs }
        : {}),
    });
    if (this.exactlyOnce) await producer.initTransactions();
    return producer;
  }

  private async replaceProducer(): Promise<Producer> {
    await this.producer?.close().catch(() => undefined);
    this.producer = undefined;
    this.producer = await this.createProducer();
    return this.producer;
  }

  private async onRevoked(partitions: ReadonlyArray<TopicPartition>): Promise<void> {
    this.callbacks.onRebalancing();
    const tasks = this.taskManager as TaskManager;
    if (partitions.length === 0 && tasks.size === 0) return;
    if (this.recovery.recovering) {
      tasks.closeDirty();
      return;
    }
    await this.commit();
    tasks.closeClean();
  }

  private async onLost(): Promise<void> {
    this.logger.warn({}, 'partitions lost; closing tasks without committing');
    await (this.commitUnit as Commit).abort().catch(() => {
      this.recovery.producerUnusable = true;
    });
    (this.taskManager as TaskManager).closeDirty();
  }

  private async onAssigned(partitions: ReadonlyArray<TopicPartition>): Promise<void> {
    const tasks = this.taskManager as TaskManager;
    this.fetchProgress.reset();
    const before = tasks.restoredRecords;
    await tasks.createTasks(partitions);
    this.stats.restoredRecords += tasks.restoredRecords - before;
    await this.metadata.publish([...tasks.active.keys()], this.standbys?.taskIds ?? []);
    this.callbacks.onRunning();
  }
}

/** A stream thread's name, which prefixes its clients' ids (Kafka's `<clientId>-StreamThread-<n>`). */
export function streamThreadName(applicationId: string, processId: string, index: number): string {
  return `${applicationId}-${processId}-StreamThread-${index}`;
}

/** Another instance's uncaught-exception handler answered SHUTDOWN_APPLICATION. */
export class ApplicationShutdownRequestedError extends StreamsError {
  override readonly name = 'ApplicationShutdownRequestedError';
}
