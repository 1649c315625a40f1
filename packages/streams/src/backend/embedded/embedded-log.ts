import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { UnknownTopicError, type NewTopic } from '../port.js';
import { CleanerScheduler, DEFAULT_CLEANER_INTERVAL_MS, type CleanerHost } from './cleaner-scheduler.js';
import type { ConsumerGroup } from './consumer-group.js';
import { ConsumerGroups, offsetKey } from './consumer-groups.js';
import { fsyncDir } from './fs-sync.js';
import { segmentConfigOf } from './log-cleaner.js';
import { loadLog, markCleanShutdown, openTopic, quarantineOrphan, topicDir, type PartitionFiles } from './log-loader.js';
import { MetaStore, type MetaSource } from './meta-store.js';
import { CACHE_MAX_BYTES, CACHE_MIN_BYTES, type PartitionLog } from './partition-log.js';
import { Signal } from './signal.js';
import type { Topic, TopicDirectory } from './topic-directory.js';
import { TransactionCoordinator } from './transaction-coordinator.js';
import type { Txn } from './transaction.js';

/**
 * Memory for the recent entries all partitions keep in memory together (with a data directory): a system of many
 * topics (the shop has ~90 partitions) must not hold a megabyte per partition. Each partition gets a share within
 * [CACHE_MIN_BYTES, CACHE_MAX_BYTES].
 */
const TAIL_BUDGET_BYTES = 16 * 1024 * 1024;

export { DEFAULT_CLEANER_INTERVAL_MS, offsetKey, type Topic };

/**
 * The in-process broker: topics and their partitions, consumer groups with their committed offsets
 * (`ConsumerGroups`), and the transaction coordinator (`TransactionCoordinator`). Producers, consumers and admin
 * clients are thin views onto one `EmbeddedLog`; several backends opened on one data directory share it.
 *
 * With a data directory every partition is a directory of segment files of checksummed entries and the metadata
 * (topics, log-start offsets, committed offsets, transaction commits) is a checksummed JSON-lines file; see
 * `PartitionFile` and `MetaLog` (`MetaStore` while the log runs). Opening rebuilds the log from them (`loadLog`). A
 * cleaner (`log-cleaner.ts`, run by `CleanerScheduler`) enforces retention and compacts compacted topics.
 */
export class EmbeddedLog implements TopicDirectory {
  readonly signal = new Signal();
  topicsVersion = 0;
  references = 0;
  private readonly topics: Map<string, Topic>;
  private readonly groups = new ConsumerGroups(this, this.signal);
  private readonly meta: MetaStore | null = null;
  private readonly txns = new TransactionCoordinator({
    signal: this.signal,
    groups: this.groups,
    meta: () => this.meta,
    ensureOpen: () => this.ensureOpen(),
    isClosed: () => this.closed,
  });
  private closed = false;
  /** What the metadata store and the cleaner see of the log. */
  private readonly view: MetaSource & CleanerHost = {
    isClosed: () => this.closed,
    topics: () => this.topics.values(),
    topic: (name) => this.topic(name),
    groups: () => this.groups.all(),
    effectiveConfig: (config) => this.effectiveConfig(config),
    flushAll: () => this.flushAll(),
  };
  private readonly cleaner: CleanerScheduler | null = null;
  /** Where partition files are opened, with a data directory. */
  private readonly files: PartitionFiles | undefined;

  constructor(
    readonly dataDir: string | undefined,
    readonly autoCreatePartitions: number | undefined,
    cleanerIntervalMs: number = DEFAULT_CLEANER_INTERVAL_MS,
    /** Configs for topics that do not set them (a broker's `log.*` defaults); never written into a topic's config. */
    private readonly topicDefaults: Readonly<Record<string, string>> = {},
  ) {
    if (dataDir === undefined) {
      this.topics = new Map();
    } else {
      const loaded = loadLog(dataDir, (config) => segmentConfigOf(this.effectiveConfig(config)));
      this.files = loaded.files;
      this.topics = loaded.topics;
      this.txns.reserveIdsThrough(loaded.maxTxnId);
      for (const [groupId, offsets] of loaded.offsets) this.groups.setOffsets(groupId, offsets);
      this.shareTailBudget();
      // Compacts the metadata to a snapshot: transaction entries are no longer needed once every marker is written.
      for (const topic of this.topics.values()) for (const p of topic.partitions) p.file?.writePending();
      this.meta = MetaStore.start(dataDir, this.view);
      this.cleaner = new CleanerScheduler(this.view, cleanerIntervalMs);
    }
  }

