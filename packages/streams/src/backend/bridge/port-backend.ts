/**
 * A backend whose clients live in another thread (see `backend-server.ts`): every call is forwarded over a
 * `PortRpc`. Stream threads in worker threads run on it because the Kafka client's native module loads in one
 * JavaScript context per process only. What the port asks synchronously — a consumer's assignment, position and
 * group metadata — is mirrored here from each answer of the owning side; a producer's records go over in batches.
 */
import type {
  AdminClient,
  Backend,
  ConsumedRecord,
  Consumer,
  ConsumerGroupMetadata,
  ConsumerOptions,
  NewTopic,
  ProducedRecord,
  Producer,
  ProducerOptions,
  RebalanceListener,
  TopicPartition,
  TopicPartitionOffset,
} from '../port.js';
import { tpKey } from '../topic-partition.js';
import { Transfer, type PortRpc } from './port-rpc.js';
import { decodeConsumed, encodeRecords, type RecordBatch } from './record-batch.js';

/** A consumer's synchronous state as its owner sees it, sent with every answer that may change it. */
export interface ConsumerMirror {
  readonly assignment: TopicPartition[];
  readonly positions: Array<[topic: string, partition: number, offset: number]>;
  readonly group: ConsumerGroupMetadata | undefined;
}

/** A subscription pattern crosses as its source and flags. */
export type TopicsArg = ReadonlyArray<string> | { readonly source: string; readonly flags: string };

/** Records queued by `send()` go over once this many are waiting, or at the latest before the next call. */
const SEND_BATCH = 500;

export class PortBackend implements Backend {
  private nextHandle = 1;
  private readonly consumers = new Map<number, PortConsumer>();

  constructor(
    private readonly rpc: PortRpc,
    readonly kind: 'embedded' | 'kafka',
  ) {}

  /** The owning side runs a consumer's rebalance callback here (inside that consumer's `poll`). */
  async onRebalance(handle: number, kind: 'revoked' | 'assigned' | 'lost', partitions: TopicPartition[], mirror: ConsumerMirror): Promise<void> {
    await this.consumers.get(handle)?.rebalance(kind, partitions, mirror);
  }

  admin(): AdminClient {
    const handle = this.nextHandle++;
    const call = <T>(op: string, ...args: unknown[]): Promise<T> => this.rpc.call<T>('admin', [handle, op, ...args]);
    return {
      createTopics: (topics: ReadonlyArray<NewTopic>) => call('createTopics', topics),
      describeTopics: (names: ReadonlyArray<string>) => call('describeTopics', names),
      listTopics: () => call('listTopics'),
      deleteTopics: (names: ReadonlyArray<string>) => call('deleteTopics', names),
      deleteRecords: (offsets: ReadonlyArray<TopicPartitionOffset>) => call('deleteRecords', offsets),
      close: () => call('close'),
    };
  }

  async createProducer(options: ProducerOptions): Promise<Producer> {
    const handle = this.nextHandle++;
    await this.rpc.call('producer.create', [handle, options]);
    return new PortProducer(this.rpc, handle, (metadata) => this.consumerOf(metadata));
  }

  async createConsumer(options: ConsumerOptions): Promise<Consumer> {
    const handle = this.nextHandle++;
    await this.rpc.call('consumer.create', [handle, options]);
    const consumer = new PortConsumer(this.rpc, handle, () => this.consumers.delete(handle));
    this.consumers.set(handle, consumer);
    return consumer;
  }

  async close(): Promise<void> {
    await this.rpc.call('close');
  }

  private consumerOf(metadata: ConsumerGroupMetadata): number | undefined {
    for (const [handle, consumer] of this.consumers) if (consumer.owns(metadata)) return handle;
    return undefined;
  }
}

class PortProducer implements Producer {
  private queued: ProducedRecord[] = [];
  private scheduled = false;

  constructor(
    private readonly rpc: PortRpc,
    private readonly handle: number,
    private readonly consumerOf: (metadata: ConsumerGroupMetadata) => number | undefined,
  ) {}

  send(record: ProducedRecord): void {
    this.queued.push(record);
    if (this.queued.length >= SEND_BATCH) this.ship();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.ship());
    }
  }

  flush(): Promise<TopicPartitionOffset[]> {
    return this.call('flush');
  }

  initTransactions(): Promise<void> {
    return this.call('initTransactions');
  }

  beginTransaction(): Promise<void> {
    return this.call('beginTransaction');
  }

  sendOffsetsToTransaction(offsets: ReadonlyArray<TopicPartitionOffset>, group: ConsumerGroupMetadata): Promise<void> {
    // The owning side hands its client the live group metadata of the consumer these came from.
    return this.call('sendOffsetsToTransaction', offsets, this.consumerOf(group) ?? -1);
  }

  commitTransaction(): Promise<void> {
    return this.call('commitTransaction');
  }

  abortTransaction(): Promise<void> {
    return this.call('abortTransaction');
  }

  close(): Promise<void> {
    return this.call('close');
  }

  private call<T>(op: string, ...args: unknown[]): Promise<T> {
    this.ship();
    return this.rpc.call<T>('producer', [this.handle, op, ...args]);
  }

  private ship(): void {
    this.scheduled = false;
    if (this.queued.length === 0) return;
    const batch = encodeRecords(this.queued);
    this.queued = [];
    this.rpc.notify('producer.send', new Transfer([this.handle, batch.value], batch.transfer));
  }
}

