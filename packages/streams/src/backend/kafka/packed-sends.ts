import { patchedBinding } from './patched-client.js';
import type { ProducedRecord } from '../port.js';
import type { NativeProducer } from './native.js';

/**
 * Produced records handed to librdkafka a batch at a time, off Node's main thread.
 *
 * The client's `produce()` is one native call per record that converts its seven arguments, looks the topic up by
 * name and queues the record in librdkafka, all on the JavaScript thread: the largest single cost left there after
 * the packed consume (a third of a `groupBy` + `count` record's main-thread time, three produces per record). The
 * patched client (tools/kafka-javascript/produce-packed.patch) adds `producePacked`, which queues a whole batch from
 * one buffer on a libuv worker thread. Here records are packed as they are sent and handed over at the next turn of
 * the event loop (or sooner when a batch is large); `settle()` waits until every record sent so far is queued in
 * librdkafka, which flush, commit and close do first, so what librdkafka flushes or commits is what was sent.
 * Batches are handed over one at a time, in order, so records keep their order per partition.
 *
 * Layout of each record (host byte order, used only where the host is little-endian): int32 topic index, int32
 * partition (-1: the partitioner's choice), float64 timestamp (0: now), int32 key length (-1: null), int32 value length
 * (-1: null), int32 header count, int32 reserved; then key, value, and per header int32 name length, name (UTF-8),
 * int32 value length, value.
 */

interface PackedProducerBinding {
  producePacked(
    batch: Buffer,
    count: number,
    topics: string[],
    cb: (err: unknown, errors: Array<[index: number, code: number]>) => void,
  ): unknown;
}

/** A record librdkafka refused to queue. */
export interface RefusedSend {
  readonly topic: string;
  readonly code: number;
}

const HEADER_BYTES = 32;
const INITIAL_BYTES = 256 * 1024;
/** A batch is handed over early once it holds this much, bounding the memory and the wait of its first record. */
const HAND_OVER_BYTES = 1024 * 1024;
const HAND_OVER_RECORDS = 4096;

/** The packed produce of this client, or undefined when the client is unpatched (or the host big-endian). */
export function packedProducer(native: NativeProducer): PackedProducerBinding | undefined {
  return patchedBinding<PackedProducerBinding>(native, 'producePacked');
}

export class PackedSends {
  private batch = new Batch(INITIAL_BYTES);
  /** The other buffer, free again once the batch in flight is queued. */
  private spare: Batch | undefined = new Batch(INITIAL_BYTES);
  private inFlight: Promise<void> | undefined;
  private scheduled = false;
  private readonly handOverSoon = (): void => {
    this.scheduled = false;
    this.handOver();
  };

  constructor(
    private readonly binding: PackedProducerBinding,
    private readonly onRefused: (refused: RefusedSend[]) => void,
  ) {}

  add(record: ProducedRecord): void {
    const batch = this.batch;
    batch.add(record);
    if (batch.length >= HAND_OVER_BYTES || batch.count >= HAND_OVER_RECORDS) this.handOver();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.handOverSoon);
    }
  }

  /** Resolves once every record added so far is queued in librdkafka (refusals reported through `onRefused`). */
  async settle(): Promise<void> {
    while (this.inFlight !== undefined || this.batch.count > 0) {
      this.handOver();
      await this.inFlight;
    }
  }

  /** Drops the records not handed over yet (an aborted transaction's), after the batch in flight is queued. */
  async discard(): Promise<void> {
    while (this.inFlight !== undefined) await this.inFlight;
    this.batch.clear();
  }

  private handOver(): void {
    if (this.inFlight !== undefined || this.batch.count === 0) return;
    const batch = this.batch;
    this.batch = this.spare ?? new Batch(INITIAL_BYTES);
    this.spare = undefined;
    this.inFlight = new Promise<void>((resolve) => {
      const done = (refused: RefusedSend[]): void => {
        batch.clear();
        this.spare = batch;
        this.inFlight = undefined;
        if (refused.length > 0) this.onRefused(refused);
        // Records sent meanwhile go next, without waiting for another turn of the event loop.
        this.handOver();
        resolve();
      };
      try {
        this.binding.producePacked(batch.bytes(), batch.count, batch.topicNames(), (err, errors) => {
          if (err) done([{ topic: batch.topicNames()[0] ?? '', code: codeOf(err) }]);
          else done(errors.map(([index, code]) => ({ topic: batch.topicAt(index), code })));
        });
      } catch (err) {
        done([{ topic: batch.topicNames()[0] ?? '', code: codeOf(err) }]);
      }
    });
  }
}

