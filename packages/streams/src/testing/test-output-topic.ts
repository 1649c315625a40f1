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

  /** Latest value per key; a tombstone removes the key, as reading a table would. */
  readKeyValuesToMap(): Map<K | null, V> {
    const out = new Map<K | null, V>();
    for (const r of this.readRecordsToList()) {
      if (r.value === null) out.delete(r.key);
      else out.set(r.key, r.value);
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
