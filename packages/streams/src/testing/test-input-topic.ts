/** Pipes typed records into a `TopologyTestDriver` (Kafka Streams' `TestInputTopic`). */
import type { Headers } from '../api/record.js';
import type { Serde } from '../serde/serde.js';

export interface InputPipe {
  pipe(topic: string, key: Buffer | null, value: Buffer | null, timestamp: number, headers: Headers): void;
}

export class TestInputTopic<K, V> {
  private currentTime: number;

  /** @internal Created by `TopologyTestDriver.createInputTopic`. */
  constructor(
    private readonly driver: InputPipe,
    readonly topic: string,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
    startTimestampMs: number,
    private readonly autoAdvanceMs: number,
  ) {
    this.currentTime = startTimestampMs;
  }

  /** Moves the timestamp given to records piped without one. */
  advanceTime(ms: number): void {
    if (ms < 0) throw new RangeError('advanceTime takes a non-negative duration');
    this.currentTime += ms;
  }

  pipeInput(key: K | null, value: V | null, timestampMs?: number, headers: Headers = {}): void {
    const timestamp = timestampMs ?? this.nextTimestamp();
    this.driver.pipe(
      this.topic,
      this.keySerde.serialize(this.topic, key),
      this.valueSerde.serialize(this.topic, value),
      timestamp,
      headers,
    );
  }

  /** Pipes a value with a null key. */
  pipeValue(value: V | null, timestampMs?: number): void {
    this.pipeInput(null, value, timestampMs);
  }

  pipeValueList(values: ReadonlyArray<V | null>): void {
    for (const v of values) this.pipeInput(null, v);
  }

  pipeKeyValueList(entries: ReadonlyArray<{ key: K | null; value: V | null }>, startTimestampMs?: number, advanceMs = 0): void {
    let ts = startTimestampMs;
    for (const { key, value } of entries) {
      this.pipeInput(key, value, ts);
      if (ts !== undefined) ts += advanceMs;
    }
  }

  pipeRecordList(records: ReadonlyArray<{ key: K | null; value: V | null; timestamp?: number; headers?: Headers }>): void {
    for (const r of records) this.pipeInput(r.key, r.value, r.timestamp, r.headers ?? {});
  }

  private nextTimestamp(): number {
    const ts = this.currentTime;
    this.currentTime += this.autoAdvanceMs;
    return ts;
  }
}
