import type {
  ConsumerGroupMetadata,
  ProducedRecord,
  Producer,
  ProducerOptions,
  TopicPartition,
  TopicPartitionOffset,
} from '../port.js';
import { CallsInFlight } from './calls-in-flight.js';
import { ClientCallHungError, call, callDone, callDoneWithin, isNativeError, toPortError } from './errors.js';
import { consumerForGroupMetadata } from './group-metadata.js';
import type { KafkaOffsets } from './kafka-offsets.js';
import { PackedSends, type RefusedSend, packedProducer } from './packed-sends.js';
import type { NativeConfig, NativeDeliveryReport, NativeError, NativeHeaders, NativeModule, NativeProducer } from './native.js';

const TXN_TIMEOUT_MS = 60_000;
/**
 * Normally milliseconds; librdkafka ignores the timeout of this call (see ClientCallHungError), so this mostly sets
 * when our own deadline gives the producer up after the group coordinator died.
 */
const SEND_OFFSETS_TIMEOUT_MS = 20_000;
const CLOSE_TIMEOUT_MS = 10_000;
/** How long `flush()` waits for outstanding records before it fails. */
const FLUSH_TIMEOUT_MS = 120_000;
/** How long past its own timeout a call may stay unanswered before the producer is given up as hung. */
const HUNG_GRACE_MS = 15_000;
/** librdkafka reports records purged by an abort with these codes; they are not delivery failures. */
const PURGE_CODES: ReadonlySet<number> = new Set([-152, -151]);

/**
 * A producer on librdkafka. `send` queues (librdkafka's `produce()` returns at once) and `flush()` waits in
 * librdkafka's own flush until every queued record is acknowledged. Only failed deliveries are reported to
 * JavaScript: a report per record costs the single JS thread more than producing it (measured: 600k records took
 * 7.5 s to acknowledge with a report each, 3.0 s with error reports only). The offsets `flush()` reports are
 * therefore read from the broker (the high watermark) for the partitions the caller named explicitly — the
 * changelog partitions this producer alone writes.
 */
export class KafkaProducer implements Producer {
  private readonly native: NativeProducer;
  /** Explicitly named partitions written since the last flush, by topic (no string key built per record). */
  private written = new Map<string, Set<number>>();
  /** The first failed delivery not reported yet by a flush or commit. */
  private deliveryError: Error | undefined;
  /** Failed deliveries so far, and the latest: a flush that overlapped one fails too (see `flush`). */
  private deliveryFailures = 0;
  private latestDeliveryError: Error | undefined;
  private closed = false;
  /** A call never returned: the native handle is left alone (disconnecting it under that call crashes the process). */
  private hung = false;
  /** Native calls not answered yet: the handle is not disconnected under them. */
  private readonly calls = new CallsInFlight();
  /** The native flush running, and the one that follows it for callers who came meanwhile (`nativeFlush`). */
  private flushing: Promise<void> | undefined;
  private nextFlush: Promise<void> | undefined;
  /** The patched client's batched produce (packed-sends.ts); undefined on an unpatched client. */
  private readonly packed: PackedSends | undefined;

  private constructor(
    mod: NativeModule,
    private readonly options: ProducerOptions,
    config: NativeConfig,
    private readonly offsets: KafkaOffsets,
  ) {
    this.native = new mod.Producer({ ...config, dr_cb: true, 'delivery.report.only.error': true });
    this.native.on('delivery-report', (err, report) => this.onDelivery(err, report));
    const packed = packedProducer(this.native);
    this.packed = packed && new PackedSends(packed, (refused) => this.onRefused(refused));
  }

  static async create(mod: NativeModule, options: ProducerOptions, config: NativeConfig, offsets: KafkaOffsets): Promise<KafkaProducer> {
    const producer = new KafkaProducer(mod, options, config, offsets);
    await call('connecting producer', (cb) => producer.native.connect({ timeout: 30_000 }, cb));
    // A background poller dispatches delivery reports without a JS timer adding latency.
    producer.native.setPollInBackground(true);
    return producer;
  }

