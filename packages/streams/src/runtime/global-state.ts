/**
 * Global stores of one instance: built once (not per task), filled from every partition of their topics before
 * tasks start, then kept current. Their topics are their changelogs, so nothing here is logged.
 */
import type { ProcessorContext } from '../api/processor.js';
import type { AdminClient, ConsumedRecord, Consumer, TopicPartition } from '../backend/port.js';
import { tpKey } from '../backend/topic-partition.js';
import { Serdes } from '../serde/serdes.js';
import type { StateStore } from '../state/store.js';
import type { GlobalStoreSpec, PhysicalTopology } from '../topology/physical.js';
import type { ResolvedConfig } from './config.js';
import { ProcessorError, StreamsError } from './errors.js';

const FALLBACK = Serdes.json<unknown>();

interface GlobalEntry {
  readonly spec: GlobalStoreSpec;
  readonly store: StateStore;
  readonly process: (raw: ConsumedRecord) => void;
}

export class GlobalStateManager {
  private readonly byTopic = new Map<string, GlobalEntry>();
  private readonly storeMap = new Map<string, StateStore>();
  private readonly offsets = new Map<string, number>();
  private currentTimestamp = 0;

  constructor(
    private readonly topology: PhysicalTopology,
    private readonly config: ResolvedConfig,
    private readonly globalDir: string,
    private readonly wallClock: () => number,
  ) {}

  get topics(): string[] {
    return this.topology.globalStores.map((g) => g.topic);
  }

  get stores(): ReadonlyMap<string, StateStore> {
    return this.storeMap;
  }

  initialize(): void {
    for (const spec of this.topology.globalStores) {
      const storeSpec = this.topology.stores.get(spec.storeName);
      if (!storeSpec) throw new StreamsError(`Global store "${spec.storeName}" has no builder`);
      const store = storeSpec.builder.build();
      store.init({
        applicationId: this.config.applicationId,
        taskId: 'global',
        taskDir: this.globalDir,
        logChange: () => undefined,
        register: () => undefined,
        currentTimestamp: () => this.currentTimestamp,
      });
      this.storeMap.set(spec.storeName, store);
      const processor = spec.supplier();
      const context: ProcessorContext<unknown, unknown> = {
        applicationId: this.config.applicationId,
        taskId: 'global',
        forward: () => undefined,
        getStateStore: <S extends StateStore>(name: string): S => {
          const s = this.storeMap.get(name);
          if (!s) throw new StreamsError(`Global processor "${spec.processorName}" cannot access store "${name}"`);
          return s as S;
        },
        schedule: () => {
          throw new StreamsError('Global store processors cannot schedule punctuations');
        },
        commit: () => undefined,
        recordMetadata: () => undefined,
        currentStreamTimeMs: () => this.currentTimestamp,
        currentSystemTimeMs: () => this.wallClock(),
      };
      processor.init?.(context);
      const keySerde = spec.keySerde ?? this.config.defaultKeySerde ?? FALLBACK;
      const valueSerde = spec.valueSerde ?? this.config.defaultValueSerde ?? FALLBACK;
      this.byTopic.set(spec.topic, {
        spec,
        store,
        process: (raw) => {
          let key: unknown;
          let value: unknown;
          try {
            key = keySerde.deserialize(raw.topic, raw.key);
            value = valueSerde.deserialize(raw.topic, raw.value);
          } catch (error) {
            if (this.config.deserializationExceptionHandler === 'fail') {
              throw new StreamsError(`Deserialization failed for global topic ${raw.topic}-${raw.partition}@${raw.offset}`, { cause: error });
            }
            return;
          }
          this.currentTimestamp = raw.timestamp;
          try {
            processor.process({ key, value, timestamp: raw.timestamp, headers: raw.headers });
          } catch (error) {
            throw new ProcessorError(spec.processorName, 'global', error);
          }
        },
      });
    }
  }

  isGlobalTopic(topic: string): boolean {
    return this.byTopic.has(topic);
  }

  process(raw: ConsumedRecord): void {
    const entry = this.byTopic.get(raw.topic);
    if (!entry) throw new StreamsError(`"${raw.topic}" is not a global topic`);
    entry.process(raw);
    this.offsets.set(tpKey(raw.topic, raw.partition), raw.offset + 1);
  }

  /** Next offsets to read per global partition, as far as this instance has applied them. */
  appliedOffsets(): ReadonlyMap<string, number> {
    return this.offsets;
  }

  setAppliedOffset(topic: string, partition: number, offset: number): void {
    this.offsets.set(tpKey(topic, partition), offset);
  }

  /**
   * Fills the global stores from every partition of their topics up to the end seen now, before any task starts
   * (Kafka Streams' global bootstrap); `consumer` keeps them current afterwards.
   */
  async bootstrap(consumer: Consumer, admin: AdminClient): Promise<void> {
    const counts = await admin.describeTopics(this.topics);
    const tps: TopicPartition[] = [];
    for (const [topic, n] of counts) for (let p = 0; p < n; p++) tps.push({ topic, partition: p });
    await consumer.assign(tps.map((tp) => ({ ...tp, offset: -1 })));
    const ends = await consumer.endOffsets(tps);
    const pending = new Map(ends.filter((e) => e.offset > 0).map((e) => [tpKey(e.topic, e.partition), e]));
    while (pending.size > 0) {
      const records = await consumer.poll(10_000, 200);
      for (const r of records) this.process(r);
      for (const [key, end] of pending) if (consumer.position(end) >= end.offset) pending.delete(key);
    }
    this.flush();
  }

  flush(): void {
    for (const s of this.storeMap.values()) s.flush();
  }

  close(): void {
    for (const s of this.storeMap.values()) if (s.isOpen()) s.close();
  }
}
