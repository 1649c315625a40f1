import {
  CommitFailedError,
  type ConsumedRecord,
  type Consumer,
  type ConsumerGroupMetadata,
  type ConsumerOptions,
  type RebalanceListener,
  type TopicPartition,
  type TopicPartitionOffset,
} from '../port.js';
import type { ConsumerGroup, GroupMember } from './consumer-group.js';
import { offsetKey, type EmbeddedLog } from './embedded-log.js';
import type { PartitionLog } from './partition-log.js';
import type { Subscription } from './topic-directory.js';

const DEFAULT_MAX_POLL_INTERVAL_MS = 300000;
const DEFAULT_SESSION_TIMEOUT_MS = 45000;
/** While waiting for other members to join a rebalance, wake this often to drop members that stopped polling. */
const REBALANCE_CHECK_MS = 250;

/**
 * A consumer on the embedded log. Group membership, rebalance callbacks and fetching all happen inside `poll()`,
 * as in Kafka's consumer; a poll with nothing to return waits on the log's signal rather than spinning.
 */
export class EmbeddedConsumer implements Consumer {
  private assigned: PartitionLog[] = [];
  /** Absent: not yet resolved (committed offset, else the reset policy) — resolved lazily, after the listener ran. */
  private readonly positions = new Map<PartitionLog, number>();
  private readonly paused = new Set<PartitionLog>();
  private subscription: Subscription | null = null;
  private listener: RebalanceListener | null = null;
  private member: GroupMember | null = null;
  private manual = false;
  private nextStart = 0;
  private closed = false;
  private readonly readCommitted: boolean;

  constructor(
    private readonly log: EmbeddedLog,
    private readonly options: ConsumerOptions,
  ) {
    this.readCommitted = options.isolationLevel === 'read_committed';
  }

  async subscribe(topics: ReadonlyArray<string> | RegExp, listener: RebalanceListener): Promise<void> {
    this.ensureOpen();
    const group = this.requireGroup();
    if (this.manual) throw new Error('subscribe() after assign(): call unassign() first');
    this.subscription = topics instanceof RegExp ? topics : [...topics];
    this.listener = listener;
    if (this.member !== null && !this.member.removed) group.updateSubscription(this.member, this.subscription);
  }

  async assign(partitions: ReadonlyArray<TopicPartitionOffset>): Promise<void> {
    this.ensureOpen();
    if (this.subscription !== null) throw new Error('assign() on a subscribed consumer');
    const logs = partitions.map((tp) => this.log.requirePartition(tp.topic, tp.partition));
    this.manual = true;
    this.setAssignment(partitions);
    partitions.forEach((tp, i) => {
      if (tp.offset >= 0) this.positions.set(logs[i]!, tp.offset);
    });
  }

  async unassign(): Promise<void> {
    this.manual = false;
    this.setAssignment([]);
  }

  assignment(): TopicPartition[] {
    return this.assigned.map((p) => ({ topic: p.topic, partition: p.partition }));
  }

  async poll(maxRecords: number, timeoutMs: number): Promise<ConsumedRecord[]> {
    this.ensureOpen();
    const deadline = Date.now() + Math.max(0, timeoutMs);
    const out: ConsumedRecord[] = [];
    try {
      for (;;) {
        if (this.subscription !== null) await this.ensureGroup(deadline);
        // Closed by another caller while this poll waited: an empty answer, as a woken-up Kafka poll gives.
        if (this.closed || this.log.isClosed) return out;
        this.fetch(maxRecords, out);
        if (out.length > 0) return out;
        const remaining = deadline - Date.now();
        if (remaining <= 0) return out;
        await this.log.signal.wait(remaining);
      }
    } finally {
      if (this.member !== null) {
        this.member.inPoll = false;
        this.member.lastPollMs = Date.now();
      }
    }
  }

