import type { Headers } from '../api/record.js';

/** A record as the test driver's topics give and take it. */
export interface TestRecord<K, V> {
  readonly key: K | null;
  readonly value: V | null;
  readonly timestamp: number;
  readonly headers: Headers;
}

/** A serialized record captured by the driver. */
export interface CapturedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
  readonly headers: Headers;
}