  // --- topics -------------------------------------------------------------------------------------------------

  topicNames(): Iterable<string> {
    return this.topics.keys();
  }

  partitionCount(topic: string): number | undefined {
    return this.topics.get(topic)?.partitions.length;
  }

  topic(name: string): Topic | undefined {
    return this.topics.get(name);
  }

  /** The partition, or `UnknownTopicError` (after auto-creating the topic when configured). */
  partitionForWrite(topic: string, partition: number | undefined): Topic {
    let t = this.topics.get(topic);
    if (t === undefined && this.autoCreatePartitions !== undefined) {
      t = this.createTopic({ name: topic, numPartitions: this.autoCreatePartitions });
    }
    if (t === undefined) throw new UnknownTopicError(topic);
    if (partition !== undefined && (partition < 0 || partition >= t.partitions.length || !Number.isInteger(partition))) {
      throw new UnknownTopicError(`${topic}-${partition}`);
    }
    return t;
  }

  partition(topic: string, partition: number): PartitionLog | undefined {
    return this.topics.get(topic)?.partitions[partition];
  }

  requirePartition(topic: string, partition: number): PartitionLog {
    const p = this.partition(topic, partition);
    if (p === undefined) throw new UnknownTopicError(this.topics.has(topic) ? `${topic}-${partition}` : topic);
    return p;
  }

  createTopic(spec: NewTopic): Topic {
    this.ensureOpen();
    const existing = this.topics.get(spec.name);
    if (existing !== undefined) return existing;
    if (!Number.isInteger(spec.numPartitions) || spec.numPartitions < 1) {
      throw new RangeError(`Topic "${spec.name}" needs at least one partition, got ${spec.numPartitions}`);
    }
    const config = { ...(spec.config ?? {}) };
    if (this.dataDir !== undefined) quarantineOrphan(this.dataDir, spec.name);
    this.meta?.appendSync({ t: 'topic', name: spec.name, partitions: spec.numPartitions, config });
    const topic = openTopic(this.files, spec.name, spec.numPartitions, config);
    this.topics.set(spec.name, topic);
    if (this.dataDir !== undefined) {
      fsyncDir(topicDir(this.dataDir, spec.name));
      fsyncDir(join(this.dataDir, 'topics'));
    }
    this.shareTailBudget();
    this.topicsVersion++;
    this.signal.notify();
    return topic;
  }

  deleteTopic(name: string): void {
    this.ensureOpen();
    const topic = this.topics.get(name);
    if (topic === undefined) return;
    this.topics.delete(name);
    for (const p of topic.partitions) p.file?.close();
    if (this.dataDir !== undefined) {
      // Moved aside first (as Kafka renames to `-delete`): opening removes only what was moved there, never a
      // directory merely missing from the metadata.
      const deleted = join(this.dataDir, 'deleted');
      mkdirSync(deleted, { recursive: true });
      renameSync(topicDir(this.dataDir, name), join(deleted, `${encodeURIComponent(name)}-${Date.now()}`));
      fsyncDir(join(this.dataDir, 'topics'));
      fsyncDir(deleted);
      this.meta?.appendSync({ t: 'delete-topic', name });
      rmSync(deleted, { recursive: true, force: true });
    }
    this.groups.forgetTopic(name);
    this.shareTailBudget();
    this.topicsVersion++;
    this.signal.notify();
  }

  /** Divides the tail budget among the partitions (a shrunk limit applies from each partition's next append). */
  private shareTailBudget(): void {
    let count = 0;
    for (const topic of this.topics.values()) count += topic.partitions.length;
    const share = Math.min(CACHE_MAX_BYTES, Math.max(CACHE_MIN_BYTES, Math.floor(TAIL_BUDGET_BYTES / Math.max(1, count))));
    for (const topic of this.topics.values()) for (const p of topic.partitions) p.tailMaxBytes = share;
  }

  /** A topic's config as the log applies it: its own settings over the log's defaults. */
  private effectiveConfig(config: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
    return { ...this.topicDefaults, ...config };
  }

