import { closeSync, existsSync, mkdirSync, openSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { offsetKey, splitOffsetKey } from './consumer-groups.js';
import { fsyncDir } from './fs-sync.js';
import { MetaLog, type MetaEntry } from './meta-log.js';
import { metaPath } from './meta-store.js';
import { PartitionFile, type SegmentConfig } from './partition-file.js';
import { PartitionLog } from './partition-log.js';
import { EntryKind } from './record-codec.js';
import type { Topic } from './topic-directory.js';
import { Txn } from './transaction.js';

/**
 * Written by a clean close (every file synced), removed on open: as Kafka's `.kafka_cleanshutdown`. After a clean
 * shutdown no write can have been torn, so even damage in a last entry or metadata line refuses to open.
 */
const CLEAN_SHUTDOWN_FILE = '.clean-shutdown';

export function topicDir(dataDir: string, name: string): string {
  return join(dataDir, 'topics', encodeURIComponent(name));
}

/** Marks the data directory as shut down cleanly; the caller has synced every file. */
export function markCleanShutdown(dataDir: string): void {
  closeSync(openSync(join(dataDir, CLEAN_SHUTDOWN_FILE), 'w'));
  fsyncDir(dataDir);
}

/**
 * Moves aside the directory of a topic about to be created, if there is one: a directory the metadata does not name
 * (kept on open), whose records the new topic must not adopt. Moved, not deleted: it may be the data of a topic whose
 * metadata line was lost.
 */
export function quarantineOrphan(dataDir: string, name: string): void {
  if (!existsSync(topicDir(dataDir, name))) return;
  const aside = join(dataDir, 'quarantine', `orphaned-${encodeURIComponent(name)}-${Date.now()}`);
  mkdirSync(join(dataDir, 'quarantine'), { recursive: true });
  renameSync(topicDir(dataDir, name), aside);
  fsyncDir(join(dataDir, 'topics'));
  fsyncDir(join(dataDir, 'quarantine'));
  process.emitWarning(`${topicDir(dataDir, name)} belonged to no topic; moved to ${aside} before creating "${name}"`, 'TributaryLogRecovery');
}

/** Where and how partition files are opened: on load, and for topics created later. */
export interface PartitionFiles {
  readonly dataDir: string;
  /** The last close was clean: a damaged last entry is refused rather than cut. */
  readonly cleanShutdown: boolean;
  segmentConfig(topicConfig: Readonly<Record<string, string>>): SegmentConfig;
}

/** What opening the partitions gathers for recovery, across all of them. */
interface Recovery {
  /** Transactions with records and no marker, by id: one object across the partitions they wrote. */
  readonly txns: Map<number, Txn>;
  /** Log-start offsets from the metadata, by `offsetKey`. */
  readonly logStarts: Map<string, number>;
  /** The largest transaction id seen in any partition. */
  maxTxnId: number;
}

/**
 * A topic's partitions, each opened on its files with `files` (in memory only without). Without `recovery` the
 * directory is new (a topic being created), so there is nothing to recover.
 */
export function openTopic(
  files: PartitionFiles | undefined,
  name: string,
  numPartitions: number,
  config: Record<string, string>,
  recovery?: Recovery,
): Topic {
  const partitions: PartitionLog[] = [];
  if (files !== undefined) mkdirSync(topicDir(files.dataDir, name), { recursive: true });
  for (let i = 0; i < numPartitions; i++) {
    const p = new PartitionLog(name, i);
    if (files !== undefined) openPartitionFile(files, p, config, recovery);
    partitions.push(p);
  }
  return { name, partitions, config };
}

/**
 * Opens the partition's segments, verifying every entry, and rebuilds what memory needs: the next offset,
 * transactions aborted here (read_committed skips their records) and transactions without a marker yet.
 */
function openPartitionFile(files: PartitionFiles, p: PartitionLog, config: Record<string, string>, recovery: Recovery | undefined): void {
  const openFirst = new Map<number, number>();
  const aborted = new Set<number>();
  let maxTxnId = 0;
  const dir = join(topicDir(files.dataDir, p.topic), String(p.partition));
  const file = PartitionFile.open(dir, files.segmentConfig(config), (h) => {
    if (h.txnId === 0) return;
    if (h.txnId > maxTxnId) maxTxnId = h.txnId;
    if (h.kind === EntryKind.Data) {
      if (!openFirst.has(h.txnId)) openFirst.set(h.txnId, h.offset);
    } else {
      openFirst.delete(h.txnId);
      if (h.kind === EntryKind.AbortMarker) aborted.add(h.txnId);
    }
  }, files.cleanShutdown);
  const next = Math.max(file.writtenEnd, file.active.baseOffset);
  p.attach(file, next, recovery?.logStarts.get(offsetKey(p.topic, p.partition)) ?? 0);
  for (const id of aborted) p.abortedTxns.add(id);
  if (recovery !== undefined && maxTxnId > recovery.maxTxnId) recovery.maxTxnId = maxTxnId;
  for (const [id, first] of openFirst) {
    let txn = recovery?.txns.get(id);
    if (txn === undefined) {
      txn = new Txn(id, '');
      recovery?.txns.set(id, txn);
    }
    p.restoreOpenTransaction(txn, first);
  }
}

/** What the metadata file says, replayed. */
interface MetaState {
  readonly topicSpecs: Map<string, { partitions: number; config: Record<string, string> }>;
  readonly committedTxns: Set<number>;
  /** Committed offsets by group, keyed by `offsetKey`. */
  readonly offsets: Map<string, Map<string, number>>;
  readonly logStarts: Map<string, number>;
}

function replay(entries: ReadonlyArray<MetaEntry>): MetaState {
  const state: MetaState = { topicSpecs: new Map(), committedTxns: new Set(), offsets: new Map(), logStarts: new Map() };
  for (const entry of entries) {
    switch (entry.t) {
      case 'topic':
        state.topicSpecs.set(entry.name, { partitions: entry.partitions, config: entry.config });
        break;
      case 'delete-topic':
        state.topicSpecs.delete(entry.name);
        for (const key of [...state.logStarts.keys()]) if (splitOffsetKey(key)[0] === entry.name) state.logStarts.delete(key);
        break;
      case 'log-start':
        state.logStarts.set(offsetKey(entry.topic, entry.partition), entry.offset);
        break;
      case 'offsets':
        applyTriples(state.offsets, entry.group, entry.offsets);
        break;
      case 'txn': {
        state.committedTxns.add(entry.id);
        for (const g of entry.groups) applyTriples(state.offsets, g.group, g.offsets);
        break;
      }
    }
  }
  return state;
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

export interface LoadedLog {
  readonly files: PartitionFiles;
  readonly topics: Map<string, Topic>;
  /** Committed offsets by group, keyed by `offsetKey`. */
  readonly offsets: Map<string, Map<string, number>>;
  /** The largest transaction id found, in the metadata or in a partition. */
  readonly maxTxnId: number;
}

/**
 * Rebuilds the log from disk. Transactions without a marker were cut off by a crash: those whose `txn` meta entry
 * made it to disk are completed as committed, the others aborted, exactly as Kafka's coordinator recovers; their
 * markers are synced before this returns, as the next snapshot of the metadata forgets the commit entries. Damage a
 * crash cannot explain throws `CorruptLogError` (nothing is cut or deleted); topic directories the metadata does not
 * name are kept.
 */
export function loadLog(dataDir: string, segmentConfig: PartitionFiles['segmentConfig']): LoadedLog {
  mkdirSync(join(dataDir, 'topics'), { recursive: true });
  const cleanMarker = join(dataDir, CLEAN_SHUTDOWN_FILE);
  const files: PartitionFiles = { dataDir, cleanShutdown: existsSync(cleanMarker), segmentConfig };
  const meta = replay(MetaLog.read(metaPath(dataDir), files.cleanShutdown).entries);
  const recovery: Recovery = { txns: new Map(), logStarts: meta.logStarts, maxTxnId: 0 };
  const topics = new Map<string, Topic>();
  const unfinished: Array<[PartitionLog, Txn]> = [];
  try {
    for (const [name, spec] of meta.topicSpecs) {
      const topic = openTopic(files, name, spec.partitions, spec.config, recovery);
      topics.set(name, topic);
      for (const p of topic.partitions) for (const txn of p.openTransactions()) unfinished.push([p, txn]);
    }
  } catch (err) {
    for (const topic of topics.values()) for (const p of topic.partitions) p.file?.close();
    throw err;
  }
  // Everything read and found sound; removed before the first write, as a crash from here on is not clean.
  if (files.cleanShutdown) {
    rmSync(cleanMarker);
    fsyncDir(dataDir);
  }
  // Directories of topics deleted just before a crash. A directory the metadata does not name is kept: it may be
  // a topic whose metadata line was lost (see `tributary-log repair`).
  rmSync(join(dataDir, 'deleted'), { recursive: true, force: true });
  for (const dir of readdirSync(join(dataDir, 'topics'))) {
    if (!meta.topicSpecs.has(decodeURIComponent(dir))) {
      process.emitWarning(`${join(dataDir, 'topics', dir)} belongs to no topic in the metadata; kept (see tributary-log check)`, 'TributaryLogRecovery');
    }
  }
  for (const [p, txn] of unfinished) {
    const committed = meta.committedTxns.has(txn.id);
    txn.status = committed ? 'committed' : 'aborted';
    p.appendMarker(txn, committed);
    // The next snapshot forgets the commit entry, so the marker must be on disk first.
    p.file?.syncNow();
  }
  let maxTxnId = recovery.maxTxnId;
  for (const id of meta.committedTxns) if (id > maxTxnId) maxTxnId = id;
  return { files, topics, offsets: meta.offsets, maxTxnId };
}