function codeOf(err: unknown): number {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : -1;
}

/** One growing buffer of packed records. */
class Batch {
  count = 0;
  length = 0;
  private buffer: Buffer;
  private view: DataView;
  private readonly topics: string[] = [];
  private readonly topicIndex = new Map<string, number>();

  constructor(bytes: number) {
    this.buffer = Buffer.allocUnsafe(bytes);
    this.view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
  }

  add(record: ProducedRecord): void {
    const { key, value, headers } = record;
    let topic = this.topicIndex.get(record.topic);
    if (topic === undefined) {
      topic = this.topics.length;
      this.topics.push(record.topic);
      this.topicIndex.set(record.topic, topic);
    }
    const keyLen = key === null ? -1 : key.length;
    const valueLen = value === null ? -1 : value.length;
    let headerCount = 0;
    let headerBytes = 0;
    if (headers !== undefined) {
      for (const name in headers) {
        if (!Object.hasOwn(headers, name)) continue;
        const v = headers[name] as string | Buffer;
        headerCount += 1;
        headerBytes += 8 + Buffer.byteLength(name) + (typeof v === 'string' ? Buffer.byteLength(v) : v.length);
      }
    }
    this.reserve(HEADER_BYTES + Math.max(0, keyLen) + Math.max(0, valueLen) + headerBytes);
    const view = this.view;
    const buffer = this.buffer;
    let at = this.length;
    view.setInt32(at, topic, true);
    view.setInt32(at + 4, record.partition ?? -1, true);
    view.setFloat64(at + 8, record.timestamp ?? 0, true);
    view.setInt32(at + 16, keyLen, true);
    view.setInt32(at + 20, valueLen, true);
    view.setInt32(at + 24, headerCount, true);
    view.setInt32(at + 28, 0, true);
    at += HEADER_BYTES;
    if (key !== null) {
      buffer.set(key, at);
      at += key.length;
    }
    if (value !== null) {
      buffer.set(value, at);
      at += value.length;
    }
    if (headerCount > 0 && headers !== undefined) {
      for (const name in headers) {
        if (!Object.hasOwn(headers, name)) continue;
        const v = headers[name] as string | Buffer;
        const nameLen = buffer.write(name, at + 4, 'utf8');
        view.setInt32(at, nameLen, true);
        at += 4 + nameLen;
        const valueBytes = typeof v === 'string' ? buffer.write(v, at + 4, 'utf8') : (buffer.set(v, at + 4), v.length);
        view.setInt32(at, valueBytes, true);
        at += 4 + valueBytes;
      }
    }
    this.length = at;
    this.count += 1;
  }

  bytes(): Buffer {
    return this.buffer.subarray(0, this.length);
  }

  topicNames(): string[] {
    return this.topics;
  }

  /** The topic of the record at `index` (only for refusals, so a walk is fine). */
  topicAt(index: number): string {
    const view = this.view;
    let at = 0;
    for (let i = 0; i < index && at < this.length; i++) {
      const headerCount = view.getInt32(at + 24, true);
      let next = at + HEADER_BYTES + Math.max(0, view.getInt32(at + 16, true)) + Math.max(0, view.getInt32(at + 20, true));
      for (let h = 0; h < headerCount; h++) {
        next += 4 + view.getInt32(next, true);
        next += 4 + Math.max(0, view.getInt32(next, true));
      }
      at = next;
    }
    return this.topics[view.getInt32(at, true)] ?? '';
  }

  clear(): void {
    this.count = 0;
    this.length = 0;
    this.topics.length = 0;
    this.topicIndex.clear();
  }

  private reserve(more: number): void {
    if (this.length + more <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + more) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
    this.view = new DataView(grown.buffer, grown.byteOffset, grown.byteLength);
  }
}
