/**
 * `KafkaStreams`: runs a topology on Apache Kafka or on the embedded log, with Kafka Streams' life cycle
 * (CREATED → REBALANCING ⇄ RUNNING → PENDING_SHUTDOWN → NOT_RUNNING, or ERROR) and local store queries.
 */
import pino from 'pino';
import type { Backend } from '../backend/port.js';
import { createEmbeddedBackend } from '../backend/embedded/index.js';
import { createKafkaBackend } from '../backend/kafka/index.js';
import { partitionForKey } from '../backend/partitioner.js';
import type { Serde } from '../serde/serde.js';
import type { QueryableStoreType } from '../state/queryable-store-types.js';
import type { ReadOnlyKeyValueStore, ReadOnlySessionStore, ReadOnlyWindowStore, StateStore } from '../state/store.js';
import { readOnlyWindowFacade } from '../state/timestamped-window-store.js';
import { isTimestampedStore, readOnlyKeyValueFacade } from '../state/timestamped-key-value-store.js';
import type { ValueAndTimestamp } from '../state/value-and-timestamp.js';
import type { Topology } from '../topology/topology.js';
import { realTopicName } from '../topology/physical.js';
import { compositeKeyValueStore, compositeSessionStore, compositeWindowStore } from './composite-stores.js';
import { resolveConfig, type Logger, type ResolvedConfig, type StreamsConfig } from './config.js';
import { InvalidStateStoreError, StreamsError } from './errors.js';
import { loadProcessId } from './process-id.js';
import { applicationDirectory } from './task-directory.js';
import { StreamsMetrics } from './streams-metrics.js';
import { ApplicationShutdownRequestedError, StreamThread, type ThreadCallbacks } from './stream-thread.js';
import { StreamThreads, threadGroupInstanceId, type AnyStreamThread, type ThreadMetadata } from './stream-threads.js';
import type { ThreadStats } from './thread-stats.js';
import { threadHostFor, type HostedApp, type ThreadHost } from './thread-host.js';
import { isStreamThreadWorker, snapshotOf } from './worker-protocol.js';
import { WorkerStreamThread } from './worker-stream-thread.js';
import { answerStoreCall, remoteStoreView } from './remote-store-view.js';

export type KafkaStreamsState = 'CREATED' | 'REBALANCING' | 'RUNNING' | 'PENDING_SHUTDOWN' | 'NOT_RUNNING' | 'PENDING_ERROR' | 'ERROR';

export type StateListener = (newState: KafkaStreamsState, oldState: KafkaStreamsState) => void;

export interface HostInfo {
  readonly host: string;
  readonly port: number;
}

export interface KeyQueryMetadata {
  readonly activeHost: HostInfo;
  readonly standbyHosts: ReadonlyArray<HostInfo>;
  readonly partition: number;
}

/**
 * What happens after a stream thread died of an error it could not recover from (KIP-671):
 * - `REPLACE_THREAD`: a new thread takes over; it resumes from the last commit (the failing record is processed
 *   again), so a transient fault heals itself;
 * - `SHUTDOWN_CLIENT` (default): this instance stops and goes to ERROR;
 * - `SHUTDOWN_APPLICATION`: every instance of the application stops and goes to ERROR.
 */
export type StreamThreadExceptionResponse = 'REPLACE_THREAD' | 'SHUTDOWN_CLIENT' | 'SHUTDOWN_APPLICATION';

export type StreamsUncaughtExceptionHandler = (error: Error) => StreamThreadExceptionResponse;

/** Kafka's `HostInfo.unavailable()`: the owner of the key is not known (yet). */
export const UNAVAILABLE_HOST: HostInfo = Object.freeze({ host: 'unavailable', port: -1 });

