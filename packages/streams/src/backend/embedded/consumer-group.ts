import { randomUUID } from 'node:crypto';
import type { TopicPartition } from '../port.js';
import { rangeAssign } from './range-assignor.js';
import type { Signal } from './signal.js';
import { matchTopics, type Subscription, type TopicDirectory } from './topic-directory.js';

export class GroupMember {
  /** Generation of the assignment this member holds; -1 before its first. */
  generation = -1;
  /** Has revoked everything and joined the rebalance in progress. */
  joined = false;
  /** Left, expired or was replaced: its next poll must give up its partitions and rejoin. */
  removed = false;
  /** Inside `poll()`: such a member is alive however long the poll waits. */
  inPoll = false;
  lastPollMs: number;
  /** Static members that close stay in the group until their session times out (Kafka sends no LeaveGroup). */
  departedAtMs: number | undefined;
  topics = new Set<string>();

  constructor(
    readonly memberId: string,
    readonly groupInstanceId: string | undefined,
    public subscription: Subscription,
    readonly maxPollIntervalMs: number,
    readonly sessionTimeoutMs: number,
    nowMs: number,
  ) {
    this.lastPollMs = nowMs;
  }
}

/**
 * One consumer group with eager rebalancing. A rebalance is a round: every member first revokes all its partitions
 * (inside its own `poll()`, awaiting its listener) and joins; when the last member has joined, the range assignment
 * is computed and the generation bumped; then each member takes its partitions on its next poll. So no partition is
 * ever assigned to a member before its previous owner finished revoking it.
 */
export class ConsumerGroup {
  /** `topic\0partition` → committed offset (next to read). */
  readonly offsets = new Map<string, number>();
  generationId = 0;
  rebalancing = false;
  private readonly members = new Map<string, GroupMember>();
  private assignments = new Map<string, TopicPartition[]>();
  private seenTopicsVersion = -1;
  private assignedSignature = '';

  constructor(
    readonly groupId: string,
    private readonly directory: TopicDirectory,
    private readonly signal: Signal,
  ) {}

  get size(): number {
    return this.members.size;
  }

  join(
    clientId: string,
    groupInstanceId: string | undefined,
    subscription: Subscription,
    maxPollIntervalMs: number,
    sessionTimeoutMs: number,
    nowMs: number,
  ): GroupMember {
    const member = new GroupMember(
      `${clientId}-${randomUUID()}`,
      groupInstanceId,
      subscription,
      maxPollIntervalMs,
      sessionTimeoutMs,
      nowMs,
    );
    member.topics = matchTopics(subscription, this.directory);
    const previous = groupInstanceId === undefined ? undefined : this.staticMember(groupInstanceId);
    if (previous !== undefined && !this.rebalancing && sameTopics(previous.topics, member.topics)) {
      // A static member coming back takes over its old slot and assignment without a rebalance (KIP-345).
      this.members.delete(previous.memberId);
      previous.removed = true;
      this.members.set(member.memberId, member);
      this.assignments.set(member.memberId, this.assignments.get(previous.memberId) ?? []);
      this.assignments.delete(previous.memberId);
      this.signal.notify();
      return member;
    }
    if (previous !== undefined) this.remove(previous);
    this.requestRebalance();
    member.joined = true;
    this.members.set(member.memberId, member);
    this.tryComplete();
    return member;
  }

  /** A clean leave (dynamic members) or a departure that waits for the session timeout (static members). */
  leave(member: GroupMember, nowMs: number): void {
    if (member.removed) return;
    if (member.groupInstanceId !== undefined) {
      member.departedAtMs = nowMs;
      member.inPoll = false;
      return;
    }
    this.remove(member);
  }

  updateSubscription(member: GroupMember, subscription: Subscription): void {
    member.subscription = subscription;
    const topics = matchTopics(subscription, this.directory);
    if (!sameTopics(topics, member.topics)) {
      member.topics = topics;
      this.requestRebalance();
    }
  }

  /** Drops members that stopped polling or whose session ended, and rebalances when subscribed topics changed. */
  maintain(nowMs: number): void {
    for (const member of [...this.members.values()]) {
      const departed = member.departedAtMs !== undefined && nowMs - member.departedAtMs > member.sessionTimeoutMs;
      const stalled = !member.inPoll && nowMs - member.lastPollMs > member.maxPollIntervalMs;
      if (departed || stalled) this.remove(member);
    }
    if (this.directory.topicsVersion !== this.seenTopicsVersion) {
      this.seenTopicsVersion = this.directory.topicsVersion;
      let changed = false;
      for (const member of this.members.values()) {
        const topics = matchTopics(member.subscription, this.directory);
        if (!sameTopics(topics, member.topics)) {
          member.topics = topics;
          changed = true;
        }
      }
      if (changed || (!this.rebalancing && this.signature() !== this.assignedSignature)) this.requestRebalance();
    }
  }

  markJoined(member: GroupMember): void {
    if (member.removed) return;
    member.joined = true;
    this.tryComplete();
  }

  /** The member's partitions in the current generation (valid once `rebalancing` is false). */
  assignmentOf(member: GroupMember): TopicPartition[] {
    return this.assignments.get(member.memberId) ?? [];
  }

  /** KIP-447 / commit fencing: is this the member's current generation? Group-less commits need an empty group. */
  isCurrent(memberId: string, generationId: number): boolean {
    if (generationId < 0 && memberId === '') return this.members.size === 0;
    const member = this.members.get(memberId);
    return member !== undefined && !member.removed && member.generation === generationId && generationId === this.generationId;
  }

  private staticMember(groupInstanceId: string): GroupMember | undefined {
    for (const member of this.members.values()) if (member.groupInstanceId === groupInstanceId) return member;
    return undefined;
  }

  private remove(member: GroupMember): void {
    if (!this.members.delete(member.memberId)) return;
    member.removed = true;
    this.assignments.delete(member.memberId);
    if (this.members.size === 0) {
      this.rebalancing = false;
      this.generationId++;
      this.assignments.clear();
      this.signal.notify();
      return;
    }
    this.requestRebalance();
    this.tryComplete();
  }

  private requestRebalance(): void {
    if (!this.rebalancing) {
      this.rebalancing = true;
      for (const member of this.members.values()) member.joined = false;
    }
    this.signal.notify();
  }

  private tryComplete(): void {
    if (!this.rebalancing) return;
    for (const member of this.members.values()) if (!member.joined) return;
    const counts = new Map<string, number>();
    for (const member of this.members.values()) {
      for (const topic of member.topics) {
        const n = this.directory.partitionCount(topic);
        if (n !== undefined) counts.set(topic, n);
      }
    }
    this.assignments = rangeAssign(
      [...this.members.values()].map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, topics: m.topics })),
      counts,
    );
    this.generationId++;
    this.rebalancing = false;
    this.assignedSignature = this.signature();
    this.seenTopicsVersion = this.directory.topicsVersion;
    for (const member of this.members.values()) member.joined = false;
    this.signal.notify();
  }

  // Subscribed topics with their sizes: a change (new matching topic, more partitions) needs a new assignment.
  private signature(): string {
    const topics = new Set<string>();
    for (const member of this.members.values()) for (const t of member.topics) topics.add(t);
    return [...topics]
      .sort()
      .map((t) => `${t}:${this.directory.partitionCount(t) ?? 0}`)
      .join(',');
  }
}

function sameTopics(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const t of a) if (!b.has(t)) return false;
  return true;
}
