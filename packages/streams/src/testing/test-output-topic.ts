/** Reads typed records a `TopologyTestDriver` produced (Kafka Streams' `TestOutputTopic`). */
import type { KeyValue } from '../api/record.js';
import type { Serde } from '../serde/serde.js';
import type { CapturedRecord, TestRecord } from './test-record.js';

export interface OutputSource {
  /** Takes (removes) the next captured record of the topic. */
  take(topic: string): CapturedRecord | undefined;
  queueSize(topic: string): number;
}

export class TestOutputTopic<K, V> {
  /** @internal Created by `TopologyTestDriver.createOutputTopic`. */
  constructor(
    private readonly driver: OutputSource,
    readonly topic: string,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
  ) {}

  readRecord(): TestRecord<K, V> {
    const r = this.driver.take(this.topic);
    if (!r) throw new Error(`No more records in output topic "${this.topic}"`);
    return {
      key: this.keySerde.deserialize(this.topic, r.key),
      value: this.valueSerde.deserialize(this.topic, r.value),
      timestamp: r.timestamp,
      headers: r.headers,
    };
  }

  readValue(): V | null {
    return this.readRecord().value;
  }

  readKeyValue(): KeyValue<K | null, V | null> {
    const r = this.readRecord();
    return { key: r.key, value: r.value };
  }

  readRecordsToList(): TestRecord<K, V>[] {
    const out: TestRecord<K, V>[] = [];
    while (!this.isEmpty()) out.push(this.readRecord());
    return out;
  }

  readValuesToList(): Array<V | null> {
    return this.readRecordsToList().map((r) => r.value);
  }

  readKeyValuesToList(): Array<KeyValue<K | null, V | null>> {
    return this.readRecordsToList().map((r) => ({ key: r.key, value: r.value }));
  }

  /**
   * The last value per key, as Kafka's `readKeyValuesToMap`: a key whose last record is a tombstone stays, with the
   * value null; a record with a null key is an error. Keys that are objects (e.g. `Windowed`) are compared by
   * content, as Java compares them with `equals`: the map holds the first such key object seen.
   */
  readKeyValuesToMap(): Map<K, V | null> {
    const out = new Map<K, V | null>();
    const byContent = new Map<string, K>();
    for (const r of this.readRecordsToList()) {
      if (r.key === null || r.key === undefined) throw new Error(`readKeyValuesToMap: output topic "${this.topic}" has a record with a null key`);
      let key: K = r.key;
      if (typeof key === 'object' && key !== null) {
        const id = contentKey(key);
        const seen = byContent.get(id);
        if (seen === undefined) byContent.set(id, key);
        else key = seen;
      }
      out.set(key, r.value);
    }
    return out;
  }

  getQueueSize(): number {
    return this.driver.queueSize(this.topic);
  }

  isEmpty(): boolean {
    return this.getQueueSize() === 0;
  }
}

/** A stable text form of a key object for content equality (Buffers by bytes, object fields in sorted order). */
function contentKey(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v instanceof Uint8Array) return `bytes:${Buffer.from(v).toString('base64')}`;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array)) {
      const o = v as Record<string, unknown>;
      return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
    }
    return v;
  });
}
