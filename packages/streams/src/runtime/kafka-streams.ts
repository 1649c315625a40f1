/**
 * `KafkaStreams`: runs a topology on Apache Kafka or on the embedded log, with Kafka Streams' life cycle
 * (CREATED → REBALANCING ⇄ RUNNING → PENDING_SHUTDOWN → NOT_RUNNING, or ERROR) and local store queries.
 */
import pino from 'pino';
import type { Backend } from '../backend/port.js';
import type { Serde } from '../serde/serde.js';
import type { QueryableStoreType } from '../state/queryable-store-types.js';
import type { Topology } from '../topology/topology.js';
import { resolveConfig, type Logger, type ResolvedConfig, type StreamsConfig } from './config.js';
import { InvalidStateStoreError, StreamsError } from './errors.js';
import { allInstances, keyQueryMetadata, storeView, type HostInfo, type KeyQueryMetadata } from './interactive-queries.js';
import { withLogContext } from './log-context.js';
import { loadProcessId } from './process-id.js';
import { answerStoreCall } from './remote-store-view.js';
import { streamsBackend } from './streams-backend.js';
import { StreamsLifecycle, type KafkaStreamsState, type StateListener } from './streams-state.js';
import { applicationDirectory } from './task-directory.js';
import { StreamsMetrics } from './streams-metrics.js';
import { StreamThread, type ThreadCallbacks } from './stream-thread.js';
import { StreamThreads, threadGroupInstanceId, type AnyStreamThread, type ThreadMetadata } from './stream-threads.js';
import type { ThreadStats } from './thread-stats.js';
import { threadHostFor, type HostedApp, type ThreadHost } from './thread-host.js';
import { responseTo, type StreamsUncaughtExceptionHandler } from './uncaught-exceptions.js';
import { isStreamThreadWorker, snapshotOf } from './worker-protocol.js';
import { WorkerStreamThread } from './worker-stream-thread.js';

// The instance's concepts live in their own files; their public names are exported from here as before.
export type { KafkaStreamsState, StateListener } from './streams-state.js';
export { UNAVAILABLE_HOST, type HostInfo, type KeyQueryMetadata } from './interactive-queries.js';
export type { StreamThreadExceptionResponse, StreamsUncaughtExceptionHandler } from './uncaught-exceptions.js';

function defaultLogger(): Logger {
  return pino({ name: 'tributary', level: process.env['TRIBUTARY_LOG_LEVEL'] ?? 'info' });
}

export class KafkaStreams {
  private readonly config: ResolvedConfig;
  private readonly logger: Logger;
  private readonly backend: Backend;
  private readonly ownsBackend: boolean;
  private readonly threads: StreamThreads;
  private threadReplacements = 0;
  private readonly lifecycle = new StreamsLifecycle();
  private errorHandler: StreamsUncaughtExceptionHandler | undefined;
  private closing: Promise<void> | undefined;
  private fatal: unknown;
  /** Set in a worker thread started to host one stream thread of this application (see `thread-host.ts`). */
  private readonly host: ThreadHost | undefined;
  /** Another application's instance in such a worker: it never runs (the main thread runs it). */
  private readonly inert: boolean;
  /** The module stream-thread workers run, when threads 2..n run in worker threads. */
  private readonly workerEntry: string | undefined;

  constructor(
    private readonly topology: Topology,
    config: StreamsConfig,
  ) {
    // The process-wide embedded log (no broker, no backend given) creates missing source topics: there is no
    // separate admin step there, and apps in one process may start before anything was produced.
    const sharedEmbedded = !config.backend && !config.bootstrapServers;
    this.config = { ...resolveConfig(config), createMissingSourceTopics: sharedEmbedded };
    this.logger = withLogContext(config.logger ?? defaultLogger(), { applicationId: config.applicationId });
    this.host = threadHostFor(config.applicationId);
    this.inert = this.host === undefined && isStreamThreadWorker();
    const { backend, owned } = streamsBackend(config, this.host);
    this.backend = backend;
    this.ownsBackend = owned;
    this.processId = this.host?.data.processId ?? loadProcessId(applicationDirectory(this.config));
    this.groupInstanceId = config.groupInstanceId;
    const threadCount = this.config.numStreamThreads;
    // Threads 2..n run in worker threads on a Kafka backend made here (from bootstrapServers), when there is an entry
    // module to run in them. A backend object given in the config lives in this thread: its threads run here too, as
    // on the embedded log, whose log is this thread's. So do they in a file run by `node --test`: running a test file
    // again in a worker would run its tests there.
    const entry = process.env['NODE_TEST_CONTEXT'] === undefined ? process.argv[1] : undefined;
    this.workerEntry = !this.host && !this.inert && !config.backend && this.backend.kind === 'kafka' && threadCount > 1 && entry ? entry : undefined;
    const indices = this.host ? [this.host.data.index] : Array.from({ length: threadCount }, (_, i) => i + 1);
    this.threads = new StreamThreads(indices, (index, stats, callbacks) => this.newThread(index, stats, callbacks), {
      onStateChange: (state) => {
        this.lifecycle.transition(state);
        this.host?.state(state, this.threads.taskIds());
      },
      onThreadDied: (index, thread, error) => void this.onThreadDied(index, thread, error),
    });
    this.prometheus = new StreamsMetrics(this.config.applicationId, this.processId, () => ({
      state: this.lifecycle.state,
      stats: this.threads.stats(),
      tasks: this.threads.taskIds().length,
      dropped: this.threads.droppedRecords(),
    }));
  }

