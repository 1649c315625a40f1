/**
 * Records crossing between threads as one transferable batch: every key, value and header byte in a single buffer
 * that is handed over (not copied again), and the numbers beside it. Cloning record objects instead would copy each
 * Buffer's whole backing store — for pooled Buffers 8 KiB per small record.
 */
import type { Headers } from '../../api/record.js';
import type { ConsumedRecord, ProducedRecord } from '../port.js';
import { Transfer } from './port-rpc.js';

export interface RecordBatch {
  readonly topics: string[];
  readonly headerNames: string[];
  /** Per record: topic index, partition (-1: none), offset, timestamp (NaN: none), key length, value length (-1: null), header count; then per header its name index and length (-1: a string header). */
  readonly numbers: Float64Array;
  readonly bytes: ArrayBuffer;
}

interface AnyRecord {
  readonly topic: string;
  readonly partition?: number;
  readonly offset?: number;
  readonly timestamp?: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: Headers | Readonly<Record<string, Buffer>>;
}

export function encodeRecords(records: ReadonlyArray<AnyRecord>): Transfer<RecordBatch> {
  const topics: string[] = [];
  const topicIndex = new Map<string, number>();
  const headerNames: string[] = [];
  const headerIndex = new Map<string, number>();
  const numbers: number[] = [];
  let size = 0;
  const parts: Buffer[] = [];
  const add = (b: Buffer): void => {
    parts.push(b);
    size += b.length;
  };
  for (const r of records) {
    let t = topicIndex.get(r.topic);
    if (t === undefined) topicIndex.set(r.topic, (t = topics.push(r.topic) - 1));
    const headers = r.headers ? Object.entries(r.headers) : [];
    numbers.push(t, r.partition ?? -1, r.offset ?? -1, r.timestamp ?? NaN, r.key ? r.key.length : -1, r.value ? r.value.length : -1, headers.length);
    if (r.key) add(r.key);
    if (r.value) add(r.value);
    for (const [name, value] of headers) {
      let h = headerIndex.get(name);
      if (h === undefined) headerIndex.set(name, (h = headerNames.push(name) - 1));
      const bytes = typeof value === 'string' ? Buffer.from(value) : value;
      numbers.push(h, typeof value === 'string' ? -bytes.length - 1 : bytes.length);
      add(bytes);
    }
  }
  // Not from Buffer's shared pool: the whole ArrayBuffer is handed over.
  const bytes = Buffer.allocUnsafeSlow(size);
  let at = 0;
  for (const p of parts) at += p.copy(bytes, at);
  const nums = Float64Array.from(numbers);
  return new Transfer({ topics, headerNames, numbers: nums, bytes: bytes.buffer as ArrayBuffer }, [bytes.buffer as ArrayBuffer, nums.buffer]);
}

function decode<R>(batch: RecordBatch, make: (fields: Omit<Required<AnyRecord>, 'headers'> & { headers: Record<string, Buffer | string> }) => R): R[] {
  const out: R[] = [];
  const n = batch.numbers;
  let i = 0;
  let at = 0;
  const slice = (length: number): Buffer => {
    const b = Buffer.from(batch.bytes, at, length);
    at += length;
    return b;
  };
  while (i < n.length) {
    const topic = batch.topics[n[i++] as number] as string;
    const partition = n[i++] as number;
    const offset = n[i++] as number;
    const timestamp = n[i++] as number;
    const keyLength = n[i++] as number;
    const valueLength = n[i++] as number;
    const headerCount = n[i++] as number;
    const key = keyLength < 0 ? null : slice(keyLength);
    const value = valueLength < 0 ? null : slice(valueLength);
    const headers: Record<string, Buffer | string> = {};
    for (let h = 0; h < headerCount; h++) {
      const name = batch.headerNames[n[i++] as number] as string;
      const length = n[i++] as number;
      headers[name] = length < 0 ? slice(-length - 1).toString() : slice(length);
    }
    out.push(make({ topic, partition, offset, timestamp, key, value, headers }));
  }
  return out;
}

export function decodeConsumed(batch: RecordBatch): ConsumedRecord[] {
  return decode(batch, (r) => ({ ...r, headers: r.headers as Record<string, Buffer> }));
}

export function decodeProduced(batch: RecordBatch): ProducedRecord[] {
  return decode(batch, (r) => ({
    topic: r.topic,
    ...(r.partition >= 0 ? { partition: r.partition } : {}),
    key: r.key,
    value: r.value,
    ...(Number.isNaN(r.timestamp) ? {} : { timestamp: r.timestamp }),
    ...(Object.keys(r.headers).length > 0 ? { headers: r.headers } : {}),
  }));
}
