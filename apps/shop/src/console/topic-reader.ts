/**
 * Topics through the backend port only, so the console works the same on Kafka and on the embedded log: the admin
 * client lists them, and a group-less consumer (`assign`, never `subscribe`) reads offsets and records without
 * joining or disturbing any consumer group.
 */
import type { Backend, ConsumedRecord, Consumer, TopicPartition } from '@tributary/streams';

export interface PartitionOffsets {
  readonly partition: number;
  /** Log-start offset. */
  readonly beginning: number;
  /** Next offset to be written (committed records only). */
  readonly end: number;
}

export interface TopicSummary {
  readonly name: string;
  readonly partitions: ReadonlyArray<PartitionOffsets>;
  /** Records held now: the sum of `end - beginning` over partitions. */
  readonly records: number;
}

/** A record as the browser shows it: bytes decoded as UTF-8 text, long values cut. */
export interface RecordView {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly key: string | null;
  readonly value: string | null;
  readonly headers: Readonly<Record<string, string>>;
}

export interface RecordFilter {
  /** Exact key. */
  readonly key?: string | undefined;
  /** Text the value must contain. */
  readonly text?: string | undefined;
}

const MAX_VALUE_CHARS = 4096;

export function recordView(record: ConsumedRecord): RecordView {
  const value = record.value?.toString('utf8') ?? null;
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
    key: record.key?.toString('utf8') ?? null,
    value: value !== null && value.length > MAX_VALUE_CHARS ? `${value.slice(0, MAX_VALUE_CHARS)}…` : value,
    headers: Object.fromEntries(Object.entries(record.headers).map(([k, v]) => [k, v.toString('utf8')])),
  };
}

function matches(record: ConsumedRecord, filter: RecordFilter): boolean {
  if (filter.key !== undefined && filter.key !== '' && record.key?.toString('utf8') !== filter.key) return false;
  if (filter.text !== undefined && filter.text !== '' && !(record.value?.toString('utf8') ?? '').includes(filter.text)) return false;
  return true;
}

export class TopicReader {
  constructor(private readonly backend: Backend) {}

  async list(): Promise<TopicSummary[]> {
    const admin = this.backend.admin();
    let counts: Map<string, number>;
    try {
      counts = await admin.describeTopics(await admin.listTopics());
    } finally {
      await admin.close();
    }
    const names = [...counts.keys()].sort();
    return this.withConsumer(async (consumer) => {
      const partitions = names.flatMap((topic) => Array.from({ length: counts.get(topic) ?? 0 }, (_, partition) => ({ topic, partition })));
      const offsets = await this.offsets(consumer, partitions);
      return names.map((name) => {
        const ps = offsets.filter((o) => o.topic === name).map(({ partition, beginning, end }) => ({ partition, beginning, end }));
        return { name, partitions: ps, records: ps.reduce((sum, p) => sum + (p.end - p.beginning), 0) };
      });
    });
  }

  /** The last `limit` records of `topic` that pass `filter`, newest first, looking back at most `scan` records per partition. */
  async tail(topic: string, limit: number, filter: RecordFilter = {}, scan = 10_000): Promise<RecordView[]> {
    const found = await this.read(topic, (p) => Math.max(p.beginning, p.end - scan), filter);
    return found
      .sort((a, b) => b.timestamp - a.timestamp || b.offset - a.offset)
      .slice(0, limit)
      .map(recordView);
  }

  /** Every record of `topic` that passes `filter`, from the beginning (bounded by `scan` per partition). */
  async scan(topic: string, filter: RecordFilter, scan = 100_000): Promise<ConsumedRecord[]> {
    return this.read(topic, (p) => Math.max(p.beginning, p.end - scan), filter);
  }

  /** The records at the given offsets of `topic` (those still in the log). */
  async at(topic: string, positions: ReadonlyArray<{ partition: number; offset: number }>): Promise<ConsumedRecord[]> {
    const wanted = new Set(positions.map((p) => `${p.partition}:${p.offset}`));
    const found = await this.read(topic, (p) => {
      const first = positions.filter((w) => w.partition === p.partition).reduce((min, w) => Math.min(min, w.offset), Number.POSITIVE_INFINITY);
      return Number.isFinite(first) ? Math.max(p.beginning, first) : p.end;
    }, {});
    return found.filter((r) => wanted.has(`${r.partition}:${r.offset}`));
  }

  private async read(topic: string, start: (p: PartitionOffsets) => number, filter: RecordFilter): Promise<ConsumedRecord[]> {
    const admin = this.backend.admin();
    let count: number;
    try {
      count = (await admin.describeTopics([topic])).get(topic) ?? 0;
    } finally {
      await admin.close();
    }
    if (count === 0) throw new UnknownConsoleTopic(topic);
    return this.withConsumer(async (consumer) => {
      const offsets = await this.offsets(consumer, Array.from({ length: count }, (_, partition) => ({ topic, partition })));
      const todo = offsets.map((p) => ({ ...p, from: start(p) })).filter((p) => p.from < p.end);
      if (todo.length === 0) return [];
      await consumer.assign(todo.map((p) => ({ topic, partition: p.partition, offset: p.from })));
      const ends = new Map(todo.map((p) => [p.partition, p.end]));
      const out: ConsumedRecord[] = [];
      // Reads up to the end offsets taken above; records written since are for the next look.
      const deadline = Date.now() + 10_000;
      while (ends.size > 0 && Date.now() < deadline) {
        for (const record of await consumer.poll(500, 100)) {
          const end = ends.get(record.partition);
          if (end === undefined || record.offset >= end) continue;
          if (matches(record, filter)) out.push(record);
          if (record.offset >= end - 1) ends.delete(record.partition);
        }
        // Transaction markers take offsets without being records: a partition may end short of its end offset.
        for (const [partition, end] of ends) if (consumer.position({ topic, partition }) >= end) ends.delete(partition);
      }
      return out;
    });
  }

  private async offsets(consumer: Consumer, partitions: ReadonlyArray<TopicPartition>): Promise<Array<TopicPartition & PartitionOffsets>> {
    if (partitions.length === 0) return [];
    const [beginnings, ends] = await Promise.all([consumer.beginningOffsets(partitions), consumer.endOffsets(partitions)]);
    const key = (p: TopicPartition): string => `${p.topic}\u0000${p.partition}`;
    const endOf = new Map(ends.map((e) => [key(e), e.offset]));
    return beginnings.map((b) => ({ topic: b.topic, partition: b.partition, beginning: b.offset, end: endOf.get(key(b)) ?? b.offset }));
  }

  private async withConsumer<T>(use: (consumer: Consumer) => Promise<T>): Promise<T> {
    const consumer = await this.backend.createConsumer({ clientId: 'tributary-console', isolationLevel: 'read_committed', autoOffsetReset: 'earliest' });
    try {
      return await use(consumer);
    } finally {
      await consumer.close();
    }
  }
}

/** The topic the console was asked about does not exist (a 404, not a failure). */
export class UnknownConsoleTopic extends Error {
  override readonly name = 'UnknownConsoleTopic';
  constructor(readonly topic: string) {
    super(`Topic "${topic}" does not exist`);
  }
}
