/**
 * Kafka's default partitioner, shared by both backends and the runtime so that a key lands on the same partition
 * whichever log is underneath (co-partitioning depends on it).
 */

const SEED = 0x9747b28c;
const M = 0x5bd1e995;
const R = 24;

/** Kafka's `Utils.murmur2`: a signed 32-bit hash, bit for bit the same as the Java client's. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = (SEED ^ length) | 0;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i << 2;
    let k = (data[i4]! & 0xff) | ((data[i4 + 1]! & 0xff) << 8) | ((data[i4 + 2]! & 0xff) << 16) | ((data[i4 + 3]! & 0xff) << 24);
    k = Math.imul(k, M);
    k ^= k >>> R;
    k = Math.imul(k, M);
    h = Math.imul(h, M);
    h ^= k;
  }
  const tail = length & ~3;
  const rest = length & 3;
  // Java's switch falls through from case 3 to case 1; the multiply happens once for any non-empty tail.
  if (rest === 3) h ^= (data[tail + 2]! & 0xff) << 16;
  if (rest >= 2) h ^= (data[tail + 1]! & 0xff) << 8;
  if (rest >= 1) {
    h ^= data[tail]! & 0xff;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** Kafka's `Utils.toPositive`: clears the sign bit (not `Math.abs`, which differs for negative numbers). */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}

/** The partition Kafka's producer picks for a non-null key. */
export function partitionForKey(key: Uint8Array, numPartitions: number): number {
  return toPositive(murmur2(key)) % numPartitions;
}

/** Kafka's `batch.size` default: the sticky partitioner moves on after this many bytes. */
const STICKY_BATCH_BYTES = 16384;

/**
 * The producer's partition choice. Keyed records hash with murmur2; null-keyed records stick to one partition per
 * topic until about a batch worth of bytes went there (KIP-480/KIP-794), then move on. Kafka picks the next sticky
 * partition at random; this one goes round-robin so that runs are reproducible.
 */
export class DefaultPartitioner {
  private readonly sticky = new Map<string, { partition: number; bytes: number }>();

  partition(topic: string, key: Uint8Array | null, numPartitions: number, recordBytes = 0): number {
    if (key !== null) return partitionForKey(key, numPartitions);
    let state = this.sticky.get(topic);
    if (state === undefined) {
      state = { partition: this.sticky.size % numPartitions, bytes: 0 };
      this.sticky.set(topic, state);
    }
    if (state.partition >= numPartitions || state.bytes >= STICKY_BATCH_BYTES) {
      state.partition = (state.partition + 1) % numPartitions;
      state.bytes = 0;
    }
    state.bytes += Math.max(1, recordBytes);
    return state.partition;
  }
}
