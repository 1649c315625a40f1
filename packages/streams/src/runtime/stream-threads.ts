/**
 * The stream threads of one instance (Kafka's `num.stream.threads`). Each is a member of the application's consumer
 * group with its own clients, so the group's assignor spreads the tasks over them, as in Kafka Streams. A thread
 * runs here (`StreamThread`) or in a worker thread (`WorkerStreamThread`, on Kafka: see `KafkaStreams`); thread 1
 * always runs here. What the instance reports — its state, tasks, stores, counters — is that of all its threads.
 */
import type { StreamTask } from './stream-task.js';
import type { StateStore } from '../state/store.js';
import type { InstanceMetadata } from './instance-metadata.js';
import type { TopicLayout } from './internal-topics.js';
import { StreamThread, type ThreadCallbacks } from './stream-thread.js';
import { ThreadStats } from './thread-stats.js';
import type { WorkerStreamThread } from './worker-stream-thread.js';
import type { StoreQuery } from './worker-protocol.js';

export type AnyStreamThread = StreamThread | WorkerStreamThread;

/**
 * A stream thread's life cycle, coarser than Kafka's `StreamThread.State`: REBALANCING stands for its STARTING,
 * PARTITIONS_REVOKED and PARTITIONS_ASSIGNED (the thread is joining the group or taking over tasks).
 */
export type ThreadState = 'CREATED' | 'REBALANCING' | 'RUNNING' | 'DEAD';

/** Kafka's `ThreadMetadata`: what `KafkaStreams.metadataForLocalThreads()` tells about one stream thread. */
export interface ThreadMetadata {
  /** `<applicationId>-<processId>-StreamThread-<n>`, also the prefix of its clients' ids. */
  readonly threadName: string;
  readonly threadState: ThreadState;
  readonly activeTasks: ReadonlyArray<string>;
  readonly standbyTasks: ReadonlyArray<string>;
}

/** Builds the stream thread with number `index`; `stats` outlives the threads replacing each other in that place. */
export type StreamThreadFactory = (index: number, stats: ThreadStats, callbacks: ThreadCallbacks) => AnyStreamThread;

export interface StreamThreadsListener {
  /** The instance's view of its threads changed: every thread is running, or one is (re)joining the group. */
  onStateChange(state: 'REBALANCING' | 'RUNNING'): void;
  /** Thread `index` stopped on an error it could not recover from (see `ThreadCallbacks.onFatal`). */
  onThreadDied(index: number, thread: AnyStreamThread, error: unknown): void;
}

interface Slot {
  readonly index: number;
  thread: AnyStreamThread;
  state: ThreadState;
  /** A local thread's counters; for a worker, those of the workers that were replaced in this place. */
  readonly stats: ThreadStats;
}

export class StreamThreads {
  private readonly slots: Slot[] = [];

  constructor(
    /** The numbers of the threads (1..n; a worker hosts just its own). */
    indices: ReadonlyArray<number>,
    private readonly create: StreamThreadFactory,
    private readonly listener: StreamThreadsListener,
  ) {
    for (const index of indices) {
      const stats = new ThreadStats();
      const slot: Slot = { index, stats, state: 'CREATED', thread: undefined as unknown as StreamThread };
      slot.thread = this.build(slot);
      this.slots.push(slot);
    }
  }

  /**
   * Starts the threads one after the other: each prepares the topics and bootstraps its global stores before it
   * subscribes, so the first has created every internal topic before the next one looks.
   */
  async start(): Promise<void> {
    for (const slot of this.slots) await slot.thread.start();
  }

  /** Stops every thread (clean: commit and close tasks; dirty: abort). Clean rethrows the first error. */
  async stop(mode: 'clean' | 'dirty' = 'clean'): Promise<void> {
    const results = await Promise.allSettled(
      this.slots.map(async (s) => {
        await s.thread.stop(mode);
        s.state = 'DEAD';
      }),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed && mode === 'clean') throw failed.reason;
  }

  /** Puts a new thread in the place of the dead thread `index` (REPLACE_THREAD) and starts it. */
  async replace(index: number): Promise<void> {
    const slot = this.slotOf(index);
    // A worker's counters leave with it: keep them, so the instance's totals never go back.
    if (!(slot.thread instanceof StreamThread)) addStats(slot.stats, slot.thread.stats());
    slot.thread = this.build(slot);
    await slot.thread.start();
  }

  /** The thread in place `index` now. */
  thread(index: number): AnyStreamThread {
    return this.slotOf(index).thread;
  }

  /** The first thread, which always runs in this thread (it prepares topics and reads the announcements). */
  get first(): StreamThread {
    const thread = (this.slots[0] as Slot).thread;
    if (!(thread instanceof StreamThread)) throw new RangeError('the first stream thread runs in a worker');
    return thread;
  }

  get size(): number {
    return this.slots.length;
  }

  /** The ids of the active tasks of every thread, here and in workers (a task runs in one thread only). */
  taskIds(): string[] {
    return this.slots.flatMap((s) => (s.thread instanceof StreamThread ? [...s.thread.activeTasks.keys()] : s.thread.taskIds()));
  }

