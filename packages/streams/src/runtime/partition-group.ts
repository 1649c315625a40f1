/**
 * Buffered input of one task, one queue per input partition. The next record is the head with the smallest
 * timestamp, so a task that reads several partitions (joins, merges) processes them in event-time order, as Kafka
 * Streams' `PartitionGroup` does.
 */
import type { ConsumedRecord } from '../backend/port.js';

class RecordQueue {
  /** Records from `head` on; the slots before it are emptied as records are taken. */
  private items: Array<ConsumedRecord | undefined> = [];
  private head = 0;

  push(record: ConsumedRecord): void {
    this.items.push(record);
  }
  peek(): ConsumedRecord | undefined {
    return this.items[this.head];
  }
  shift(): ConsumedRecord | undefined {
    const r = this.items[this.head];
    if (r === undefined) return undefined;
    // The slot lets go of the record at once: a consumed record (and the buffers its key and value pin) must not stay
    // alive until the queue next compacts, which for a queue that keeps draining to empty could be never.
    this.items[this.head] = undefined;
    this.head++;
    if (this.head === this.items.length) {
      // Drained (the usual case: a poll's records are processed before the next poll): start over in place.
      this.items.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      // Compact now and then so long-running queues do not keep consumed records alive.
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return r;
  }
  get size(): number {
    return this.items.length - this.head;
  }
  clear(): void {
    this.items = [];
    this.head = 0;
  }
}

export class PartitionGroup {
  private readonly queues: RecordQueue[] = [];
  /** Queues by topic, then partition: found without building a string key per record. */
  private readonly byTopic = new Map<string, Map<number, RecordQueue>>();
  private buffered = 0;
  /** The queue the last record went to: records are added in runs of one partition. */
  private lastQueue: RecordQueue | undefined;
  private lastTopic = '';
  private lastPartition = -1;


  add(record: ConsumedRecord): void {
    let q = this.lastQueue;
    if (q === undefined || record.partition !== this.lastPartition || record.topic !== this.lastTopic) {
      q = this.queueOf(record.topic, record.partition, true) as RecordQueue;
      this.lastQueue = q;
      this.lastTopic = record.topic;
      this.lastPartition = record.partition;
    }
    q.push(record);
    this.buffered++;
  }

  private queueOf(topic: string, partition: number, create: boolean): RecordQueue | undefined {
    let partitions = this.byTopic.get(topic);
    if (!partitions) {
      if (!create) return undefined;
      this.byTopic.set(topic, (partitions = new Map()));
    }
    let q = partitions.get(partition);
    if (!q && create) {
      q = new RecordQueue();
      partitions.set(partition, q);
      this.queues.push(q);
    }
    return q;
  }

  next(): ConsumedRecord | undefined {
    if (this.queues.length === 1) {
      // One input partition (most tasks): no timestamps to compare.
      const r = this.queues[0]!.shift();
      if (r !== undefined) this.buffered--;
      return r;
    }
    let best: RecordQueue | undefined;
    let bestTs = Infinity;
    for (const q of this.queues) {
      const head = q.peek();
      if (head !== undefined && head.timestamp < bestTs) {
        best = q;
        bestTs = head.timestamp;
      }
    }
    if (!best) return undefined;
    this.buffered--;
    return best.shift();
  }

  get size(): number {
    return this.buffered;
  }

  /** Drops buffered records of one partition (after a seek or when a partition is revoked). */
  clearPartition(topic: string, partition: number): void {
    const q = this.queueOf(topic, partition, false);
    if (q) {
      this.buffered -= q.size;
      q.clear();
    }
  }

  clear(): void {
    for (const q of this.queues) q.clear();
    this.buffered = 0;
  }
}
