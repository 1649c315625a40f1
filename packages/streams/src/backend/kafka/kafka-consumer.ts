import type {
  ConsumedRecord,
  Consumer,
  ConsumerGroupMetadata,
  ConsumerOptions,
  RebalanceListener,
  TopicPartition,
  TopicPartitionOffset,
} from '../port.js';
import { CallsInFlight } from './calls-in-flight.js';
import { ErrorCode, call, callDoneWithin, toPortError } from './errors.js';
import type { KafkaOffsets } from './kafka-offsets.js';
import type { NativeConfig, NativeError, NativeKafkaConsumer, NativeMessage, NativeModule, NativeTopicPartition } from './native.js';
import { registerGroupMetadata } from './group-metadata.js';
import { type ConsumedBatch, MessageBatch, consumePacked, packedConsumer } from './packed-batch.js';
import { tpKeyOf as tpKey } from '../topic-partition.js';


const REQUEST_TIMEOUT_MS = 30_000;
const COMMIT_DEADLINE_MS = 60_000;
/** How long close() waits for calls in flight (committed() answers within REQUEST_TIMEOUT_MS) before leaving the handle. */
const CALLS_SETTLE_MS = REQUEST_TIMEOUT_MS + 5_000;

/**
 * A consumer on librdkafka's KafkaConsumer with the port's semantics.
 *
 * Rebalances: librdkafka calls the rebalance callback from inside `consume()` and waits (in its group state
 * machine) until the application calls assign/unassign. We await the listener first, then change the native
 * assignment only while no `consume()` is in flight, so a batch never mixes records from before and after an
 * assignment change; `poll()` returns only after pending rebalance work has completed.
 *
 * Start offsets are resolved explicitly on assignment (committed offset, else the reset policy through ListOffsets)
 * so `position()` is known before the first fetch; once librdkafka has fetched, its own position is used, because it
 * moves past transaction markers and aborted batches, which the last returned record's offset does not.
 */
export class KafkaConsumer implements Consumer {
  private readonly native: NativeKafkaConsumer;
  private listener: RebalanceListener | undefined;
  /** The assignment as the application sees it (updated before the assigned-listener runs). */
  private readonly assigned = new Map<string, TopicPartition>();
  /** Partitions handed to librdkafka. */
  private readonly nativeAssigned = new Set<string>();
  /** Positions we know without librdkafka: resolved start offsets, seeks, last returned record + 1. */
  private readonly tracked = new Map<string, number>();
  private readonly paused = new Set<string>();
  /** Partitions sought while a batch was being fetched: that batch's records for them are stale. */
  private readonly soughtDuringConsume = new Set<string>();
  /** Partitions sought whose new position librdkafka gets at the next re-assignment (applied before the next fetch). */
  private readonly seekPending = new Set<string>();
  private rebalanceWork: Promise<void> = Promise.resolve();
  private rebalanceError: Error | undefined;
  private consuming: Promise<unknown> | undefined;
  private generation = 0;
  private closed = false;
  /** Native calls not answered yet: the handle is not disconnected under them. */
  private readonly calls = new CallsInFlight();
  private metadata: ConsumerGroupMetadata;
  /** The patched client's packed consume (see packed-batch.ts); undefined on an unpatched client. */
  private readonly packed: ReturnType<typeof packedConsumer>;

  private constructor(
    private readonly mod: NativeModule,
    private readonly options: ConsumerOptions,
    private readonly offsets: KafkaOffsets,
    config: NativeConfig,
  ) {
    this.native = new mod.KafkaConsumer({
      ...config,
      rebalance_cb: (err: NativeError, partitions: NativeTopicPartition[]) => this.onRebalance(err, partitions),
    });
    this.metadata = this.newMetadata();
    this.packed = packedConsumer(this.native);
  }

  static async create(
    mod: NativeModule,
    options: ConsumerOptions,
    offsets: KafkaOffsets,
    config: NativeConfig,
  ): Promise<KafkaConsumer> {
    const consumer = new KafkaConsumer(mod, options, offsets, config);
    await call('connecting consumer', (cb) => consumer.native.connect({ timeout: REQUEST_TIMEOUT_MS }, cb));
    consumer.native.setDefaultIsTimeoutOnlyForFirstMessage?.(true);
    return consumer;
  }

  /** The librdkafka handle, for `sendOffsetsToTransaction` (it reads the live group metadata from it). */
  get handle(): NativeKafkaConsumer {
    return this.native;
  }

  async subscribe(topics: ReadonlyArray<string> | RegExp, listener: RebalanceListener): Promise<void> {
    this.requireGroup('subscribe');
    this.listener = listener;
    // librdkafka treats a topic name starting with "^" as a regular expression (its own POSIX-like dialect).
    const names = topics instanceof RegExp ? [`^${topics.source.replace(/^\^/, '')}`] : [...topics];
    try {
      this.native.subscribe(names);
    } catch (err) {
      throw toPortError(err, 'subscribe');
    }
  }