  /**
   * The log this app runs on. Without `bootstrapServers` or `backend` it is the process-wide embedded log: produce to
   * it, or read from it, through this backend.
   */
  get log(): Backend {
    return this.backend;
  }

  /** This instance's `applicationServer`, parsed. */
  get applicationServer(): HostInfo | undefined {
    return this.config.applicationServer;
  }

  /** This instance's stable id (kept in the state directory). */
  readonly processId: string;
  private readonly groupInstanceId: string | undefined;
  private readonly prometheus: StreamsMetrics;

  get state(): KafkaStreamsState {
    return this.lifecycle.state;
  }

  setStateListener(listener: StateListener): void {
    this.lifecycle.setListener(listener);
  }

  /**
   * Decides what happens when a stream thread dies of an error it cannot recover from (Kafka's
   * `setUncaughtExceptionHandler`, KIP-671). Without one, the instance shuts down (`SHUTDOWN_CLIENT`). Retriable
   * errors (a broker restarting, leaders moving) never reach it unless they last longer than `taskTimeoutMs`.
   */
  setUncaughtExceptionHandler(handler: StreamsUncaughtExceptionHandler): void {
    if (typeof handler !== 'function') throw new StreamsError('setUncaughtExceptionHandler needs a function');
    this.errorHandler = handler;
  }

  /**
   * Prepares topics, restores global stores, joins the group with each stream thread; processing continues in the
   * background.
   */
  async start(): Promise<void> {
    if (this.state !== 'CREATED') throw new StreamsError(`start() can only be called once (state is ${this.state})`);
    if (this.inert) {
      this.logger.debug({ applicationId: this.config.applicationId }, 'in a stream-thread worker of another application: not started');
      return;
    }
    try {
      await this.threads.start();
    } catch (error) {
      this.host?.startFailed(error);
      this.onFatal(error);
      throw error;
    }
    this.host?.started(this.hostedApp());
  }

  /** Resolves once the app is RUNNING (or rejects if it fails or stops first). */
  async waitForRunning(timeoutMs = 60_000): Promise<void> {
    if (this.inert) return;
    const deadline = Date.now() + timeoutMs;
    while (this.state !== 'RUNNING') {
      if (this.lifecycle.failed) {
        throw new StreamsError('The application failed before it was running', { cause: this.fatal });
      }
      if (this.state === 'NOT_RUNNING' || this.state === 'PENDING_SHUTDOWN') throw new StreamsError('The application stopped');
      if (Date.now() > deadline) throw new StreamsError(`Not RUNNING after ${timeoutMs} ms (state ${this.state})`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Commits, closes tasks and clients. Safe to call more than once. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const failed = this.lifecycle.failed;
      if (!failed) this.lifecycle.transition('PENDING_SHUTDOWN');
      try {
        await this.threads.stop();
      } catch (error) {
        if (!failed) this.logger.error({ err: String(error) }, 'error while closing');
      } finally {
        if (this.ownsBackend) await this.backend.close().catch(() => undefined);
        if (!failed) this.lifecycle.transition('NOT_RUNNING');
      }
    })();
    return this.closing;
  }

  /** A read-only view of a store across this instance's tasks, in all its stream threads (interactive queries). */
  store<T>(params: { storeName: string; type: QueryableStoreType<T> }): T {
    if (this.state !== 'RUNNING' && this.state !== 'REBALANCING') {
      throw new InvalidStateStoreError(`Cannot query store "${params.storeName}": the application is ${this.state}`);
    }
    return storeView(this.threads, this.topology, params);
  }

  /**
   * Which partition and which instance hold `key` in `storeName` (for routing interactive queries). Owners are
   * known from the instances' announcements (see `instance-metadata.ts`); an owner not known yet is
   * `UNAVAILABLE_HOST`, as in Kafka Streams during a rebalance.
   */
  queryMetadataForKey<K>(storeName: string, key: K, keySerde: Serde<K>): KeyQueryMetadata {
    return keyQueryMetadata(this.threads, this.topology, this.config, { storeName, key, keySerde });
  }

  /** Every instance of this application that announced itself, with its tasks (Kafka's `metadataForAllStreamsClients`). */
  allMetadata(): Array<{ hostInfo: HostInfo; processId: string; activeTasks: ReadonlyArray<string> }> {
    return allInstances(this.threads);
  }

