import type { TopicPartition } from '../port.js';

export interface AssignorMember {
  readonly memberId: string;
  readonly groupInstanceId: string | undefined;
  /** Existing topics this member subscribes to. */
  readonly topics: ReadonlySet<string>;
}

/**
 * Kafka's RangeAssignor: per topic, the partitions are cut into contiguous ranges over the members subscribed to
 * it, sorted (static members by instance id first, then by member id); the first `partitions % members` members get
 * one extra. Because every topic is cut the same way, partition i of co-partitioned topics lands on one member.
 */
export function rangeAssign(
  members: ReadonlyArray<AssignorMember>,
  partitionCounts: ReadonlyMap<string, number>,
): Map<string, TopicPartition[]> {
  const result = new Map<string, TopicPartition[]>(members.map((m) => [m.memberId, []]));
  const topics = [...partitionCounts.keys()].sort();
  for (const topic of topics) {
    const subscribers = members.filter((m) => m.topics.has(topic)).sort(compareMembers);
    if (subscribers.length === 0) continue;
    const count = partitionCounts.get(topic)!;
    const per = Math.floor(count / subscribers.length);
    const extra = count % subscribers.length;
    subscribers.forEach((member, i) => {
      const start = per * i + Math.min(i, extra);
      const length = per + (i < extra ? 1 : 0);
      const owned = result.get(member.memberId)!;
      for (let p = start; p < start + length; p++) owned.push({ topic, partition: p });
    });
  }
  return result;
}

// Kafka's MemberInfo ordering: members with a group.instance.id sort before (and among themselves by) it.
function compareMembers(a: AssignorMember, b: AssignorMember): number {
  if (a.groupInstanceId !== undefined && b.groupInstanceId !== undefined) {
    const c = compare(a.groupInstanceId, b.groupInstanceId);
    if (c !== 0) return c;
  } else if (a.groupInstanceId !== undefined) {
    return -1;
  } else if (b.groupInstanceId !== undefined) {
    return 1;
  }
  return compare(a.memberId, b.memberId);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