  /** Honours `message.timestamp.type=LogAppendTime`; otherwise the producer's timestamp (or now) is kept. */
  timestampFor(topic: Topic, requested: number | undefined): number {
    if (requested === undefined || topic.config['message.timestamp.type'] === 'LogAppendTime') return Date.now();
    return requested;
  }

  // --- groups -------------------------------------------------------------------------------------------------

  group(groupId: string): ConsumerGroup {
    return this.groups.get(groupId);
  }

  async commitOffsets(groupId: string, offsets: ReadonlyArray<[string, number, number]>): Promise<void> {
    this.ensureOpen();
    if (this.meta !== null) await this.meta.append({ t: 'offsets', group: groupId, offsets });
    this.groups.setOffsets(groupId, offsets.map(([topic, partition, offset]) => [offsetKey(topic, partition), offset]));
    this.meta?.maybeCompact();
  }

  // --- transactions -------------------------------------------------------------------------------------------

  /** Registers a producer epoch for a transactional id, fencing older ones and aborting their open transaction. */
  initProducer(transactionalId: string): number {
    return this.txns.initProducer(transactionalId);
  }

  checkEpoch(transactionalId: string, epoch: number): void {
    this.txns.checkEpoch(transactionalId, epoch);
  }

  beginTransaction(transactionalId: string, epoch: number, timeoutMs: number): Txn {
    return this.txns.beginTransaction(transactionalId, epoch, timeoutMs);
  }

  /** Makes the transaction's records and offsets visible, atomically: its commit point is one durable meta entry. */
  commit(txn: Txn): Promise<void> {
    return this.txns.commit(txn);
  }

  abort(txn: Txn): void {
    this.txns.abort(txn);
  }

  // --- lifecycle ----------------------------------------------------------------------------------------------

  /** Writes buffered entries of these partitions and waits until they are on disk. */
  async sync(partitions: Iterable<PartitionLog>): Promise<void> {
    if (this.dataDir === undefined) return;
    const waits: Array<Promise<void>> = [];
    for (const p of partitions) if (p.file !== null) waits.push(p.file.sync());
    await Promise.all(waits);
  }

  /** Syncs every partition file, so that a clean shutdown loses nothing that was sent. */
  async flushAll(): Promise<void> {
    const all: PartitionLog[] = [];
    for (const topic of this.topics.values()) all.push(...topic.partitions);
    await this.sync(all);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.cleaner?.stop();
    this.txns.close();
    let clean = this.dataDir !== undefined && this.meta !== null;
    for (const topic of this.topics.values()) {
      for (const p of topic.partitions) {
        try {
          p.file?.syncNow();
        } catch {
          clean = false;
        }
        p.file?.close();
      }
    }
    this.meta?.close();
    if (clean) {
      try {
        markCleanShutdown(this.dataDir!);
      } catch {
        // Without the marker the next open is merely more lenient with a torn tail.
      }
    }
    this.signal.notify();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private ensureOpen(): void {
    if (this.closed) throw new Error('The embedded log is closed');
  }

  // --- deleting records ---------------------------------------------------------------------------------------

  /**
   * Moves the partition's log-start offset to `offset` (Kafka's DeleteRecords): records below it are gone for
   * readers at once, whole segments below it are deleted, and the new start is durable before this returns. An
   * offset of -1 means the high watermark; beyond it is an error, as in Kafka (OFFSET_OUT_OF_RANGE).
   */
  deleteRecords(topic: string, partition: number, offset: number): number {
    this.ensureOpen();
    const p = this.requirePartition(topic, partition);
    const target = offset === -1 ? p.highWatermark : offset;
    if (!Number.isInteger(target) || target < 0 || target > p.highWatermark) {
      throw new RangeError(`deleteRecords: offset ${offset} of ${topic}-${partition} is outside [0, ${p.highWatermark}]`);
    }
    if (target <= p.logStartOffset) return p.logStartOffset;
    this.meta?.appendSync({ t: 'log-start', topic, partition, offset: target });
    p.advanceLogStart(target);
    return p.logStartOffset;
  }

  /** One round of retention and compaction over every partition, at once. */
  clean(now: number): void {
    this.cleaner?.clean(now);
  }

  /** One round of retention and compaction in slices between which the event loop runs (see `CleanerScheduler`). */
  cleanInSlices(now: number, sliceMs?: number): Promise<void> {
    return this.cleaner?.cleanInSlices(now, sliceMs) ?? Promise.resolve();
  }
}
