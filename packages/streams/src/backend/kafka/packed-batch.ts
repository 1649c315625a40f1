import { patchedBinding } from './patched-client.js';
import type { ConsumedRecord } from '../port.js';
import type { NativeError, NativeHeaders, NativeKafkaConsumer, NativeMessage } from './native.js';

/**
 * Consumed batches without a JavaScript object per message.
 *
 * The client's own `consume(n)` builds, on the JavaScript thread, an object with eight properties and two freshly
 * allocated Buffers for every message, then destroys the librdkafka message there too: about 3.3 µs of the main
 * thread per record, more than Kafka Streams' stream thread spends on a whole stateless record. The patched client
 * (tools/kafka-javascript/consume-packed.patch, applied by scripts/ensure-kafka-client.mjs) adds
 * `consumePacked`, which takes the messages from librdkafka in chunks and copies them into one buffer on the libuv
 * worker thread that already waits on librdkafka, so the main thread only reads fixed-size headers and copies out
 * keys and values.
 *
 * Layout of each message (host byte order, used only where the host is little-endian): int32 topic index, int32
 * partition, float64 offset, float64 timestamp (-1: none), int32 key length (-1: null), int32 value length (-1: null),
 * int32 header count, int32 flags (1: a partition-EOF event); then key, value, and per header int32 name length,
 * name, int32 value length (-1: null), value.
 */

/** The binding object behind the client's `KafkaConsumer` (its `_client`), as far as this file uses it. */
interface PackedBinding {
  /** Waits up to `timeoutMs` for a first message, then takes what is ready, up to `maxMessages`. */
  consumePacked(
    timeoutMs: number,
    maxMessages: number,
    cb: (err: RawNativeError | null | undefined, data: Buffer | null, count: number, topics: string[]) => void,
  ): unknown;
}

/** Errors straight from the binding are plain objects; the client's wrapper would have made them Errors. */
interface RawNativeError {
  readonly message?: string;
  readonly code: number;
  readonly isFatal?: boolean;
  readonly isRetriable?: boolean;
  readonly isTxnRequiresAbort?: boolean;
}

const HEADER_BYTES = 40;
const EOF_FLAG = 1;

/** The packed consume of this client, or undefined when the client is unpatched (or the host big-endian). */
export function packedConsumer(native: NativeKafkaConsumer): PackedBinding | undefined {
  return patchedBinding<PackedBinding>(native, 'consumePacked');
}

export interface ConsumedBatch {
  /** Moves to the next record (partition-EOF events are skipped); false at the end. */
  next(): boolean;
  /** The current record's topic: the same string object for every record of a topic within a batch. */
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** The current record, with `topic` as its topic name (the caller's interned one). */
  record(topic: string): ConsumedRecord;
}

/** Calls `consumePacked`; resolves to the batch (empty when nothing came within the timeout). */
export function consumePacked(binding: PackedBinding, maxMessages: number, timeoutMs: number): Promise<ConsumedBatch> {
  return new Promise((resolve, reject) => {
    binding.consumePacked(timeoutMs, maxMessages, (err, data, count, topics) => {
      if (err) reject(nativeError(err));
      else resolve(new PackedBatch(data, count, topics));
    });
  });
}

function nativeError(raw: RawNativeError): NativeError {
  return Object.assign(new Error(raw.message ?? `librdkafka error ${raw.code}`), {
    code: raw.code,
    isFatal: raw.isFatal,
    isRetriable: raw.isRetriable,
    isTxnRequiresAbort: raw.isTxnRequiresAbort,
  });
}

class PackedBatch implements ConsumedBatch {
  topic = '';
  partition = -1;
  offset = -1;
  private readonly view: DataView | undefined;
  private pos = 0;
  private left: number;
  private timestamp = -1;
  private keyAt = 0;
  private keyLen = -1;
  private valueLen = -1;
  private headerCount = 0;

