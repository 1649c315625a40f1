/**
 * Buffered input of one task, one queue per input partition. The next record is the head with the smallest
 * timestamp, so a task that reads several partitions (joins, merges) processes them in event-time order, as Kafka
 * Streams' `PartitionGroup` does.
 */
import type { ConsumedRecord } from '../backend/port.js';

class RecordQueue {
  private items: ConsumedRecord[] = [];
  private head = 0;

  push(records: ReadonlyArray<ConsumedRecord>): void {
    for (const r of records) this.items.push(r);
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
  private readonly queues = new Map<string, RecordQueue>();
  private buffered = 0;

  add(records: ReadonlyArray<ConsumedRecord>): void {
    for (const r of records) {
      const id = `${r.topic}\u0000${r.partition}`;
      let q = this.queues.get(id);
      if (!q) {
        q = new RecordQueue();
        this.queues.set(id, q);
      }
      q.push([r]);
      this.buffered++;
    }
  }

  next(): ConsumedRecord | undefined {
    let best: RecordQueue | undefined;
    let bestTs = Infinity;
    for (const q of this.queues.values()) {
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
    const q = this.queues.get(`${topic}\u0000${partition}`);
    if (q) {
      this.buffered -= q.size;
      q.clear();
    }
  }

  clear(): void {
    for (const q of this.queues.values()) q.clear();
    this.buffered = 0;
  }
}
