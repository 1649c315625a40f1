import { ConsumerGroup } from './consumer-group.js';
import type { Signal } from './signal.js';
import type { TopicDirectory } from './topic-directory.js';

/** The key of a partition's committed offset: a topic name may hold any character but NUL. */
export function offsetKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

export function splitOffsetKey(key: string): [string, number] {
  const i = key.lastIndexOf('\u0000');
  return [key.slice(0, i), Number(key.slice(i + 1))];
}

/** Offsets keyed by `offsetKey` as the metadata file stores them: `[topic, partition, offset]`. */
export function toTriples(offsets: Map<string, number>): Array<[string, number, number]> {
  return [...offsets].map(([key, offset]) => [...splitOffsetKey(key), offset]);
}

/**
 * The log's consumer groups by id, each with its committed offsets. A group exists from its first use (a member
 * joining, a commit, a lookup of its offsets), as a broker creates one on its first request.
 */
export class ConsumerGroups {
  private readonly groups = new Map<string, ConsumerGroup>();

  constructor(
    private readonly directory: TopicDirectory,
    private readonly signal: Signal,
  ) {}

  get(groupId: string): ConsumerGroup {
    let group = this.groups.get(groupId);
    if (group === undefined) {
      group = new ConsumerGroup(groupId, this.directory, this.signal);
      this.groups.set(groupId, group);
    }
    return group;
  }

  all(): Iterable<ConsumerGroup> {
    return this.groups.values();
  }

  /** Makes offsets keyed by `offsetKey` the group's committed ones. */
  setOffsets(groupId: string, offsets: Iterable<[string, number]>): void {
    const group = this.get(groupId);
    for (const [key, offset] of offsets) group.offsets.set(key, offset);
  }

  /** Forgets every group's offsets of a deleted topic: a topic created later under its name starts afresh. */
  forgetTopic(name: string): void {
    for (const group of this.groups.values()) {
      for (const key of [...group.offsets.keys()]) if (splitOffsetKey(key)[0] === name) group.offsets.delete(key);
    }
  }
}