  async assign(partitions: ReadonlyArray<TopicPartitionOffset>): Promise<void> {
    const resolved = await this.resolveStartOffsets(partitions);
    await this.waitConsumeIdle();
    this.assigned.clear();
    this.tracked.clear();
    this.paused.clear();
    for (const tp of resolved) {
      this.assigned.set(tpKey(tp), { topic: tp.topic, partition: tp.partition });
      this.tracked.set(tpKey(tp), tp.offset);
    }
    this.applyNativeAssignment();
  }

  async unassign(): Promise<void> {
    await this.waitConsumeIdle();
    this.assigned.clear();
    this.tracked.clear();
    this.paused.clear();
    this.applyNativeUnassign();
  }

  assignment(): TopicPartition[] {
    return [...this.assigned.values()];
  }

  async poll(maxRecords: number, timeoutMs: number): Promise<ConsumedRecord[]> {
    if (this.closed) throw new Error('poll on a closed consumer');
    await this.settleRebalance();
    if (this.seekPending.size > 0) this.reassignWithPositions();
    const consuming = this.fetch(Math.max(1, maxRecords), Math.max(0, Math.floor(timeoutMs)));
    this.consuming = consuming.catch(() => undefined);
    let batch: ConsumedBatch;
    try {
      batch = await consuming;
    } finally {
      this.consuming = undefined;
    }
    await this.settleRebalance();
    return this.accept(batch);
  }

  private async fetch(maxRecords: number, timeoutMs: number): Promise<ConsumedBatch> {
    if (this.packed !== undefined) {
      try {
        return await consumePacked(this.packed, maxRecords, timeoutMs);
      } catch (err) {
        throw toPortError(err, 'poll');
      }
    }
    this.native.setDefaultConsumeTimeout(timeoutMs);
    return new MessageBatch(await call<NativeMessage[]>('poll', (cb) => this.native.consume(maxRecords, cb)));
  }

  seek(position: TopicPartitionOffset): void {
    const key = tpKey(position);
    if (!this.assigned.has(key)) throw new Error(`seek: ${position.topic}-${position.partition} is not assigned`);
    this.tracked.set(key, position.offset);
    if (!this.nativeAssigned.has(key)) return; // applied when the assignment reaches librdkafka
    if (this.consuming !== undefined) this.soughtDuringConsume.add(key);
    // Before its first fetch librdkafka may reject a seek (erroneous state); re-assigning with the offset is safe.
    // The re-assignment is applied once, before the next fetch: several seeks in a row (a rewind of every partition
    // after a failure) must not become several assign() calls while librdkafka still stops the partitions of the
    // previous one — that trips an assertion in librdkafka (rd_kafka_assignment_partition_stopped) and aborts.
    if (this.nativePosition(position) === undefined || this.consuming !== undefined) {
      this.seekPending.add(key);
      return;
    }
    this.native.seek({ topic: position.topic, partition: position.partition, offset: position.offset }, 0, (err) => {
      if (err) this.seekPending.add(key);
    });
  }

  position(partition: TopicPartition): number {
    const key = tpKey(partition);
    if (!this.assigned.has(key)) throw new Error(`position: ${partition.topic}-${partition.partition} is not assigned`);
    if (this.seekPending.has(key)) return this.tracked.get(key) ?? -1;
    return this.nativePosition(partition) ?? this.tracked.get(key) ?? -1;
  }

  pause(partitions: ReadonlyArray<TopicPartition>): void {
    const toPause = partitions.filter((tp) => this.assigned.has(tpKey(tp)));
    for (const tp of toPause) this.paused.add(tpKey(tp));
    const live = toPause.filter((tp) => this.nativeAssigned.has(tpKey(tp)));
    if (live.length > 0) this.native.pause(live.map(plain));
  }

  resume(partitions: ReadonlyArray<TopicPartition>): void {
    const toResume = partitions.filter((tp) => this.paused.delete(tpKey(tp)));
    const live = toResume.filter((tp) => this.nativeAssigned.has(tpKey(tp)));
    if (live.length > 0) this.native.resume(live.map(plain));
  }

  async committed(partitions: ReadonlyArray<TopicPartition>): Promise<TopicPartitionOffset[]> {
    this.requireGroup('committed');
    if (partitions.length === 0) return [];
    const result = await this.calls.track(
      call<NativeTopicPartition[]>('committed', (cb) => this.native.committed(partitions.map(plain), REQUEST_TIMEOUT_MS, cb)),
    );
    const byKey = new Map(result.map((tp) => [tpKey(tp), tp.offset]));
    return partitions.map((tp) => {
      const offset = byKey.get(tpKey(tp));
      return { topic: tp.topic, partition: tp.partition, offset: offset !== undefined && offset >= 0 ? offset : -1 };
    });
  }