  /** The active tasks of the threads running here. */
  get activeTasks(): ReadonlyMap<string, StreamTask> {
    if (this.slots.length === 1) return (this.slots[0] as Slot).thread.activeTasks;
    const all = new Map<string, StreamTask>();
    for (const s of this.slots) for (const [id, task] of s.thread.activeTasks) all.set(id, task);
    return all;
  }

  /** Each thread keeps a copy of the global stores; any one serves a query. */
  globalStore(storeName: string): StateStore | undefined {
    for (const s of this.slots) {
      const store = s.thread.globalState?.stores.get(storeName);
      if (store) return store;
    }
    return undefined;
  }

  /** The partition counts the threads prepared (the same for all of them). */
  get topicLayout(): TopicLayout | undefined {
    for (const s of this.slots) if (s.thread.topicLayout) return s.thread.topicLayout;
    return undefined;
  }

  /** Every thread reads all announcements of the application; the first one's view serves the instance. */
  get instances(): InstanceMetadata {
    return this.first.instances;
  }

  /** One lookup function per worker thread, each running a method of that worker's view of the store. */
  queryWorkers(query: Omit<StoreQuery, 'kind' | 'method' | 'args'>): Array<(method: string, args: unknown[]) => unknown> {
    const out: Array<(method: string, args: unknown[]) => unknown> = [];
    for (const s of this.slots) {
      if (s.thread instanceof StreamThread) continue;
      // The worker in this place when the lookup runs: a view outlives a replaced worker.
      out.push((method, args) => (s.thread as WorkerStreamThread).query({ ...query, method, args }));
    }
    return out;
  }

  droppedRecords(): Map<string, number> {
    const out = new Map<string, number>();
    for (const s of this.slots) for (const [reason, n] of s.thread.droppedRecords()) out.set(reason, (out.get(reason) ?? 0) + n);
    return out;
  }

  get standbyTaskIds(): string[] {
    return this.slots.flatMap((s) => s.thread.standbyTaskIds);
  }

  get standbyRecordsApplied(): number {
    return this.slots.reduce((n, s) => n + s.thread.standbyRecordsApplied, 0);
  }

  /** The counters of all threads together: sums, lag of every partition, the slowest last commit. */
  stats(): ThreadStats {
    const only = this.slots.length === 1 ? (this.slots[0] as Slot) : undefined;
    if (only && only.thread instanceof StreamThread) return only.stats;
    const total = new ThreadStats();
    for (const { stats, thread } of this.slots) {
      addStats(total, stats);
      if (!(thread instanceof StreamThread)) addStats(total, thread.stats());
    }
    return total;
  }

  metadata(): ThreadMetadata[] {
    return this.slots.map((s) => ({
      threadName: s.thread.name,
      threadState: s.state,
      activeTasks: s.thread instanceof StreamThread ? [...s.thread.activeTasks.keys()] : s.thread.taskIds(),
      standbyTasks: s.thread.standbyTaskIds,
    }));
  }

  private build(slot: Slot): AnyStreamThread {
    slot.state = 'CREATED';
    // Callbacks of a thread that was replaced meanwhile are ignored: only the place's current thread speaks for it.
    const current = (): boolean => slot.thread === thread;
    const thread: AnyStreamThread = this.create(slot.index, slot.stats, {
      onRebalancing: () => {
        if (!current()) return;
        slot.state = 'REBALANCING';
        this.listener.onStateChange('REBALANCING');
      },
      onRunning: () => {
        if (!current()) return;
        slot.state = 'RUNNING';
        this.listener.onStateChange(this.slots.every((s) => s.state === 'RUNNING') ? 'RUNNING' : 'REBALANCING');
      },
      onFatal: (error) => {
        if (!current()) return;
        slot.state = 'DEAD';
        this.listener.onThreadDied(slot.index, thread, error);
      },
    });
    return thread;
  }

  private slotOf(index: number): Slot {
    const slot = this.slots.find((s) => s.index === index);
    if (!slot) throw new RangeError(`No stream thread ${index}`);
    return slot;
  }
}

/**
 * Static membership per thread: each thread is its own group member, so each needs its own `group.instance.id`.
 * Thread 1 keeps the configured one (an instance with one thread joins as it always did); thread n appends `-n`.
 */
export function threadGroupInstanceId(groupInstanceId: string | undefined, index: number): string | undefined {
  return groupInstanceId === undefined || index === 1 ? groupInstanceId : `${groupInstanceId}-${index}`;
}

/** Adds `from`'s counters to `into`: sums, the lag of every partition, the slowest last commit. */
function addStats(into: ThreadStats, from: ThreadStats): void {
  into.processed += from.processed;
  into.commits += from.commits;
  into.lastCommitMs = Math.max(into.lastCommitMs, from.lastCommitMs);
  into.restoredRecords += from.restoredRecords;
  into.restoring = { done: into.restoring.done + from.restoring.done, total: into.restoring.total + from.restoring.total };
  into.recoveries += from.recoveries;
  into.retriableErrors += from.retriableErrors;
  for (const [partition, lag] of from.lag) into.lag.set(partition, lag);
}