  seek(position: TopicPartitionOffset): void {
    const p = this.assignedPartition(position);
    if (!Number.isInteger(position.offset) || position.offset < 0) throw new RangeError(`Invalid offset ${position.offset}`);
    this.positions.set(p, position.offset);
  }

  position(partition: TopicPartition): number {
    return this.resolvePosition(this.assignedPartition(partition));
  }

  pause(partitions: ReadonlyArray<TopicPartition>): void {
    for (const tp of partitions) this.paused.add(this.assignedPartition(tp));
  }

  resume(partitions: ReadonlyArray<TopicPartition>): void {
    for (const tp of partitions) this.paused.delete(this.assignedPartition(tp));
  }

  async committed(partitions: ReadonlyArray<TopicPartition>): Promise<TopicPartitionOffset[]> {
    const group = this.options.groupId === undefined ? undefined : this.log.group(this.options.groupId);
    return partitions.map((tp) => ({
      topic: tp.topic,
      partition: tp.partition,
      offset: group?.offsets.get(offsetKey(tp.topic, tp.partition)) ?? -1,
    }));
  }

  async commit(offsets: ReadonlyArray<TopicPartitionOffset>): Promise<void> {
    this.ensureOpen();
    const group = this.requireGroup();
    const meta = this.groupMetadata();
    if (!group.isCurrent(meta.memberId, meta.generationId)) {
      throw new CommitFailedError(
        `Commit failed: member "${meta.memberId}" of group "${group.groupId}" is not in the current generation ${group.generationId} ` +
          '(it was dropped or a rebalance completed); its partitions may have moved',
      );
    }
    await this.log.commitOffsets(
      group.groupId,
      offsets.map((o) => [o.topic, o.partition, o.offset]),
    );
  }

  async beginningOffsets(partitions: ReadonlyArray<TopicPartition>): Promise<TopicPartitionOffset[]> {
    return partitions.map((tp) => ({ ...tp, offset: this.log.requirePartition(tp.topic, tp.partition).logStartOffset }));
  }

  async endOffsets(partitions: ReadonlyArray<TopicPartition>): Promise<TopicPartitionOffset[]> {
    return partitions.map((tp) => {
      const p = this.log.requirePartition(tp.topic, tp.partition);
      return { topic: tp.topic, partition: tp.partition, offset: this.readCommitted ? p.lastStableOffset : p.highWatermark };
    });
  }

