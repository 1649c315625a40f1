/**
 * The one string key of a topic-partition, for maps keyed by partition (the runtime's offsets, changelog positions,
 * checkpoint files, the backends' bookkeeping). Kafka topic names never contain ':', so `topic:partition` is
 * unambiguous, and it is the format `.checkpoint` files have always stored.
 */
import type { TopicPartition } from './port.js';

export function tpKey(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}

export function tpKeyOf(tp: TopicPartition): string {
  return tpKey(tp.topic, tp.partition);
}

export function parseTpKey(key: string): TopicPartition {
  const i = key.lastIndexOf(':');
  return { topic: key.slice(0, i), partition: Number(key.slice(i + 1)) };
}