  /**
   * Packed for a batched hand-over to librdkafka (or, on an unpatched client, one native produce() per record), and
   * nothing else per record: no delivery report unless it failed, no string key for the written-partition
   * bookkeeping. A record librdkafka refuses fails the next flush or commit, as a failed delivery does.
   */
  send(record: ProducedRecord): void {
    if (this.closed) throw new Error('send on a closed producer');
    const { topic, partition } = record;
    if (this.packed !== undefined) this.packed.add(record);
    else {
      try {
        this.native.produce(topic, partition ?? null, record.value, record.key, record.timestamp ?? null, undefined, toNativeHeaders(record.headers));
      } catch (err) {
        throw toPortError(err, `sending to ${topic}`, topic);
      }
    }
    if (partition !== undefined) {
      let partitions = this.written.get(topic);
      if (partitions === undefined) this.written.set(topic, (partitions = new Set()));
      partitions.add(partition);
    }
  }

  /**
   * Fails when a record failed since the last flush that reported a failure, and also when one failed while this
   * flush waited: callers that flush at once (request handlers sharing the producer) each learn of a failure that
   * may be one of their records, instead of only the first to look, which could leave the others acknowledged with
   * their records lost.
   */
  async flush(): Promise<TopicPartitionOffset[]> {
    const failuresBefore = this.deliveryFailures;
    await this.drain();
    const error = this.takeDeliveryError() ?? (this.deliveryFailures > failuresBefore ? this.latestDeliveryError : undefined);
    const written: TopicPartition[] = [];
    for (const [topic, partitions] of this.written) for (const partition of partitions) written.push({ topic, partition });
    this.written = new Map();
    if (error !== undefined) throw error;
    // The high watermark is one past the last record (or transaction marker) in the partition.
    const ends = await this.offsets.list(written, 'latest', 'read_uncommitted');
    return ends.filter((e) => e.offset > 0).map((e) => ({ topic: e.topic, partition: e.partition, offset: e.offset - 1 }));
  }

  async initTransactions(): Promise<void> {
    this.requireTransactional('initTransactions');
    await this.guarded('initTransactions', TXN_TIMEOUT_MS, (cb) => this.native.initTransactions(TXN_TIMEOUT_MS, cb));
  }