  constructor(
    private readonly data: Buffer | null,
    count: number,
    private readonly topics: string[],
  ) {
    this.left = data === null ? 0 : count;
    this.view = data === null ? undefined : new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  next(): boolean {
    const view = this.view;
    while (this.left > 0 && view !== undefined) {
      this.left -= 1;
      const at = this.pos;
      const flags = view.getInt32(at + 36, true);
      this.keyLen = view.getInt32(at + 24, true);
      this.valueLen = view.getInt32(at + 28, true);
      this.headerCount = view.getInt32(at + 32, true);
      this.keyAt = at + HEADER_BYTES;
      let end = this.keyAt + Math.max(0, this.keyLen) + Math.max(0, this.valueLen);
      for (let h = 0; h < this.headerCount; h++) {
        end += 4 + view.getInt32(end, true);
        end += 4 + Math.max(0, view.getInt32(end, true));
      }
      this.pos = end;
      if ((flags & EOF_FLAG) !== 0) continue;
      this.topic = this.topics[view.getInt32(at, true)] as string;
      this.partition = view.getInt32(at + 4, true);
      this.offset = view.getFloat64(at + 8, true);
      this.timestamp = view.getFloat64(at + 16, true);
      return true;
    }
    return false;
  }

  record(topic: string): ConsumedRecord {
    const data = this.data as Buffer;
    const keyLen = this.keyLen;
    const valueLen = this.valueLen;
    const valueAt = this.keyAt + Math.max(0, keyLen);
    return {
      topic,
      partition: this.partition,
      offset: this.offset,
      // Copies, not views of the batch: a store or cache that keeps one record's bytes must not pin the whole batch.
      key: keyLen < 0 ? null : copyOut(data, this.keyAt, keyLen),
      value: valueLen < 0 ? null : copyOut(data, valueAt, valueLen),
      timestamp: this.timestamp >= 0 ? this.timestamp : -1,
      headers: this.headerCount === 0 ? {} : this.readHeaders(valueAt + Math.max(0, valueLen)),
    };
  }

  private readHeaders(at: number): Record<string, Buffer> {
    const data = this.data as Buffer;
    const view = this.view as DataView;
    const headers: Record<string, Buffer> = {};
    for (let h = 0; h < this.headerCount; h++) {
      const nameLen = view.getInt32(at, true);
      const name = data.toString('utf8', at + 4, at + 4 + nameLen);
      at += 4 + nameLen;
      const len = view.getInt32(at, true);
      at += 4;
      // A null header value has no Buffer form in the port's headers; an empty one stands for it, as before.
      headers[name] = copyOut(data, at, Math.max(0, len));
      at += Math.max(0, len);
    }
    return headers;
  }
}

function copyOut(data: Buffer, at: number, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  out.set(new Uint8Array(data.buffer, data.byteOffset + at, length));
  return out;
}

/** The client's own message objects, behind the same cursor. */
export class MessageBatch implements ConsumedBatch {
  topic = '';
  partition = -1;
  offset = -1;
  private index = -1;

  constructor(private readonly messages: NativeMessage[]) {}

  next(): boolean {
    this.index += 1;
    const m = this.messages[this.index];
    if (m === undefined) return false;
    this.topic = m.topic;
    this.partition = m.partition;
    this.offset = m.offset;
    return true;
  }

  record(topic: string): ConsumedRecord {
    const m = this.messages[this.index] as NativeMessage;
    const key = m.key;
    return {
      topic,
      partition: m.partition,
      offset: m.offset,
      // The client hands keys over as Buffers; a string would come from an older client.
      key: key === undefined || key === null ? null : typeof key === 'string' ? Buffer.from(key) : key,
      value: m.value,
      timestamp: m.timestamp !== undefined && m.timestamp >= 0 ? m.timestamp : -1,
      headers: m.headers === undefined ? {} : headersOf(m.headers),
    };
  }
}

function headersOf(list: NativeHeaders): Record<string, Buffer> {
  // Headers come as an array of single-entry objects, and only when the record has any (most have none).
  const headers: Record<string, Buffer> = {};
  for (const entry of list) {
    for (const name in entry) {
      const value = entry[name] as Buffer | string;
      headers[name] = typeof value === 'string' ? Buffer.from(value) : value;
    }
  }
  return headers;
}
