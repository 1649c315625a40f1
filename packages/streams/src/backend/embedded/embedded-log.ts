import { closeSync, existsSync, mkdirSync, openSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { UnknownTopicError, type NewTopic } from '../port.js';
import type { ConsumerGroup } from './consumer-group.js';
import { ConsumerGroups, offsetKey, splitOffsetKey } from './consumer-groups.js';
import { fsyncDir } from './fs-sync.js';
import { CleanerScheduler, DEFAULT_CLEANER_INTERVAL_MS } from './cleaner-scheduler.js';
import { segmentConfigOf } from './log-cleaner.js';
import { MetaLog } from './meta-log.js';
import { MetaStore, metaPath } from './meta-store.js';
import { PartitionFile } from './partition-file.js';
import { CACHE_MAX_BYTES, CACHE_MIN_BYTES, PartitionLog } from './partition-log.js';
import { EntryKind } from './record-codec.js';
import { Signal } from './signal.js';
import type { Topic, TopicDirectory } from './topic-directory.js';
import { TransactionCoordinator } from './transaction-coordinator.js';
import { Txn } from './transaction.js';

/**
 * Written by a clean close (every file synced), removed on open: as Kafka's `.kafka_cleanshutdown`. After a clean
 * shutdown no write can have been torn, so even damage in a last entry or metadata line refuses to open.
 */
const CLEAN_SHUTDOWN_FILE = '.clean-shutdown';
/**
 * Memory for the recent entries all partitions keep in memory together (with a data directory): a system of many
 * topics (the shop has ~90 partitions) must not hold a megabyte per partition. Each partition gets a share within
 * [CACHE_MIN_BYTES, CACHE_MAX_BYTES].
 */
const TAIL_BUDGET_BYTES = 16 * 1024 * 1024;

export { DEFAULT_CLEANER_INTERVAL_MS, offsetKey, type Topic };

/**
 * The in-process broker: topics and their partitions, consumer groups with their committed offsets, and the
 * transaction coordinator. Producers, consumers and admin clients are thin views onto one `EmbeddedLog`; several
 * backends opened on one data directory share it.
 *
 * With a data directory every partition is a directory of segment files of checksummed entries and the metadata
 * (topics, log-start offsets, committed offsets, transaction commits) is a checksummed JSON-lines file; see
 * `PartitionFile` and `MetaLog`. A cleaner (`log-cleaner.ts`) enforces retention and compacts compacted topics.
 */
export class EmbeddedLog implements TopicDirectory {
  readonly signal = new Signal();
  topicsVersion = 0;
  references = 0;
  private readonly topics = new Map<string, Topic>();
  private readonly groups = new ConsumerGroups(this, this.signal);
  private meta: MetaStore | null = null;
  private readonly txns = new TransactionCoordinator({
    signal: this.signal,
    groups: this.groups,
    meta: () => this.meta,
    ensureOpen: () => this.ensureOpen(),
    isClosed: () => this.closed,
  });
  private closed = false;
  private readonly cleaner: CleanerScheduler | null = null;
  private cleanShutdown = false;

  constructor(
    readonly dataDir: string | undefined,
    readonly autoCreatePartitions: number | undefined,
    cleanerIntervalMs: number = DEFAULT_CLEANER_INTERVAL_MS,
    /** Configs for topics that do not set them (a broker's `log.*` defaults); never written into a topic's config. */
    private readonly topicDefaults: Readonly<Record<string, string>> = {},
  ) {
    if (dataDir !== undefined) {
      this.load(dataDir);
      this.cleaner = new CleanerScheduler(
        {
          isClosed: () => this.closed,
          topics: () => this.topics.values(),
          topic: (name) => this.topics.get(name),
          effectiveConfig: (config) => this.effectiveConfig(config),
        },
        cleanerIntervalMs,
      );
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
    if (this.dataDir !== undefined && existsSync(this.topicDir(spec.name))) {
      // A directory the metadata does not name (kept on open): a new topic must not adopt its records. Moved aside,
      // not deleted: it may be the data of a topic whose metadata line was lost.
      const aside = join(this.dataDir, 'quarantine', `orphaned-${encodeURIComponent(spec.name)}-${Date.now()}`);
      mkdirSync(join(this.dataDir, 'quarantine'), { recursive: true });
      renameSync(this.topicDir(spec.name), aside);
      fsyncDir(join(this.dataDir, 'topics'));
      fsyncDir(join(this.dataDir, 'quarantine'));
      process.emitWarning(`${this.topicDir(spec.name)} belonged to no topic; moved to ${aside} before creating "${spec.name}"`, 'TributaryLogRecovery');
    }
    this.meta?.appendSync({ t: 'topic', name: spec.name, partitions: spec.numPartitions, config });
    const topic = this.openTopic(spec.name, spec.numPartitions, config);
    if (this.dataDir !== undefined) {
      fsyncDir(this.topicDir(spec.name));
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
      renameSync(this.topicDir(name), join(deleted, `${encodeURIComponent(name)}-${Date.now()}`));
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
        closeSync(openSync(join(this.dataDir!, CLEAN_SHUTDOWN_FILE), 'w'));
        fsyncDir(this.dataDir!);
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

  private topicDir(name: string): string {
    return join(this.dataDir!, 'topics', encodeURIComponent(name));
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

  private openTopic(
    name: string,
    numPartitions: number,
    config: Record<string, string>,
    recovery?: { txns: Map<number, Txn>; logStarts: Map<string, number> },
  ): Topic {
    const partitions: PartitionLog[] = [];
    if (this.dataDir !== undefined) mkdirSync(this.topicDir(name), { recursive: true });
    for (let i = 0; i < numPartitions; i++) {
      const p = new PartitionLog(name, i);
      if (this.dataDir !== undefined) this.openPartitionFile(p, config, recovery);
      partitions.push(p);
    }
    const topic: Topic = { name, partitions, config };
    this.topics.set(name, topic);
    return topic;
  }

  /**
   * Opens the partition's segments, verifying every entry, and rebuilds what memory needs: the next offset,
   * transactions aborted here (read_committed skips their records) and transactions without a marker yet.
   */
  private openPartitionFile(
    p: PartitionLog,
    config: Record<string, string>,
    recovery: { txns: Map<number, Txn>; logStarts: Map<string, number> } | undefined,
  ): void {
    const openFirst = new Map<number, number>();
    const aborted = new Set<number>();
    let maxTxnId = 0;
    const dir = join(this.topicDir(p.topic), String(p.partition));
    const file = PartitionFile.open(dir, segmentConfigOf(this.effectiveConfig(config)), (h) => {
      if (h.txnId === 0) return;
      if (h.txnId > maxTxnId) maxTxnId = h.txnId;
      if (h.kind === EntryKind.Data) {
        if (!openFirst.has(h.txnId)) openFirst.set(h.txnId, h.offset);
      } else {
        openFirst.delete(h.txnId);
        if (h.kind === EntryKind.AbortMarker) aborted.add(h.txnId);
      }
    }, this.cleanShutdown);
    const next = Math.max(file.writtenEnd, file.active.baseOffset);
    p.attach(file, next, recovery?.logStarts.get(offsetKey(p.topic, p.partition)) ?? 0);
    for (const id of aborted) p.abortedTxns.add(id);
    this.txns.reserveIdsThrough(maxTxnId);
    for (const [id, first] of openFirst) {
      let txn = recovery?.txns.get(id);
      if (txn === undefined) {
        txn = new Txn(id, '');
        recovery?.txns.set(id, txn);
      }
      p.restoreOpenTransaction(txn, first);
    }
  }

  /**
   * Rebuilds the log from disk. Transactions without a marker were cut off by a crash: those whose `txn` meta entry
   * made it to disk are completed as committed, the others aborted, exactly as Kafka's coordinator recovers. Damage
   * a crash cannot explain throws `CorruptLogError` (nothing is cut or deleted); topic directories unknown to the
   * metadata are removed only when the metadata was read to its end.
   */
  private load(dataDir: string): void {
    mkdirSync(join(dataDir, 'topics'), { recursive: true });
    const topicSpecs = new Map<string, { partitions: number; config: Record<string, string> }>();
    const committedTxns = new Set<number>();
    const offsets = new Map<string, Map<string, number>>();
    const logStarts = new Map<string, number>();
    const cleanMarker = join(dataDir, CLEAN_SHUTDOWN_FILE);
    const cleanShutdown = existsSync(cleanMarker);
    this.cleanShutdown = cleanShutdown;
    const meta = MetaLog.read(metaPath(dataDir), cleanShutdown);
    for (const entry of meta.entries) {
      switch (entry.t) {
        case 'topic':
          topicSpecs.set(entry.name, { partitions: entry.partitions, config: entry.config });
          break;
        case 'delete-topic':
          topicSpecs.delete(entry.name);
          for (const key of [...logStarts.keys()]) if (splitOffsetKey(key)[0] === entry.name) logStarts.delete(key);
          break;
        case 'log-start':
          logStarts.set(offsetKey(entry.topic, entry.partition), entry.offset);
          break;
        case 'offsets':
          applyTriples(offsets, entry.group, entry.offsets);
          break;
        case 'txn': {
          committedTxns.add(entry.id);
          for (const g of entry.groups) applyTriples(offsets, g.group, g.offsets);
          break;
        }
      }
    }
    const txns = new Map<number, Txn>();
    const unfinished: Array<[PartitionLog, Txn]> = [];
    try {
      for (const [name, spec] of topicSpecs) {
        const topic = this.openTopic(name, spec.partitions, spec.config, { txns, logStarts });
        for (const p of topic.partitions) for (const txn of p.openTransactions()) unfinished.push([p, txn]);
      }
    } catch (err) {
      for (const topic of this.topics.values()) for (const p of topic.partitions) p.file?.close();
      this.closed = true;
      throw err;
    }
    // Everything read and found sound; removed before the first write, as a crash from here on is not clean.
    if (cleanShutdown) {
      rmSync(cleanMarker);
      fsyncDir(dataDir);
    }
    // Directories of topics deleted just before a crash. A directory the metadata does not name is kept: it may be
    // a topic whose metadata line was lost (see `tributary-log repair`).
    rmSync(join(dataDir, 'deleted'), { recursive: true, force: true });
    for (const dir of readdirSync(join(dataDir, 'topics'))) {
      if (!topicSpecs.has(decodeURIComponent(dir))) {
        process.emitWarning(`${join(dataDir, 'topics', dir)} belongs to no topic in the metadata; kept (see tributary-log check)`, 'TributaryLogRecovery');
      }
    }
    for (const [p, txn] of unfinished) {
      const committed = committedTxns.has(txn.id);
      txn.status = committed ? 'committed' : 'aborted';
      p.appendMarker(txn, committed);
      // The snapshot below forgets the commit entry, so the marker must be on disk first.
      p.file?.syncNow();
    }
    for (const id of committedTxns) this.txns.reserveIdsThrough(id);
    for (const [groupId, map] of offsets) this.groups.setOffsets(groupId, map);
    this.shareTailBudget();
    // Compacts the metadata to a snapshot: transaction entries are no longer needed once every marker is written.
    for (const topic of this.topics.values()) for (const p of topic.partitions) p.file?.writePending();
    this.meta = MetaStore.start(dataDir, {
      isClosed: () => this.closed,
      topics: () => this.topics.values(),
      groups: () => this.groups.all(),
      flushAll: () => this.flushAll(),
    });
  }
}

function applyTriples(
  into: Map<string, Map<string, number>>,
  groupId: string,
  triples: ReadonlyArray<[string, number, number]>,
): void {
  let map = into.get(groupId);
  if (map === undefined) {
    map = new Map();
    into.set(groupId, map);
  }
  for (const [topic, partition, offset] of triples) map.set(offsetKey(topic, partition), offset);
}
