import { join } from 'node:path';
import type { ConsumerGroup } from './consumer-group.js';
import { toTriples } from './consumer-groups.js';
import { MetaLog, type MetaEntry } from './meta-log.js';
import type { Topic } from './topic-directory.js';

const META_COMPACT_EVERY = 10000;

export function metaPath(dataDir: string): string {
  return join(dataDir, 'meta.jsonl');
}

/** What the metadata describes, and what must be on disk before a snapshot may replace the file. */
export interface MetaSource {
  isClosed(): boolean;
  topics(): Iterable<Topic>;
  groups(): Iterable<ConsumerGroup>;
  /** Syncs every partition file. */
  flushAll(): Promise<void>;
}

/**
 * The metadata file (`MetaLog`) of a running log: it takes the appends, and since offset commits arrive every commit
 * interval it is rewritten as a snapshot of topics, log-start offsets and group offsets now and then.
 */
export class MetaStore {
  /** Appends (offset and transaction commits) since the last snapshot. */
  private appends = 0;
  private txnCommits = 0;
  private compacting = false;
  private inFlight = 0;

  private constructor(
    private file: MetaLog,
    private readonly path: string,
    private readonly source: MetaSource,
  ) {}

  /** Replaces the file with a snapshot of what `source` holds now and appends to it from then on. */
  static start(dataDir: string, source: MetaSource): MetaStore {
    const path = metaPath(dataDir);
    return new MetaStore(MetaLog.rewrite(path, snapshot(source)), path, source);
  }

  /** Appends and fsyncs before returning: for rare entries (topics) that later durable writes depend on. */
  appendSync(entry: MetaEntry): void {
    this.file.appendSync(entry);
  }

  /** Appends and waits until the entry is on disk. */
  async append(entry: MetaEntry): Promise<void> {
    this.inFlight++;
    try {
      await this.file.append(entry);
    } finally {
      this.inFlight--;
    }
  }

  /** Appends a transaction's commit point and waits until it is on disk. */
  async appendTxn(entry: Extract<MetaEntry, { readonly t: 'txn' }>): Promise<void> {
    await this.append(entry);
    this.txnCommits++;
  }

  /**
   * Rewrites the file as a snapshot once enough was appended. Only once every partition is synced: the snapshot
   * drops transaction entries, so their markers must be on disk.
   */
  maybeCompact(): void {
    if (this.compacting || ++this.appends < META_COMPACT_EVERY) return;
    this.compacting = true;
    const commitsBefore = this.txnCommits;
    void this.source
      .flushAll()
      .then(() => {
        // Entries in flight are not in memory yet (nor would their fsync survive the file swap): try again later.
        if (this.source.isClosed() || this.txnCommits !== commitsBefore || this.inFlight > 0) return;
        const old = this.file;
        this.file = MetaLog.rewrite(this.path, snapshot(this.source));
        old.close();
        this.appends = 0;
      })
      .catch(() => {})
      .finally(() => {
        this.compacting = false;
      });
  }

  close(): void {
    this.file.close();
  }
}

/** Every topic, log-start offset and group offset: what the metadata says once no transaction is left to complete. */
function snapshot(source: MetaSource): MetaEntry[] {
  const entries: MetaEntry[] = [];
  for (const topic of source.topics()) {
    entries.push({ t: 'topic', name: topic.name, partitions: topic.partitions.length, config: { ...topic.config } });
    for (const p of topic.partitions) {
      if (p.logStartOffset > 0) entries.push({ t: 'log-start', topic: topic.name, partition: p.partition, offset: p.logStartOffset });
    }
  }
  for (const group of source.groups()) {
    if (group.offsets.size > 0) entries.push({ t: 'offsets', group: group.groupId, offsets: toTriples(group.offsets) });
  }
  return entries;
}
