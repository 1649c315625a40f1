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

  /**
   * Kafka's `pipeInput(value)` with one argument (the key is null) and `pipeInput(key, value, timestampMs?)`;
   * without a timestamp the topic's current time is used and then advanced by its auto-advance.
   */
  pipeInput(value: V | null): void;
  pipeInput(key: K | null, value: V | null, timestampMs?: number, headers?: Headers): void;
  pipeInput(...args: [V | null] | [K | null, V | null, number?, Headers?]): void {
    if (args.length === 1) {
      this.pipe(null, args[0], undefined, {});
      return;
    }
    const [key, value, timestampMs, headers] = args;
    this.pipe(key, value, timestampMs, headers ?? {});
  }

  /** Pipes a value with a null key. */
  pipeValue(value: V | null, timestampMs?: number): void {
    this.pipe(null, value, timestampMs, {});
  }

  /** Values with null keys; with a start timestamp, record i gets `start + i * advanceMs` (Kafka's pipeValueList). */
  pipeValueList(values: ReadonlyArray<V | null>, startTimestampMs?: number, advanceMs = 0): void {
    let ts = startTimestampMs;
    for (const v of values) {
      this.pipe(null, v, ts, {});
      if (ts !== undefined) ts += advanceMs;
    }
  }

  pipeKeyValueList(entries: ReadonlyArray<{ key: K | null; value: V | null }>, startTimestampMs?: number, advanceMs = 0): void {
    let ts = startTimestampMs;
    for (const { key, value } of entries) {
      this.pipe(key, value, ts, {});
      if (ts !== undefined) ts += advanceMs;
    }
  }

  pipeRecordList(records: ReadonlyArray<{ key: K | null; value: V | null; timestamp?: number; headers?: Headers }>): void {
    for (const r of records) this.pipe(r.key, r.value, r.timestamp, r.headers ?? {});
  }

  private pipe(key: K | null, value: V | null, timestampMs: number | undefined, headers: Headers): void {
    const timestamp = timestampMs ?? this.nextTimestamp();
    this.driver.pipe(this.topic, this.keySerde.serialize(this.topic, key), this.valueSerde.serialize(this.topic, value), timestamp, headers);
  }

  private nextTimestamp(): number {
    const ts = this.currentTime;
    this.currentTime += this.autoAdvanceMs;
    return ts;
  }
}
