import type {
  ConsumerGroupMetadata,
  ProducedRecord,
  Producer,
  ProducerOptions,
  TopicPartitionOffset,
} from '../port.js';
import { call, callDone, isNativeError, toPortError } from './errors.js';
import { consumerForGroupMetadata } from './group-metadata.js';
import type { NativeConfig, NativeDeliveryReport, NativeError, NativeHeaders, NativeModule, NativeProducer } from './native.js';

const TXN_TIMEOUT_MS = 60_000;
const CLOSE_TIMEOUT_MS = 10_000;
/** librdkafka reports records purged by an abort with these codes; they are not delivery failures. */
const PURGE_CODES: ReadonlySet<number> = new Set([-152, -151]);

/**
 * A producer on librdkafka. `send` queues (librdkafka's `produce()` returns at once); delivery reports, polled on a
 * background thread, count queued records down, so `flush()` resolves when every queued record is acknowledged and
 * can report the last offset written per partition.
 */
export class KafkaProducer implements Producer {
  private readonly native: NativeProducer;
  private pending = 0;
  private lastOffsets = new Map<string, TopicPartitionOffset>();
  private deliveryError: Error | undefined;
  private drained: Array<() => void> = [];
  private closed = false;

  private constructor(
    mod: NativeModule,
    private readonly options: ProducerOptions,
    config: NativeConfig,
  ) {
    this.native = new mod.Producer({ ...config, dr_cb: true });
    this.native.on('delivery-report', (err, report) => this.onDelivery(err, report));
  }

  static async create(mod: NativeModule, options: ProducerOptions, config: NativeConfig): Promise<KafkaProducer> {
    const producer = new KafkaProducer(mod, options, config);
    await call('connecting producer', (cb) => producer.native.connect({ timeout: 30_000 }, cb));
    // A background poller dispatches delivery reports without a JS timer adding latency.
    producer.native.setPollInBackground(true);
    return producer;
  }

  send(record: ProducedRecord): void {
    if (this.closed) throw new Error('send on a closed producer');
    try {
      this.native.produce(
        record.topic,
        record.partition ?? null,
        record.value,
        record.key,
        record.timestamp ?? null,
        undefined,
        toNativeHeaders(record.headers),
      );
    } catch (err) {
      throw toPortError(err, `sending to ${record.topic}`, record.topic);
    }
    this.pending += 1;
  }

  async flush(): Promise<TopicPartitionOffset[]> {
    await this.drain();
    const error = this.deliveryError;
    const offsets = [...this.lastOffsets.values()];
    this.deliveryError = undefined;
    this.lastOffsets = new Map();
    if (error !== undefined) throw error;
    return offsets;
  }

  async initTransactions(): Promise<void> {
    this.requireTransactional('initTransactions');
    await callDone('initTransactions', (cb) => this.native.initTransactions(TXN_TIMEOUT_MS, cb));
  }

  async beginTransaction(): Promise<void> {
    this.requireTransactional('beginTransaction');
    await callDone('beginTransaction', (cb) => this.native.beginTransaction(cb));
  }

  async sendOffsetsToTransaction(
    offsets: ReadonlyArray<TopicPartitionOffset>,
    group: ConsumerGroupMetadata,
  ): Promise<void> {
    this.requireTransactional('sendOffsetsToTransaction');
    if (offsets.length === 0) return;
    const consumer = consumerForGroupMetadata(group);
    if (consumer === undefined) {
      throw new Error('sendOffsetsToTransaction needs group metadata obtained from a Kafka backend consumer');
    }
    await callDone('sendOffsetsToTransaction', (cb) =>
      this.native.sendOffsetsToTransaction(
        offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset })),
        consumer,
        TXN_TIMEOUT_MS,
        cb,
      ),
    );
  }

  async commitTransaction(): Promise<void> {
    this.requireTransactional('commitTransaction');
    await this.drain();
    if (this.deliveryError !== undefined) {
      // The broker would refuse the commit anyway; the caller must abort.
      const error = this.deliveryError;
      this.deliveryError = undefined;
      throw error;
    }
    await callDone('commitTransaction', (cb) => this.native.commitTransaction(TXN_TIMEOUT_MS, cb));
  }

  async abortTransaction(): Promise<void> {
    this.requireTransactional('abortTransaction');
    await callDone('abortTransaction', (cb) => this.native.abortTransaction(TXN_TIMEOUT_MS, cb));
    // The abort purged what was still queued; their reports carry purge errors that are no delivery failures.
    await this.drain();
    this.deliveryError = undefined;
    this.lastOffsets = new Map();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((resolve) => this.native.disconnect(CLOSE_TIMEOUT_MS, () => resolve()));
    // Reports that never come (the client is gone) must not keep a flush waiting.
    this.pending = 0;
    this.releaseDrained();
  }

  private onDelivery(err: NativeError | null | undefined, report: NativeDeliveryReport): void {
    this.pending = Math.max(0, this.pending - 1);
    if (err) {
      if (!(isNativeError(err) && PURGE_CODES.has(err.code))) {
        this.deliveryError ??= toPortError(err, `delivering to ${report.topic}`, report.topic);
      }
    } else {
      const key = `${report.topic}\u0000${report.partition}`;
      const previous = this.lastOffsets.get(key);
      if (previous === undefined || report.offset > previous.offset) {
        this.lastOffsets.set(key, { topic: report.topic, partition: report.partition, offset: report.offset });
      }
    }
    if (this.pending === 0) this.releaseDrained();
  }

  private drain(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    // flush(0) makes librdkafka send what linger.ms is still holding back, without blocking a worker thread.
    this.native.flush(0, () => undefined);
    return new Promise((resolve) => this.drained.push(resolve));
  }

  private releaseDrained(): void {
    const waiting = this.drained;
    this.drained = [];
    for (const resolve of waiting) resolve();
  }

  private requireTransactional(what: string): void {
    if (this.options.transactionalId === undefined) throw new Error(`${what} needs a producer with a transactionalId`);
  }
}

function toNativeHeaders(headers: ProducedRecord['headers']): NativeHeaders | undefined {
  if (headers === undefined) return undefined;
  const entries = Object.entries(headers);
  if (entries.length === 0) return undefined;
  return entries.map(([name, value]) => ({ [name]: value }));
}
