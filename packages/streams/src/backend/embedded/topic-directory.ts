import type { PartitionLog } from './partition-log.js';

/** What a consumer group needs to know about topics: which exist, their sizes, and whether that changed. */
export interface TopicDirectory {
  /** Bumped on every topic creation or deletion. */
  readonly topicsVersion: number;
  topicNames(): Iterable<string>;
  partitionCount(topic: string): number | undefined;
}

/** A topic of the log: its partitions and its own config (the log's defaults apply beneath it). */
export interface Topic {
  readonly name: string;
  readonly partitions: ReadonlyArray<PartitionLog>;
  readonly config: Readonly<Record<string, string>>;
}

export type Subscription = ReadonlyArray<string> | RegExp;

/**
 * The existing topics a subscription covers. A pattern must match the whole topic name, as Java's
 * `Pattern.matcher(topic).matches()` does for Kafka's pattern subscriptions (`orders-.+` does not match
 * `old-orders-1`).
 */
export function matchTopics(subscription: Subscription, directory: TopicDirectory): Set<string> {
  const matched = new Set<string>();
  if (subscription instanceof RegExp) {
    const whole = new RegExp(`^(?:${subscription.source})$`, subscription.flags.replace(/[gy]/g, ''));
    for (const name of directory.topicNames()) if (whole.test(name)) matched.add(name);
  } else {
    for (const name of subscription) if (directory.partitionCount(name) !== undefined) matched.add(name);
  }
  return matched;
}
