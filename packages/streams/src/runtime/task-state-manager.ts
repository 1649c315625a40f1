/**
 * The state of one task (Kafka Streams' `ProcessorStateManager`): it creates the task's stores, hands them a
 * `StateStoreContext`, routes their change-log writes to this task's changelog partitions, and owns what restore and
 * checkpoints need — the changelog partitions, their restore callbacks, and the changelog position up to which the
 * local stores hold each changelog. Active tasks and standby replicas both use it; nothing else reads or writes a
 * task's `.checkpoint` file.
 */
import type { Headers } from '../api/record.js';
import type { Consumer } from '../backend/port.js';
import { tpKey } from '../backend/topic-partition.js';
import type { RestoreRecord, StateStore, StateStoreContext } from '../state/store.js';
import type { PhysicalTopology } from '../topology/physical.js';
import { internalTopicName } from '../topology/physical.js';
import { deleteCheckpoint, hasCheckpoint, readCheckpoint, writeCheckpoint, type Checkpoint } from './checkpoint.js';
import type { Logger } from './config.js';
import { StreamsError } from './errors.js';
import type { RecordCollector } from './record-collector.js';
import { restoreChangelogs } from './restore.js';

/** Changelog records carry no headers; one shared (frozen) object instead of one per record. */
const NO_HEADERS: Headers = Object.freeze({});

export interface ChangelogInfo {
  readonly storeName: string;
  /** Real topic name. */
  readonly topic: string;
  readonly partition: number;
  readonly persistent: boolean;
  restore(batch: ReadonlyArray<RestoreRecord>): void;
}

export interface TaskStateManagerOptions {
  readonly taskId: string;
  readonly partition: number;
  readonly applicationId: string;
  readonly taskDir: string;
  readonly topology: PhysicalTopology;
  readonly storeNames: ReadonlyArray<string>;
  readonly collector: RecordCollector;
  readonly currentTimestamp: () => number;
  /**
   * Stores may commit without fsync and are synced before each checkpoint (`StateStoreContext.registerSync`). Only
   * under exactly-once, where a task's state without a checkpoint is wiped at start: a power loss can then tear only
   * state that is thrown away. Under at-least-once a checkpoint vouches for state that later unsynced commits could
   * damage in place (LMDB without sync may reuse pages of the synced snapshot), so commits stay synchronous there.
   */
  readonly deferSync: boolean;
}

/**
 * Kafka's OFFSET_DELTA_THRESHOLD_FOR_CHECKPOINT: at a commit the checkpoint is written only once the changelog
 * positions moved this many records past the last one written. Each write syncs the stores and fsyncs a file and its
 * folder on the stream thread; after a crash an older checkpoint costs only a longer replay of the changelog.
 */
export const CHECKPOINT_OFFSET_DELTA = 10_000;

export class TaskStateManager {
  private readonly stores = new Map<string, StateStore>();
  private readonly restorers = new Map<string, (batch: ReadonlyArray<RestoreRecord>) => void>();
  /** Next changelog offset the local stores hold, per changelog partition (`tpKey`). */
  private readonly positions = new Map<string, number>();
  /** How each open store of this task makes its committed writes durable (see `StateStoreContext.registerSync`). */
  private readonly syncs = new Set<{ readonly sync: () => void }>();
  private changelogList: ChangelogInfo[] | undefined;
  /** The positions the checkpoint this manager last wrote names (undefined: it wrote none yet). */
  private checkpointed: ReadonlyMap<string, number> | undefined;

  constructor(private readonly options: TaskStateManagerOptions) {}

  get taskDir(): string {
    return this.options.taskDir;
  }

  initializeStores(): void {
    const { topology, applicationId, taskId, taskDir, collector, partition } = this.options;
    for (const name of this.options.storeNames) {
      const spec = topology.stores.get(name);
      if (!spec) throw new StreamsError(`State store "${name}" is not defined in the topology`);
      const changelog = spec.changelogTopic ? internalTopicName(applicationId, spec.changelogTopic) : undefined;
      const context: StateStoreContext = {
        applicationId,
        taskId,
        taskDir,
        logChange: (_storeName, key, value, timestamp) => {
          if (!changelog) return;
          collector.send({ topic: changelog, partition, key, value, timestamp, headers: NO_HEADERS });
        },
        register: (store, restore) => {
          this.restorers.set(store.name, restore);
        },
        currentTimestamp: this.options.currentTimestamp,
        ...(this.options.deferSync
          ? {
              registerSync: (sync: () => void) => {
                const entry = { sync };
                this.syncs.add(entry);
                return () => this.syncs.delete(entry);
              },
            }
          : {}),
      };
      const store = spec.builder.build();
      store.init(context);
      this.stores.set(name, store);
    }
  }

  store(name: string): StateStore | undefined {
    return this.stores.get(name);
  }

  allStores(): ReadonlyMap<string, StateStore> {
    return this.stores;
  }

  /** Logged stores with their changelog partition and restore callback. */
  changelogs(): ReadonlyArray<ChangelogInfo> {
    if (this.changelogList) return this.changelogList;
    const out: ChangelogInfo[] = [];
    for (const [name, store] of this.stores) {
      const spec = this.options.topology.stores.get(name);
      const restore = this.restorers.get(name);
      if (!spec?.changelogTopic || !restore) continue;
      out.push({
        storeName: name,
        topic: internalTopicName(this.options.applicationId, spec.changelogTopic),
        partition: this.options.partition,
        persistent: store.persistent,
        restore,
      });
    }
    this.changelogList = out;
    return out;
  }

