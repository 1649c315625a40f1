/**
 * `TopologyTestDriver`: runs a topology synchronously without any log. Each piped record is processed through its
 * task at once; records written to topics the topology itself reads (repartition topics, or user topics it
 * consumes) are fed back before `pipeInput` returns, as Kafka Streams' driver does. It is built on the same task
 * core as production, so what a test sees is what the runtime does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Headers } from '../api/record.js';
import type { ConsumedRecord } from '../backend/port.js';
import type { Serde } from '../serde/serde.js';
import type { KeyValueStore, ReadOnlyKeyValueStore, ReadableWindowStore, SessionStore, StateStore, WindowStore } from '../state/store.js';
import { readOnlyWindowFacade } from '../state/timestamped-window-store.js';
import { isTimestampedStore, readOnlyKeyValueFacade } from '../state/timestamped-key-value-store.js';
import { ThreadCache } from '../state/thread-cache.js';
import type { ValueAndTimestamp } from '../state/value-and-timestamp.js';
import { isVersionedStore, type VersionedKeyValueStore } from '../state/versioned-store.js';
import type { PhysicalTopology } from '../topology/physical.js';
import { internalTopicName } from '../topology/physical.js';
import type { Topology } from '../topology/topology.js';
import { resolveConfig, type Logger, type StreamsConfig } from '../runtime/config.js';
import { GlobalStateManager } from '../runtime/global-state.js';
import type { RecordCollector } from '../runtime/record-collector.js';
import { StreamTask } from '../runtime/stream-task.js';
import { TestDriverMetrics } from './test-driver-metrics.js';
import { TestInputTopic } from './test-input-topic.js';
import { TestOutputTopic } from './test-output-topic.js';
import type { CapturedRecord } from './test-record.js';

export type TestDriverConfig = Omit<StreamsConfig, 'bootstrapServers' | 'backend' | 'embeddedDataDir'>;

const SILENT: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

export class TopologyTestDriver {
  private readonly topology: PhysicalTopology;
  private readonly tasks: StreamTask[] = [];
  private readonly taskByTopic = new Map<string, StreamTask>();
  private readonly patternTasks: Array<{ pattern: RegExp; task: StreamTask }> = [];
  private readonly global: GlobalStateManager;
  private readonly outputs = new Map<string, CapturedRecord[]>();
  private readonly pending: CapturedRecord[] = [];
  private readonly offsets = new Map<string, number>();
  private readonly stateDir: string;
  private readonly applicationId: string;
  private wallClock: number;
  private readonly startWallClock: number;
  private processedRecords = 0;
  private processing = false;
  private closed = false;

  constructor(topology: Topology, config: TestDriverConfig = { applicationId: 'topology-test-driver' }, initialWallClockMs?: number) {
    const resolved = resolveConfig({ ...config, commitIntervalMs: 0 });
    this.applicationId = resolved.applicationId;
    this.topology = topology.physical();
    this.wallClock = initialWallClockMs ?? Date.now();
    this.startWallClock = this.wallClock;
    this.stateDir = mkdtempSync(join(tmpdir(), 'tributary-ttd-'));
    const collector: RecordCollector = {
      send: (r) => {
        const captured: CapturedRecord = {
          topic: r.topic,
          partition: r.partition ?? 0,
          key: r.key,
          value: r.value,
          timestamp: r.timestamp,
          headers: r.headers,
        };
        let list = this.outputs.get(r.topic);
        if (!list) this.outputs.set(r.topic, (list = []));
        list.push(captured);
        if (this.consumesTopic(r.topic)) this.pending.push(captured);
      },
      // Every topic has one partition in the driver, as in Kafka Streams' driver.
      partitionsFor: () => 1,
    };
    const logger = config.logger ?? SILENT;
    this.global = new GlobalStateManager(this.topology, resolved, join(this.stateDir, 'global'), () => this.wallClock);
    this.global.initialize();
    // One thread runs every task here: its caches share the whole budget, as in Kafka's driver.
    const cache = new ThreadCache(resolved.statestoreCacheMaxBytes);
    for (const st of this.topology.subtopologies) {
      const task = new StreamTask({
        taskId: `${st.id}_0`,
        subtopology: st,
        partition: 0,
        topology: this.topology,
        config: resolved,
        collector,
        globalStores: this.global.stores,
        wallClock: () => this.wallClock,
        logger,
        taskDir: join(this.stateDir, `${st.id}_0`),
        cache,
      });
      task.initializeStores();
      task.initializeTopology();
      this.tasks.push(task);
      for (const t of st.sourceTopics) this.taskByTopic.set(task.realTopic(t), task);
      if (st.sourcePattern) this.patternTasks.push({ pattern: st.sourcePattern, task });
    }
    // Kafka's driver fires wall-clock punctuations due at start-up time only when time advances.
  }

  createInputTopic<K, V>(topic: string, keySerde: Serde<K>, valueSerde: Serde<V>, startTimestampMs?: number, autoAdvanceMs = 0): TestInputTopic<K, V> {
    return new TestInputTopic(
      { pipe: (t, k, v, ts, h) => this.pipe(t, k, v, ts, h) },
      topic,
      keySerde,
      valueSerde,
      startTimestampMs ?? this.wallClock,
      autoAdvanceMs,
    );
  }

  createOutputTopic<K, V>(topic: string, keySerde: Serde<K>, valueSerde: Serde<V>): TestOutputTopic<K, V> {
    return new TestOutputTopic(
      {
        take: (t) => this.outputs.get(this.resolve(t))?.shift(),
        queueSize: (t) => this.outputs.get(this.resolve(t))?.length ?? 0,
      },
      topic,
      keySerde,
      valueSerde,
    );
  }

  /** Records dropped so far, per reason (late records, null keys, records skipped by error handlers). */
  droppedRecords(): Map<string, number> {
    const out = new Map<string, number>();
    for (const t of this.tasks) for (const [r, n] of t.droppedRecords) out.set(r, (out.get(r) ?? 0) + n);
    return out;
  }

  /** The driver's metrics: processed and dropped records, also under Kafka's metric names (see TestDriverMetrics). */
  metrics(): TestDriverMetrics {
    return new TestDriverMetrics(
      this.processedRecords,
      this.droppedRecords(),
      this.tasks.map((t) => t.id),
      this.wallClock - this.startWallClock,
    );
  }

  /** Names of every topic the topology has written to so far (user, repartition and changelog topics). */
  producedTopicNames(): Set<string> {
    return new Set(this.outputs.keys());
  }

  advanceWallClockTime(ms: number): void {
    if (ms < 0) throw new RangeError('advanceWallClockTime takes a non-negative duration');
    this.wallClock += ms;
    for (const task of this.tasks) task.punctuateWallClock(this.wallClock);
    this.drain();
    this.flushAll();
  }

  /** A key-value store by name; timestamped DSL stores are shown without their timestamps, as Kafka's driver does. */
  getKeyValueStore<K, V>(name: string): ReadOnlyKeyValueStore<K, V> & Partial<Pick<KeyValueStore<K, V>, 'put' | 'delete'>> {
    const store = this.findStore(name);
    if (!store) throw new Error(`No state store named "${name}"`);
    if (isTimestampedStore(store)) {
      const inner = store as unknown as KeyValueStore<K, ValueAndTimestamp<V>>;
      return {
        ...readOnlyKeyValueFacade(inner),
        put: (key: K, value: V | null) => inner.put(key, value === null ? null : { value, timestamp: this.wallClock }),
        delete: (key: K) => inner.delete(key)?.value ?? null,
      };
    }
    return store as unknown as KeyValueStore<K, V>;
  }

  /** A timestamped key-value store with its `ValueAndTimestamp` values. */
  getTimestampedKeyValueStore<K, V>(name: string): KeyValueStore<K, ValueAndTimestamp<V>> {
    const store = this.findStore(name);
    if (!store) throw new Error(`No state store named "${name}"`);
    return store as unknown as KeyValueStore<K, ValueAndTimestamp<V>>;
  }

  /** A window store by name; timestamped DSL window stores are shown without their timestamps, as Kafka's driver does. */
  getWindowStore<K, V>(name: string): ReadableWindowStore<K, V> {
    const store = this.findStore(name);
    if (!store) throw new Error(`No state store named "${name}"`);
    if (isTimestampedStore(store)) return readOnlyWindowFacade(store as unknown as WindowStore<K, ValueAndTimestamp<V>>);
    return store as unknown as WindowStore<K, V>;
  }

  /** A timestamped window store with its `ValueAndTimestamp` values. */
  getTimestampedWindowStore<K, V>(name: string): WindowStore<K, ValueAndTimestamp<V>> {
    const store = this.findStore(name);
    if (!store) throw new Error(`No state store named "${name}"`);
    return store as unknown as WindowStore<K, ValueAndTimestamp<V>>;
  }

  /** A versioned key-value store (KIP-889) by name. */
  getVersionedKeyValueStore<K, V>(name: string): VersionedKeyValueStore<K, V> {
    const store = this.findStore(name);
    if (!store) throw new Error(`No state store named "${name}"`);
    if (!isVersionedStore<K, V>(store)) throw new Error(`State store "${name}" is not a versioned key-value store`);
    return store;
  }

  getSessionStore<K, V>(name: string): SessionStore<K, V> {
    const store = this.findStore(name);
    if (!store) throw new Error(`No state store named "${name}"`);
    return store as unknown as SessionStore<K, V>;
  }

  getStateStore(name: string): StateStore | undefined {
    return this.findStore(name);
  }

  getAllStateStores(): Map<string, StateStore> {
    const out = new Map<string, StateStore>(this.global.stores);
    for (const task of this.tasks) for (const [n, s] of task.stateManager.allStores()) out.set(n, s);
    return out;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      for (const task of this.tasks) task.close();
      this.global.close();
    } finally {
      rmSync(this.stateDir, { recursive: true, force: true });
    }
  }

  private pipe(topic: string, key: Buffer | null, value: Buffer | null, timestamp: number, headers: Headers): void {
    if (this.closed) throw new Error('The TopologyTestDriver is closed');
    if (!this.consumesTopic(topic)) {
      throw new Error(`Unknown topic "${topic}": the topology does not read it`);
    }
    this.deliver({ topic, partition: 0, key, value, timestamp, headers });
    this.flushAll();
  }

  private deliver(r: CapturedRecord): void {
    const offset = this.offsets.get(r.topic) ?? 0;
    this.offsets.set(r.topic, offset + 1);
    this.processedRecords++;
    const raw: ConsumedRecord = {
      topic: r.topic,
      partition: 0,
      offset,
      key: r.key,
      value: r.value,
      timestamp: r.timestamp,
      headers: toBufferHeaders(r.headers),
    };
    if (this.global.isGlobalTopic(r.topic)) {
      this.global.process(raw);
      return;
    }
    const task = this.taskFor(r.topic);
    task?.processRecord(raw);
  }

  /** Feeds records written to consumed topics back in, breadth-first, until nothing is left. */
  private drain(): void {
    if (this.processing) return;
    this.processing = true;
    try {
      let next: CapturedRecord | undefined;
      while ((next = this.pending.shift()) !== undefined) {
        this.deliver(next);
        this.flushStores();
      }
    } finally {
      this.processing = false;
    }
  }

  /**
   * As Kafka's driver commits after every record it processes (fed-back ones too), stores flush after each: record
   * caches forward what they coalesced within that one record.
   */
  private flushAll(): void {
    this.flushStores();
    this.drain();
  }

  private flushStores(): void {
    for (const task of this.tasks) task.flushState();
    this.global.flush();
  }

  private taskFor(topic: string): StreamTask | undefined {
    return this.taskByTopic.get(topic) ?? this.patternTasks.find((p) => p.pattern.test(topic))?.task;
  }

  private consumesTopic(topic: string): boolean {
    return this.taskFor(topic) !== undefined || this.global.isGlobalTopic(topic);
  }

  private resolve(topic: string): string {
    return this.topology.internalTopics.has(topic) ? internalTopicName(this.applicationId, topic) : topic;
  }

  private findStore(name: string): StateStore | undefined {
    const global = this.global.stores.get(name);
    if (global) return global;
    for (const task of this.tasks) {
      const s = task.store(name);
      if (s) return s;
    }
    return undefined;
  }
}

function toBufferHeaders(headers: Headers): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = typeof v === 'string' ? Buffer.from(v) : v;
  return out;
}