class PortConsumer implements Consumer {
  private assigned = new Map<string, TopicPartition>();
  private readonly positions = new Map<string, number>();
  private group: ConsumerGroupMetadata | undefined;
  private listener: RebalanceListener | undefined;

  constructor(
    private readonly rpc: PortRpc,
    private readonly handle: number,
    private readonly onClose: () => void,
  ) {}

  owns(metadata: ConsumerGroupMetadata): boolean {
    return metadata === this.group;
  }

  async rebalance(kind: 'revoked' | 'assigned' | 'lost', partitions: TopicPartition[], mirror: ConsumerMirror): Promise<void> {
    this.apply(mirror);
    const listener = this.listener;
    if (!listener) return;
    if (kind === 'revoked') await listener.onPartitionsRevoked(partitions);
    else if (kind === 'assigned') await listener.onPartitionsAssigned(partitions);
    else await listener.onPartitionsLost?.(partitions);
  }

  async subscribe(topics: ReadonlyArray<string> | RegExp, listener: RebalanceListener): Promise<void> {
    this.listener = listener;
    const arg: TopicsArg = topics instanceof RegExp ? { source: topics.source, flags: topics.flags } : [...topics];
    this.apply(await this.call<ConsumerMirror>('subscribe', arg));
  }

  async assign(partitions: ReadonlyArray<TopicPartitionOffset>): Promise<void> {
    this.apply(await this.call<ConsumerMirror>('assign', partitions));
  }

  async unassign(): Promise<void> {
    this.apply(await this.call<ConsumerMirror>('unassign'));
  }

  assignment(): TopicPartition[] {
    return [...this.assigned.values()];
  }

  async poll(maxRecords: number, timeoutMs: number): Promise<ConsumedRecord[]> {
    const { batch, mirror } = await this.call<{ batch: RecordBatch; mirror: ConsumerMirror }>('poll', maxRecords, timeoutMs);
    this.apply(mirror);
    return decodeConsumed(batch);
  }

  seek(position: TopicPartitionOffset): void {
    const key = tpKey(position.topic, position.partition);
    if (!this.assigned.has(key)) throw new Error(`seek: ${position.topic}-${position.partition} is not assigned`);
    this.positions.set(key, position.offset);
    this.rpc.notify('consumer.seek', [this.handle, position]);
  }

  position(partition: TopicPartition): number {
    const key = tpKey(partition.topic, partition.partition);
    if (!this.assigned.has(key)) throw new Error(`position: ${partition.topic}-${partition.partition} is not assigned`);
    return this.positions.get(key) ?? -1;
  }

  pause(partitions: ReadonlyArray<TopicPartition>): void {
    this.rpc.notify('consumer.pause', [this.handle, partitions]);
  }

  resume(partitions: ReadonlyArray<TopicPartition>): void {
    this.rpc.notify('consumer.resume', [this.handle, partitions]);
  }

  committed(partitions: ReadonlyArray<TopicPartition>): Promise<TopicPartitionOffset[]> {
    return this.call('committed', partitions);
  }

  commit(offsets: ReadonlyArray<TopicPartitionOffset>): Promise<void> {
    return this.call('commit', offsets);
  }

  beginningOffsets(partitions: ReadonlyArray<TopicPartition>): Promise<TopicPartitionOffset[]> {
    return this.call('beginningOffsets', partitions);
  }

  endOffsets(partitions: ReadonlyArray<TopicPartition>): Promise<TopicPartitionOffset[]> {
    return this.call('endOffsets', partitions);
  }

  groupMetadata(): ConsumerGroupMetadata {
    if (!this.group) throw new Error('groupMetadata: this consumer has no group (or has not joined it yet)');
    return this.group;
  }

  async close(): Promise<void> {
    this.onClose();
    await this.call('close');
  }

  private call<T>(op: string, ...args: unknown[]): Promise<T> {
    return this.rpc.call<T>('consumer', [this.handle, op, ...args]);
  }

  private apply(mirror: ConsumerMirror): void {
    this.assigned = new Map(mirror.assignment.map((tp) => [tpKey(tp.topic, tp.partition), tp]));
    this.positions.clear();
    for (const [topic, partition, offset] of mirror.positions) this.positions.set(tpKey(topic, partition), offset);
    // Keep the same object while the group state is unchanged: a producer finds its consumer by it.
    const g = mirror.group;
    if (!g) this.group = undefined;
    else if (!this.group || this.group.generationId !== g.generationId || this.group.memberId !== g.memberId) this.group = g;
  }
}