  /** Each stream thread of this instance: its name, state and tasks (Kafka's `metadataForLocalThreads`). */
  metadataForLocalThreads(): ThreadMetadata[] {
    return this.threads.metadata();
  }

  /** Prometheus text exposition of this instance's metrics (state, throughput, lag, restore, commit latency). */
  prometheusMetrics(): Promise<string> {
    return this.prometheus.render();
  }

  /** Simple counters for health checks and metrics, over all stream threads of this instance. */
  metrics(): {
    state: KafkaStreamsState;
    processedRecords: number;
    commits: number;
    lastCommitMs: number;
    restoredRecords: number;
    restoring: { done: number; total: number };
    recoveries: number;
    /** Retriable errors and task migrations recovered from or being retried. */
    retriableErrors: number;
    /** Stream threads replaced after an uncaught error (REPLACE_THREAD). */
    threadReplacements: number;
    lag: Record<string, number>;
    droppedRecords: Record<string, number>;
    tasks: string[];
    standbyTasks: string[];
    standbyRecordsApplied: number;
  } {
    const s = this.threads.stats();
    return {
      state: this.state,
      processedRecords: s.processed,
      commits: s.commits,
      lastCommitMs: s.lastCommitMs,
      restoredRecords: s.restoredRecords,
      restoring: { ...s.restoring },
      recoveries: s.recoveries,
      retriableErrors: s.retriableErrors,
      threadReplacements: this.threadReplacements,
      lag: Object.fromEntries(s.lag),
      droppedRecords: Object.fromEntries(this.threads.droppedRecords()),
      tasks: this.threads.taskIds(),
      standbyTasks: this.threads.standbyTaskIds,
      standbyRecordsApplied: this.threads.standbyRecordsApplied,
    };
  }

  private newThread(index: number, stats: ThreadStats, callbacks: ThreadCallbacks): AnyStreamThread {
    if (this.workerEntry !== undefined && index > 1) {
      const { applicationId } = this.config;
      return new WorkerStreamThread({ applicationId, processId: this.processId, index, backend: this.backend, entry: this.workerEntry, logger: this.logger, callbacks });
    }
    return new StreamThread(
      this.backend,
      this.topology.physical(),
      this.config,
      withLogContext(this.logger, { streamThread: index }),
      callbacks,
      { processId: this.processId, groupInstanceId: threadGroupInstanceId(this.groupInstanceId, index), index },
      stats,
    );
  }

  /**
   * A thread stopped on an error: its tasks are closed dirty (nothing committed), then the handler decides. The
   * other threads go on unless the answer stops the client.
   */
  private async onThreadDied(index: number, thread: AnyStreamThread, error: unknown): Promise<void> {
    const err = error instanceof Error ? error : new Error(String(error));
    if (this.host) {
      // In a worker the main thread's handler decides (and ends this worker); the thread's tasks are closed first.
      await thread.stop('dirty').catch(() => undefined);
      this.host.died(err);
      return;
    }
    const response = responseTo(err, this.errorHandler, this.logger);
    this.logger.error({ err: err.message, response }, 'stream thread failed');
    if (response === 'REPLACE_THREAD' && this.closing === undefined) {
      await thread.stop('dirty').catch(() => undefined);
      if (this.closing !== undefined) return;
      this.threadReplacements++;
      try {
        await this.threads.replace(index);
      } catch (startError) {
        await this.onThreadDied(index, this.threads.thread(index), startError);
      }
      return;
    }
    if (response === 'SHUTDOWN_APPLICATION') {
      // A worker's thread asks through the first thread, which runs here.
      const via = thread instanceof StreamThread ? thread : this.threads.first;
      await via.requestApplicationShutdown(err.message).catch((e: unknown) => {
        this.logger.error({ err: String(e) }, 'could not ask the other instances to shut down');
      });
    }
    this.onFatal(error);
  }

  /** Stops every thread dirty (a dead one's tasks are closed already) and ends in ERROR. */
  private onFatal(error: unknown): void {
    if (this.lifecycle.failed) return;
    this.fatal = error;
    this.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'stream processing failed; stopping');
    this.lifecycle.transition('PENDING_ERROR');
    void this.threads
      .stop('dirty')
      .catch(() => undefined)
      .finally(() => {
        this.lifecycle.transition('ERROR');
      });
  }

  /** What the main thread asks of this app when it hosts a stream thread in a worker. */
  private hostedApp(): HostedApp {
    return {
      close: async (mode) => {
        if (mode === 'clean') await this.close();
        else await this.threads.stop('dirty');
      },
      query: (q) => answerStoreCall(this.store({ storeName: q.storeName, type: { storeType: q.storeType, timestamps: q.timestamps } }), q.method, q.args),
      snapshot: () => snapshotOf(this.threads.stats(), this.threads.droppedRecords(), this.threads.taskIds()),
    };
  }
}