  async beginTransaction(): Promise<void> {
    this.requireTransactional('beginTransaction');
    await this.calls.track(callDone('beginTransaction', (cb) => this.native.beginTransaction(cb)));
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
    await this.guarded('sendOffsetsToTransaction', SEND_OFFSETS_TIMEOUT_MS, (cb) =>
      this.native.sendOffsetsToTransaction(
        offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset })),
        consumer,
        SEND_OFFSETS_TIMEOUT_MS,
        cb,
      ),
    );
  }

  async commitTransaction(): Promise<void> {
    this.requireTransactional('commitTransaction');
    await this.drain();
    const error = this.takeDeliveryError();
    // The broker would refuse the commit anyway; the caller must abort.
    if (error !== undefined) throw error;
    await this.guarded('commitTransaction', TXN_TIMEOUT_MS, (cb) => this.native.commitTransaction(TXN_TIMEOUT_MS, cb));
  }

  async abortTransaction(): Promise<void> {
    this.requireTransactional('abortTransaction');
    // Records not handed to librdkafka yet belong to the aborted transaction: they are dropped, not sent.
    await this.packed?.discard();
    await this.guarded('abortTransaction', TXN_TIMEOUT_MS, (cb) => this.native.abortTransaction(TXN_TIMEOUT_MS, cb));
    // The abort purged what was still queued; their reports carry purge errors that are no delivery failures.
    await this.drain();
    this.deliveryError = undefined;
    this.written = new Map();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Disconnecting waits for a batch being queued (it holds the client's connection lock), so none is cut short.
    await this.packed?.settle();
    // Leaked on purpose while a call still holds it (calls-in-flight.ts): a hung one, or one that has not answered
    // within the close timeout (a flush waiting for a broker that is away). A replacement with the same
    // transactional id fences it.
    if (this.hung || !(await this.calls.settled(CLOSE_TIMEOUT_MS))) return;
    await new Promise<void>((resolve) => this.native.disconnect(CLOSE_TIMEOUT_MS, () => resolve()));
  }

  private onRefused(refused: RefusedSend[]): void {
    const first = refused[0];
    if (first === undefined) return;
    const err = Object.assign(new Error(`librdkafka refused ${refused.length} record(s)`), { code: first.code });
    this.noteDeliveryFailure(toPortError(err, `sending to ${first.topic}`, first.topic));
  }

  private onDelivery(err: NativeError | null | undefined, report: NativeDeliveryReport): void {
    if (err && !(isNativeError(err) && PURGE_CODES.has(err.code))) {
      this.noteDeliveryFailure(toPortError(err, `delivering to ${report.topic}`, report.topic));
    }
  }

  private noteDeliveryFailure(error: Error): void {
    this.deliveryError ??= error;
    this.deliveryFailures++;
    this.latestDeliveryError = error;
  }

  /**
   * Waits until librdkafka has every queued record acknowledged (or failed). Error reports polled during the flush
   * are queued to this thread; two turns of the event loop let them arrive before the caller looks.
   */
  private async drain(): Promise<void> {
    await this.packed?.settle();
    await this.nativeFlush();
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
  }

  /**
   * librdkafka's flush, at most one at a time per producer. Each native flush holds a libuv worker until the queue is
   * empty, and a producer shared by request handlers flushes once per request: when a broker froze under 200
   * requests/s, 788 flushes waited at once, every worker of the pool was taken, and the stream threads' own calls
   * (consume, commit) queued behind them. A caller who comes while a flush runs may have queued records after
   * librdkafka last looked at its queue, so it waits for the next flush, which everyone arriving meanwhile shares.
   */
  private nativeFlush(): Promise<void> {
    if (this.flushing === undefined) {
      const flushing = this.guarded('flush', FLUSH_TIMEOUT_MS, (cb) => this.native.flush(FLUSH_TIMEOUT_MS, cb)).finally(() => {
        if (this.flushing === flushing) this.flushing = undefined;
      });
      this.flushing = flushing;
      return flushing;
    }
    this.nextFlush ??= this.flushing
      .catch(() => undefined)
      .then(() => {
        this.nextFlush = undefined;
        return this.nativeFlush();
      });
    return this.nextFlush;
  }

  /** A call bounded by its own timeout and, should librdkafka never answer, by that timeout plus a grace period. */
  private guarded(what: string, timeoutMs: number, run: (cb: (err: NativeError | null | undefined) => void) => unknown): Promise<void> {
    if (this.hung) return Promise.reject(new ClientCallHungError(`${what}: the producer is unusable (an earlier call never returned)`));
    return callDoneWithin(what, timeoutMs + HUNG_GRACE_MS, () => (this.hung = true), run, this.calls);
  }

  private takeDeliveryError(): Error | undefined {
    const error = this.deliveryError;
    this.deliveryError = undefined;
    return error;
  }

  private requireTransactional(what: string): void {
    if (this.options.transactionalId === undefined) throw new Error(`${what} needs a producer with a transactionalId`);
  }
}

/** librdkafka's header list, or undefined for a record without headers (the common case allocates nothing). */
function toNativeHeaders(headers: ProducedRecord['headers']): NativeHeaders | undefined {
  if (headers === undefined) return undefined;
  let out: NativeHeaders | undefined;
  for (const name in headers) {
    if (Object.hasOwn(headers, name)) (out ??= []).push({ [name]: headers[name] as string | Buffer });
  }
  return out;
}