  groupMetadata(): ConsumerGroupMetadata {
    const live = this.member !== null && !this.member.removed;
    return {
      groupId: this.options.groupId ?? '',
      generationId: live ? this.member!.generation : -1,
      memberId: live ? this.member!.memberId : '',
      groupInstanceId: this.options.groupInstanceId,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    const member = this.member;
    try {
      if (member !== null && this.listener !== null && this.assigned.length > 0 && !this.log.isClosed) {
        const owned = this.assignment();
        if (member.removed) await (this.listener.onPartitionsLost ?? this.listener.onPartitionsRevoked).call(this.listener, owned);
        else await this.listener.onPartitionsRevoked(owned);
      }
    } finally {
      this.setAssignment([]);
      this.closed = true;
      if (member !== null && this.options.groupId !== undefined) this.log.group(this.options.groupId).leave(member, Date.now());
      this.member = null;
      this.log.signal.notify();
    }
  }

  /**
   * Joins, revokes and assigns as the group requires, awaiting the listener at each step. Returns when this member
   * holds the current generation's assignment, or at the deadline while other members have yet to join.
   */
  private async ensureGroup(deadline: number): Promise<void> {
    const group = this.requireGroup();
    const listener = this.listener!;
    for (;;) {
      if (this.closed || this.log.isClosed) return;
      const now = Date.now();
      if (this.member === null || this.member.removed) {
        if (this.member !== null && this.assigned.length > 0) {
          // Dropped from the group: the partitions already belong to others, so they are lost, not revoked.
          const lost = this.assignment();
          try {
            await (listener.onPartitionsLost ?? listener.onPartitionsRevoked).call(listener, lost);
          } finally {
            this.setAssignment([]);
          }
        }
        this.member = this.join(group, now);
      }
      const member = this.member;
      member.inPoll = true;
      member.lastPollMs = now;
      group.maintain(now);
      if (member.removed) continue;
      if (group.rebalancing) {
        if (!member.joined) {
          // The partitions stay assigned during the callback so that it can read positions and commit them.
          const revoked = this.assignment();
          try {
            if (revoked.length > 0) await listener.onPartitionsRevoked(revoked);
          } finally {
            this.setAssignment([]);
            group.markJoined(member);
          }
          continue;
        }
        const remaining = deadline - Date.now();
        if (remaining <= 0) return;
        await this.log.signal.wait(Math.min(remaining, REBALANCE_CHECK_MS));
        continue;
      }
      if (member.generation !== group.generationId) {
        member.generation = group.generationId;
        const partitions = group.assignmentOf(member);
        this.setAssignment(partitions);
        await listener.onPartitionsAssigned(partitions.map((tp) => ({ topic: tp.topic, partition: tp.partition })));
        continue;
      }
      return;
    }
  }

  private join(group: ConsumerGroup, now: number): GroupMember {
    return group.join(
      this.options.clientId,
      this.options.groupInstanceId,
      this.subscription!,
      this.options.maxPollIntervalMs ?? DEFAULT_MAX_POLL_INTERVAL_MS,
      this.options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS,
      now,
    );
  }

  private fetch(maxRecords: number, out: ConsumedRecord[]): void {
    const n = this.assigned.length;
    if (n === 0) return;
    const start = this.nextStart++ % n;
    for (let k = 0; k < n && out.length < maxRecords; k++) {
      const p = this.assigned[(start + k) % n]!;
      if (this.paused.has(p) || this.log.partition(p.topic, p.partition) !== p) continue;
      const position = this.resolvePosition(p);
      const end = this.readCommitted ? p.lastStableOffset : p.highWatermark;
      if (position >= end) continue;
      this.positions.set(p, p.read(position, end, this.readCommitted, maxRecords - out.length, out));
    }
  }

  private resolvePosition(p: PartitionLog): number {
    const known = this.positions.get(p);
    if (known !== undefined && known >= p.logStartOffset && known <= p.highWatermark) return known;
    let position: number | undefined;
    if (known === undefined && this.options.groupId !== undefined) {
      position = this.log.group(this.options.groupId).offsets.get(offsetKey(p.topic, p.partition));
      if (position !== undefined && (position < p.logStartOffset || position > p.highWatermark)) position = undefined;
    }
    if (position === undefined) {
      if (this.options.autoOffsetReset === 'earliest') position = p.logStartOffset;
      else position = this.readCommitted ? p.lastStableOffset : p.highWatermark;
    }
    this.positions.set(p, position);
    return position;
  }

  private setAssignment(partitions: ReadonlyArray<TopicPartition>): void {
    this.assigned = [];
    this.positions.clear();
    this.paused.clear();
    for (const tp of partitions) {
      const p = this.log.partition(tp.topic, tp.partition);
      if (p !== undefined) this.assigned.push(p);
    }
  }

  private assignedPartition(tp: TopicPartition): PartitionLog {
    const p = this.assigned.find((a) => a.topic === tp.topic && a.partition === tp.partition);
    if (p === undefined) throw new Error(`Partition ${tp.topic}-${tp.partition} is not assigned to this consumer`);
    return p;
  }

  private requireGroup(): ConsumerGroup {
    if (this.options.groupId === undefined) throw new Error(`Consumer ${this.options.clientId} has no groupId`);
    return this.log.group(this.options.groupId);
  }

  private ensureOpen(): void {
    if (this.closed) throw new Error(`Consumer ${this.options.clientId} is closed`);
    if (this.log.isClosed) throw new Error('The embedded log is closed');
  }
}
