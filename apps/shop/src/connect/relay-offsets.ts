/**
 * Where a relay keeps how far it has published: records in a one-partition compacted topic, keyed by the relay's
 * name, written in the same transaction as the records they account for. Reading the last one back under
 * read_committed therefore tells exactly what reached the log, whatever happened to the relay after.
 */
import type { Backend } from '@tributary/streams';

export const RELAY_OFFSETS_PARTITION = 0;

/** The tail window read first; older records are read only when the tail holds none for this relay. */
const TAIL = 500;

export async function ensureOffsetsTopic(backend: Backend, topic: string): Promise<void> {
  const admin = backend.admin();
  try {
    await admin.createTopics([{ name: topic, numPartitions: 1, config: { 'cleanup.policy': 'compact' } }]);
  } finally {
    await admin.close();
  }
}

export function offsetRecord(topic: string, relay: string, position: unknown): { topic: string; partition: number; key: Buffer; value: Buffer } {
  return { topic, partition: RELAY_OFFSETS_PARTITION, key: Buffer.from(relay), value: Buffer.from(JSON.stringify(position)) };
}

const READ_STALL_MS = 30_000;

/** The last committed position of `relay` (its JSON value), or undefined when it never published. */
export async function readLastPosition(backend: Backend, topic: string, relay: string): Promise<unknown> {
  const consumer = await backend.createConsumer({
    clientId: `${relay}-offsets-reader`,
    isolationLevel: 'read_committed',
    autoOffsetReset: 'earliest',
  });
  try {
    const tp = { topic, partition: RELAY_OFFSETS_PARTITION };
    const [begin] = await consumer.beginningOffsets([tp]);
    const [end] = await consumer.endOffsets([tp]);
    const first = begin?.offset ?? 0;
    const last = end?.offset ?? 0;
    const scan = async (from: number): Promise<unknown> => {
      let found: unknown;
      await consumer.assign([{ ...tp, offset: from }]);
      // A position that stops short of the end (a broker gone, a partition moved) must not hold the relay, and
      // with it its close(), for ever: after a stall the read fails and the relay's session retries it.
      let position = consumer.position(tp);
      let movedAt = Date.now();
      while (position < last) {
        for (const record of await consumer.poll(1000, 200)) {
          if (record.key?.toString() === relay && record.value !== null) found = JSON.parse(record.value.toString()) as unknown;
        }
        const now = consumer.position(tp);
        if (now !== position) {
          position = now;
          movedAt = Date.now();
        } else if (Date.now() - movedAt > READ_STALL_MS) {
          throw new Error(`reading ${topic} stalled at offset ${position} of ${last}`);
        }
      }
      return found;
    };
    if (last <= first) return undefined;
    const tailStart = Math.max(first, last - TAIL);
    const inTail = await scan(tailStart);
    return inTail !== undefined || tailStart === first ? inTail : scan(first);
  } finally {
    await consumer.close();
  }
}