  get hasPersistentChangelogs(): boolean {
    return this.changelogs().some((c) => c.persistent);
  }

  get hasCheckpoint(): boolean {
    return hasCheckpoint(this.options.taskDir);
  }

  /** Where restore starts: the checkpointed offsets of this task's changelog partitions. */
  readCheckpoint(): Checkpoint {
    return readCheckpoint(this.options.taskDir);
  }

  /** After restore: the changelog positions the stores now hold; what was restored is made durable. */
  restored(positions: ReadonlyMap<string, number>, restoredRecords: number): void {
    for (const c of this.changelogs()) {
      const key = tpKey(c.topic, c.partition);
      const position = positions.get(key);
      if (position !== undefined) this.positions.set(key, position);
    }
    if (restoredRecords > 0) this.flush();
  }

  /**
   * Where a standby starts reading each changelog: persistent stores from their checkpoint, in-memory ones (which
   * start empty) from the beginning.
   */
  startPositions(): Map<string, number> {
    const checkpoint = readCheckpoint(this.options.taskDir);
    for (const c of this.changelogs()) {
      const key = tpKey(c.topic, c.partition);
      this.positions.set(key, c.persistent ? (checkpoint.get(key) ?? 0) : 0);
    }
    return new Map(this.positions);
  }

  position(topic: string, partition: number): number | undefined {
    return this.positions.get(tpKey(topic, partition));
  }

  setPosition(topic: string, partition: number, offset: number): void {
    this.positions.set(tpKey(topic, partition), offset);
  }

  /**
   * After a commit made output durable: `written` holds, per partition written, the offset after the last record
   * written there. The changelog partitions of this task move to those offsets.
   */
  advance(written: ReadonlyMap<string, number>): void {
    for (const key of this.positions.keys()) {
      const next = written.get(key);
      if (next !== undefined) this.positions.set(key, next);
    }
  }

  /**
   * Writes the checkpoint of the persistent stores. Callers flush the stores first (their writes committed); the
   * stores are then synced here, before the file is written, because store commits do not fsync (exactly-once never
   * checkpoints a running task, so a per-commit fsync would buy nothing): a checkpoint never names state that a
   * crash or a power loss could take away.
   */
  checkpoint(): void {
    const persistent = this.changelogs().filter((c) => c.persistent);
    if (persistent.length === 0) return;
    this.sync();
    const entries: Array<[string, number]> = [];
    for (const c of persistent) {
      const key = tpKey(c.topic, c.partition);
      const position = this.positions.get(key);
      if (position !== undefined) entries.push([key, position]);
    }
    const written = new Map(entries);
    writeCheckpoint(this.options.taskDir, written);
    this.checkpointed = written;
  }

  /**
   * At a commit: writes the checkpoint when none was written yet or the changelogs moved more than
   * `CHECKPOINT_OFFSET_DELTA` records since the last one (Kafka's `maybeCheckpoint`). Closing, handing over and
   * starting a task checkpoint unconditionally (`checkpoint`).
   */
  maybeCheckpoint(): void {
    const last = this.checkpointed;
    if (last !== undefined) {
      let delta = 0;
      for (const c of this.changelogs()) {
        if (!c.persistent) continue;
        const key = tpKey(c.topic, c.partition);
        delta += Math.abs((this.positions.get(key) ?? 0) - (last.get(key) ?? 0));
      }
      if (delta <= CHECKPOINT_OFFSET_DELTA) return;
    }
    this.checkpoint();
  }

  /** Exactly-once: while a task runs its local state may hold uncommitted writes, so no checkpoint may vouch for it. */
  deleteCheckpoint(): void {
    deleteCheckpoint(this.options.taskDir);
  }

  flush(): void {
    for (const store of this.stores.values()) store.flush();
  }

  /** Makes every store's committed writes durable (fsync); only the checkpoint needs this. */
  private sync(): void {
    for (const entry of this.syncs) entry.sync();
  }

  close(): void {
    let first: unknown;
    for (const store of this.stores.values()) {
      try {
        if (store.isOpen()) {
          store.flush();
          store.close();
        }
      } catch (error) {
        first ??= error;
      }
    }
    if (first) throw first;
  }
}

/**
 * Brings the stores of several tasks up to the end of their changelogs in one pass of the restore consumer
 * (persistent stores from their checkpoints, in-memory ones from the beginning), and makes what was restored durable.
 * Returns the number of changelog records applied.
 */
export async function restoreTasks(
  managers: ReadonlyArray<TaskStateManager>,
  consumer: Consumer,
  logger: Logger,
  onProgress?: (done: number, total: number) => void,
): Promise<number> {
  const changelogs = managers.flatMap((m) => m.changelogs());
  const checkpoint: Checkpoint = new Map();
  for (const m of managers) for (const [key, offset] of m.readCheckpoint()) checkpoint.set(key, offset);
  const result = await restoreChangelogs(consumer, changelogs, checkpoint, logger, onProgress);
  for (const m of managers) m.restored(result.positions, result.restoredRecords);
  return result.restoredRecords;
}