  async commit(offsets: ReadonlyArray<TopicPartitionOffset>): Promise<void> {
    this.requireGroup('commit');
    if (offsets.length === 0) return;
    // librdkafka's commit has no timeout of its own: bound it, so a coordinator that never answers is a retriable error.
    await callDoneWithin(
      'commit',
      COMMIT_DEADLINE_MS,
      () => undefined,
      (cb) => this.native.commitCb(offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset })), cb),
      this.calls,
    );
  }

  beginningOffsets(partitions: ReadonlyArray<TopicPartition>): Promise<TopicPartitionOffset[]> {
    return this.offsets.list(partitions, 'earliest', this.options.isolationLevel);
  }

  endOffsets(partitions: ReadonlyArray<TopicPartition>): Promise<TopicPartitionOffset[]> {
    // ListOffsets(LATEST) with READ_COMMITTED isolation answers the last stable offset, as the Java consumer does.
    return this.offsets.list(partitions, 'latest', this.options.isolationLevel);
  }

  groupMetadata(): ConsumerGroupMetadata {
    this.requireGroup('groupMetadata');
    return this.metadata;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.consuming;
    await this.rebalanceWork;
    // Like the Java consumer, a clean close revokes the assignment first so the owner can commit and close tasks.
    if (this.listener !== undefined && this.assigned.size > 0) {
      const revoked = this.assignment();
      try {
        await this.listener.onPartitionsRevoked(revoked);
      } finally {
        this.assigned.clear();
      }
    }
    try {
      if (this.nativeAssigned.size > 0) this.applyNativeUnassign();
      if (this.options.groupId !== undefined && this.listener !== undefined) this.native.unsubscribe();
    } catch {
      // Closing anyway; librdkafka leaves the group in disconnect().
    }
    // Left connected while a call still holds the handle (calls-in-flight.ts); it answers within its own timeout.
    if (!(await this.calls.settled(CALLS_SETTLE_MS))) return;
    await new Promise<void>((resolve) => this.native.disconnect(() => resolve()));
  }

  // --- rebalancing -------------------------------------------------------------------------------------------

  private onRebalance(err: NativeError | undefined, partitions: NativeTopicPartition[]): void {
    const code = err?.code;
    const tps = partitions.map((tp) => ({ topic: tp.topic, partition: tp.partition }));
    this.rebalanceWork = this.rebalanceWork.then(async () => {
      try {
        if (code === ErrorCode.ASSIGN_PARTITIONS) await this.handleAssigned(tps);
        else await this.handleRevoked();
      } catch (cause) {
        this.rebalanceError ??= cause instanceof Error ? cause : new Error(String(cause));
      }
    });
  }

  private async handleAssigned(partitions: TopicPartition[]): Promise<void> {
    if (this.closed) return;
    this.generation += 1;
    this.metadata = this.newMetadata();
    this.assigned.clear();
    this.tracked.clear();
    this.paused.clear();
    for (const tp of partitions) this.assigned.set(tpKey(tp), tp);
    try {
      const committed = await this.committed(partitions);
      const resolved = await this.resolveStartOffsets(committed);
      for (const tp of resolved) this.tracked.set(tpKey(tp), tp.offset);
      await this.listener?.onPartitionsAssigned(partitions);
    } finally {
      // librdkafka's group join waits for this call; it must happen even when the listener failed.
      await this.waitConsumeIdle();
      this.applyNativeAssignment();
    }
  }

  private async handleRevoked(): Promise<void> {
    const revoked = this.assignment();
    const lost = this.nativeAssignmentLost();
    try {
      if (!this.closed && this.listener !== undefined && revoked.length > 0) {
        if (lost && this.listener.onPartitionsLost !== undefined) await this.listener.onPartitionsLost(revoked);
        else await this.listener.onPartitionsRevoked(revoked);
      }
    } finally {
      this.assigned.clear();
      this.tracked.clear();
      this.paused.clear();
      await this.waitConsumeIdle();
      this.applyNativeUnassign();
    }
  }

  private async settleRebalance(): Promise<void> {
    await this.rebalanceWork;
    const err = this.rebalanceError;
    if (err !== undefined) {
      this.rebalanceError = undefined;
      throw err;
    }
  }

  private nativeAssignmentLost(): boolean {
    try {
      return this.native.assignmentLost();
    } catch {
      return false;
    }
  }

  // --- native assignment -------------------------------------------------------------------------------------

  private applyNativeAssignment(): void {
    // Every partition gets its tracked position here, sought ones included.
    this.seekPending.clear();
    const partitions = [...this.assigned.values()].map((tp) => ({
      topic: tp.topic,
      partition: tp.partition,
      offset: this.tracked.get(tpKey(tp)) ?? this.logicalReset(),
    }));
    this.native.assign(partitions);
    this.nativeAssigned.clear();
    for (const tp of partitions) this.nativeAssigned.add(tpKey(tp));
    const paused = [...this.paused].map((key) => this.assigned.get(key)).filter((tp) => tp !== undefined);
    if (paused.length > 0) this.native.pause(paused.map(plain));
  }

  private applyNativeUnassign(): void {
    this.seekPending.clear();
    this.native.unassign();
    this.nativeAssigned.clear();
  }

  private reassignWithPositions(): void {
    for (const tp of this.assigned.values()) {
      const known = this.nativePosition(tp);
      if (known !== undefined && !this.tracked.has(tpKey(tp))) this.tracked.set(tpKey(tp), known);
    }
    this.applyNativeAssignment();
  }

  private nativePosition(tp: TopicPartition): number | undefined {
    if (!this.nativeAssigned.has(tpKey(tp))) return undefined;
    try {
      const [pos] = this.native.position([plain(tp)]);
      return pos?.offset !== undefined && pos.offset >= 0 ? pos.offset : undefined;
    } catch {
      return undefined;
    }
  }

  /** librdkafka's logical offsets: -2 beginning, -1 end. */
  private logicalReset(): number {
    return this.options.autoOffsetReset === 'earliest' ? -2 : -1;
  }

  private async resolveStartOffsets(partitions: ReadonlyArray<TopicPartitionOffset>): Promise<TopicPartitionOffset[]> {
    const missing = partitions.filter((tp) => tp.offset < 0);
    if (missing.length === 0) return [...partitions];
    const reset = await this.offsets.list(missing, this.options.autoOffsetReset, this.options.isolationLevel);
    const byKey = new Map(reset.map((tp) => [tpKey(tp), tp.offset]));
    return partitions.map((tp) => (tp.offset >= 0 ? tp : { ...tp, offset: byKey.get(tpKey(tp)) ?? tp.offset }));
  }

  private async waitConsumeIdle(): Promise<void> {
    while (this.consuming !== undefined) await this.consuming;
  }

  // --- records -----------------------------------------------------------------------------------------------

  private accept(batch: ConsumedBatch): ConsumedRecord[] {
    const records: ConsumedRecord[] = [];
    const rewind = new Map<string, TopicPartitionOffset>();
    // A batch holds runs of records of one partition: the partition's state is looked up once per run, not per
    // record, and its tracked position is set once, at the end of the run.
    let runBatchTopic: string | undefined;
    let runTopic = '';
    let runPartition = -1;
    let runKey = '';
    let runAccepted = false;
    let runLast = -1;
    while (batch.next()) {
      if (batch.partition !== runPartition || batch.topic !== runBatchTopic) {
        if (runLast >= 0) this.tracked.set(runKey, runLast + 1);
        runKey = tpKey(batch);
        runBatchTopic = batch.topic;
        // Records carry the assignment's topic string, so the runtime's per-record lookups by topic hash it once
        // and compare by identity.
        runTopic = this.assigned.get(runKey)?.topic ?? batch.topic;
        runPartition = batch.partition;
        runLast = -1;
        // Revoked meanwhile (the group's committed offset governs) or sought during the fetch: not returned.
        runAccepted = this.nativeAssigned.has(runKey) && !this.soughtDuringConsume.has(runKey);
        if (runAccepted && this.paused.has(runKey)) {
          // Paused after the batch was fetched: hand these back by rewinding, as the Java consumer drops them.
          runAccepted = false;
          if (!rewind.has(runKey)) rewind.set(runKey, { topic: batch.topic, partition: batch.partition, offset: batch.offset });
        }
      }
      if (!runAccepted) continue;
      records.push(batch.record(runTopic));
      runLast = batch.offset;
    }
    if (runLast >= 0) this.tracked.set(runKey, runLast + 1);
    this.soughtDuringConsume.clear();
    for (const position of rewind.values()) this.seek(position);
    return records;
  }

  private requireGroup(what: string): void {
    if (this.options.groupId === undefined) throw new Error(`${what} needs a consumer with a groupId`);
  }

  private newMetadata(): ConsumerGroupMetadata {
    // librdkafka does not expose member id and generation; the live values travel inside the native handle.
    const metadata: ConsumerGroupMetadata = {
      groupId: this.options.groupId ?? '',
      generationId: this.generation,
      memberId: '',
      groupInstanceId: this.options.groupInstanceId,
    };
    registerGroupMetadata(metadata, this);
    return metadata;
  }
}

function plain(tp: TopicPartition): NativeTopicPartition {
  return { topic: tp.topic, partition: tp.partition };
}
