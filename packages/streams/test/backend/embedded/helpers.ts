import type { ConsumedRecord, Consumer, RebalanceListener, TopicPartition } from '../../../src/backend/port.js';

export const b = (s: string): Buffer => Buffer.from(s, 'utf8');
export const str = (buf: Buffer | null): string | null => (buf === null ? null : buf.toString('utf8'));

/** Polls until `count` records arrived (or fails after `maxPolls` polls of 50 ms with nothing new). */
export async function pollUntil(consumer: Consumer, count: number, maxPolls = 40): Promise<ConsumedRecord[]> {
  const out: ConsumedRecord[] = [];
  let idle = 0;
  while (out.length < count) {
    const batch = await consumer.poll(1000, 50);
    if (batch.length === 0 && ++idle > maxPolls) throw new Error(`Only ${out.length} of ${count} records arrived`);
    out.push(...batch);
  }
  return out;
}

export interface RecordingListener extends RebalanceListener {
  readonly events: string[];
  owned: TopicPartition[];
}

/** Records callback order as `name:revoked:t-0,t-1` / `name:assigned:...` strings. */
export function recordingListener(name: string, log: string[], onRevoke?: (tps: ReadonlyArray<TopicPartition>) => Promise<void>): RecordingListener {
  const listener: RecordingListener = {
    events: log,
    owned: [],
    async onPartitionsRevoked(tps) {
      if (onRevoke !== undefined) await onRevoke(tps);
      log.push(`${name}:revoked:${fmt(tps)}`);
      listener.owned = [];
    },
    async onPartitionsAssigned(tps) {
      log.push(`${name}:assigned:${fmt(tps)}`);
      listener.owned = [...tps];
    },
    async onPartitionsLost(tps) {
      log.push(`${name}:lost:${fmt(tps)}`);
      listener.owned = [];
    },
  };
  return listener;
}

export function fmt(tps: ReadonlyArray<TopicPartition>): string {
  return [...tps]
    .map((tp) => `${tp.topic}-${tp.partition}`)
    .sort()
    .join(',');
}

/** Polls all consumers round-robin until `done()` holds, like several app instances running side by side. */
export async function pollAllUntil(consumers: ReadonlyArray<Consumer>, done: () => boolean, rounds = 100): Promise<ConsumedRecord[]> {
  const out: ConsumedRecord[] = [];
  for (let i = 0; i < rounds && !done(); i++) {
    const batches = await Promise.all(consumers.map((c) => c.poll(1000, 20)));
    for (const batch of batches) out.push(...batch);
  }
  if (!done()) throw new Error('condition not reached');
  return out;
}