const TRANSITIONS: Record<KafkaStreamsState, ReadonlyArray<KafkaStreamsState>> = {
  CREATED: ['REBALANCING', 'PENDING_SHUTDOWN', 'PENDING_ERROR'],
  REBALANCING: ['RUNNING', 'REBALANCING', 'PENDING_SHUTDOWN', 'PENDING_ERROR'],
  RUNNING: ['REBALANCING', 'PENDING_SHUTDOWN', 'PENDING_ERROR'],
  PENDING_SHUTDOWN: ['NOT_RUNNING'],
  NOT_RUNNING: [],
  PENDING_ERROR: ['ERROR'],
  ERROR: [],
};

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
  private stateValue: KafkaStreamsState = 'CREATED';
  private listener: StateListener | undefined;
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
    this.logger = config.logger ?? defaultLogger();
    this.host = threadHostFor(config.applicationId);
    this.inert = this.host === undefined && isStreamThreadWorker();
    if (this.host) {
      // The worker's clients live in the main thread, which owns the backend (and closes what the worker leaves).
      this.backend = this.host.backend;
      this.ownsBackend = false;
    } else if (config.backend) {
      this.backend = config.backend;
      this.ownsBackend = false;
    } else if (config.bootstrapServers) {
      // The Kafka backend loads its native client at its first client (when the app starts), not here, so the
      // embedded path never needs it; bad settings are refused here.
      this.backend = createKafkaBackend({
        bootstrapServers: config.bootstrapServers,
        ...(config.clientConfig ? { clientConfig: { ...config.clientConfig } } : {}),
        ...(config.security ? { security: config.security } : {}),
      });
      this.ownsBackend = true;
    } else {
      // Every app in this process without a broker shares one embedded log, so they can talk to each other.
      this.backend = createEmbeddedBackend(
        config.embeddedDataDir !== undefined ? { dataDir: config.embeddedDataDir } : { name: 'tributary-default' },
      );
      this.ownsBackend = false;
    }
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
        this.setState(state);
        this.host?.state(state, this.threads.taskIds());
      },
      onThreadDied: (index, thread, error) => void this.onThreadDied(index, thread, error),
    });
    this.prometheus = new StreamsMetrics(this.config.applicationId, this.processId, () => ({
      state: this.stateValue,
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
    return this.stateValue;
  }

  setStateListener(listener: StateListener): void {
    if (this.stateValue !== 'CREATED') throw new StreamsError('setStateListener() must be called before start()');
    this.listener = listener;
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
    if (this.stateValue !== 'CREATED') throw new StreamsError(`start() can only be called once (state is ${this.stateValue})`);
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
    while (this.stateValue !== 'RUNNING') {
      if (this.stateValue === 'ERROR' || this.stateValue === 'PENDING_ERROR') {
        throw new StreamsError('The application failed before it was running', { cause: this.fatal });
      }
      if (this.stateValue === 'NOT_RUNNING' || this.stateValue === 'PENDING_SHUTDOWN') throw new StreamsError('The application stopped');
      if (Date.now() > deadline) throw new StreamsError(`Not RUNNING after ${timeoutMs} ms (state ${this.stateValue})`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Commits, closes tasks and clients. Safe to call more than once. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const failed = this.stateValue === 'ERROR' || this.stateValue === 'PENDING_ERROR';
      if (!failed) this.setState('PENDING_SHUTDOWN');
      try {
        await this.threads.stop();
      } catch (error) {
        if (!failed) this.logger.error({ err: String(error) }, 'error while closing');
      } finally {
        if (this.ownsBackend) await this.backend.close().catch(() => undefined);
        if (!failed) this.setState('NOT_RUNNING');
      }
    })();
    return this.closing;
  }

  /** A read-only view of a store across this instance's tasks, in all its stream threads (interactive queries). */
  store<T>(params: { storeName: string; type: QueryableStoreType<T> }): T {
    if (this.stateValue !== 'RUNNING' && this.stateValue !== 'REBALANCING') {
      throw new InvalidStateStoreError(`Cannot query store "${params.storeName}": the application is ${this.stateValue}`);
    }
    const { storeName, type } = params;
    const global = this.threads.globalStore(storeName);
    const find = (): StateStore[] => {
      if (global) return [global];
      const out: StateStore[] = [];
      for (const task of this.threads.activeTasks.values()) {
        const s = task.store(storeName);
        if (s) out.push(s);
      }
      return out;
    };
    const exists = global !== undefined || this.topology.physical().stores.has(storeName);
    if (!exists) throw new InvalidStateStoreError(`No state store named "${storeName}" in this topology`);
    // Stores of tasks in worker threads answer from there (each worker keeps its own copy of the global stores).
    const remote = global ? [] : this.threads.queryWorkers({ storeName, storeType: type.storeType, timestamps: type.timestamps });
    if (type.storeType === 'window') {
      const remoteWindows = remote.map((call) => remoteStoreView<ReadOnlyWindowStore<unknown, unknown>>(call));
      const windows = (): ReadOnlyWindowStore<unknown, unknown>[] => [
        ...find().map((s) =>
          isTimestampedStore(s) && !type.timestamps
            ? readOnlyWindowFacade(s as unknown as ReadOnlyWindowStore<unknown, ValueAndTimestamp<unknown>>)
            : (s as unknown as ReadOnlyWindowStore<unknown, unknown>),
        ),
        ...remoteWindows,
      ];
      return compositeWindowStore(windows) as T;
    }
    if (type.storeType === 'session') {
      const remoteSessions = remote.map((call) => remoteStoreView<ReadOnlySessionStore<unknown, unknown>>(call));
      return compositeSessionStore(() => [...(find() as unknown as ReadOnlySessionStore<unknown, unknown>[]), ...remoteSessions]) as T;
    }
    const remoteViews = remote.map((call) => remoteStoreView<ReadOnlyKeyValueStore<unknown, unknown>>(call));
    const views = (): ReadOnlyKeyValueStore<unknown, unknown>[] => [
      ...find().map((s) =>
        isTimestampedStore(s) && !type.timestamps
          ? readOnlyKeyValueFacade(s as unknown as ReadOnlyKeyValueStore<unknown, ValueAndTimestamp<unknown>>)
          : (s as unknown as ReadOnlyKeyValueStore<unknown, unknown>),
      ),
      ...remoteViews,
    ];
    return compositeKeyValueStore(views) as T;
  }

  /**
   * Which partition and which instance hold `key` in `storeName` (for routing interactive queries). Owners are
   * known from the instances' announcements (see `instance-metadata.ts`); an owner not known yet is
   * `UNAVAILABLE_HOST`, as in Kafka Streams during a rebalance.
   */
  queryMetadataForKey<K>(storeName: string, key: K, keySerde: Serde<K>): KeyQueryMetadata {
    const physical = this.topology.physical();
    const st = physical.subtopologies.find((s) => s.stores.includes(storeName));
    if (!st) throw new InvalidStateStoreError(`No state store named "${storeName}" in this topology`);
    const sourceTopic = st.sourceTopics[0];
    const real = sourceTopic !== undefined ? realTopicName(physical, this.config.applicationId, sourceTopic) : undefined;
    const count = (real && this.threads.topicLayout?.partitions.get(real)) || 1;
    const bytes = keySerde.serialize(real ?? '', key);
    const partition = bytes ? partitionForKey(bytes, count) : 0;
    const taskId = `${st.id}_${partition}`;
    const local = this.threads.taskIds().includes(taskId);
    const standbyHosts = this.threads.instances.standbyHostsOf(taskId);
    if (local && this.config.applicationServer) return { activeHost: this.config.applicationServer, standbyHosts, partition };
    const owner = this.threads.instances.ownerOf(taskId);
    return { activeHost: owner && owner.port > 0 ? { host: owner.host, port: owner.port } : UNAVAILABLE_HOST, standbyHosts, partition };
  }

  /** Every instance of this application that announced itself, with its tasks (Kafka's `metadataForAllStreamsClients`). */
  allMetadata(): Array<{ hostInfo: HostInfo; processId: string; activeTasks: ReadonlyArray<string> }> {
    return this.threads.instances.all().map((i) => ({ hostInfo: { host: i.host, port: i.port }, processId: i.processId, activeTasks: i.activeTasks }));
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
      state: this.stateValue,
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
      this.logger,
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
    let response: StreamThreadExceptionResponse = 'SHUTDOWN_CLIENT';
    if (!(err instanceof ApplicationShutdownRequestedError) && this.errorHandler) {
      try {
        response = this.errorHandler(err);
      } catch (handlerError) {
        this.logger.error({ err: String(handlerError) }, 'the uncaught-exception handler threw; shutting down the client');
      }
    }
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
    if (this.stateValue === 'ERROR' || this.stateValue === 'PENDING_ERROR') return;
    this.fatal = error;
    this.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'stream processing failed; stopping');
    this.setState('PENDING_ERROR');
    void this.threads
      .stop('dirty')
      .catch(() => undefined)
      .finally(() => {
        this.setState('ERROR');
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

  private setState(next: KafkaStreamsState): void {
    const old = this.stateValue;
    if (old === next && next !== 'REBALANCING') return;
    if (!TRANSITIONS[old].includes(next)) return;
    this.stateValue = next;
    if (old !== next) this.listener?.(next, old);
  }
}
