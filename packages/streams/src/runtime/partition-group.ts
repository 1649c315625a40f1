/**
 * Buffered input of one task, one queue per input partition. The next record is the head with the smallest
 * timestamp, so a task that reads several partitions (joins, merges) processes them in event-time order, as Kafka
 * Streams' `PartitionGroup` does.
 */
import type { ConsumedRecord } from '../backend/port.js';

class RecordQueue {
  private items: ConsumedRecord[] = [];
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
    this.head++;
    // Compact now and then so long-running queues do not keep consumed records alive.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
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

  /** The queue the previous record went to: polled records come in runs of one partition. */
  private lastAdded: { topic: string; partition: number; queue: RecordQueue } | undefined;

  add(record: ConsumedRecord): void {
    const last = this.lastAdded;
    let queue: RecordQueue | undefined;
    if (last !== undefined && last.partition === record.partition && last.topic === record.topic) {
      queue = last.queue;
    } else {
      queue = this.queueOf(record.topic, record.partition, true) as RecordQueue;
      this.lastAdded = { topic: record.topic, partition: record.partition, queue };
    }
    queue.push(record);
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
