import type { Headers } from '../../api/record.js';
import { DefaultPartitioner } from '../partitioner.js';
import {
  ProducerFencedError,
  type ConsumerGroupMetadata,
  type ProducedRecord,
  type Producer,
  type ProducerOptions,
  type TopicPartitionOffset,
} from '../port.js';
import { offsetKey, type EmbeddedLog } from './embedded-log.js';
import type { PartitionLog } from './partition-log.js';
import type { Txn } from './transaction.js';

const DEFAULT_TRANSACTION_TIMEOUT_MS = 60000;

type TxnState = 'uninitialized' | 'ready' | 'in-transaction' | 'fenced';

/**
 * A producer on the embedded log. `send` appends synchronously (records get their offsets in send order and are at
 * once visible to read_uncommitted consumers); `flush` makes them durable when the log has a data directory and
 * reports the last offset per partition. Transactional producers follow Kafka's state machine: `initTransactions`
 * first, then begin/commit/abort; a newer producer with the same transactional id fences this one.
 */
export class EmbeddedProducer implements Producer {
  private readonly partitioner = new DefaultPartitioner();
  private lastOffsets = new Map<PartitionLog, number>();
  private epoch = -1;
  private state: TxnState = 'uninitialized';
  private txn: Txn | null = null;
  private closed = false;

  constructor(
    private readonly log: EmbeddedLog,
    private readonly options: ProducerOptions,
  ) {}

  send(record: ProducedRecord): void {
    if (this.closed) throw new Error(`Producer ${this.options.clientId} is closed`);
    let txn: Txn | undefined;
    if (this.options.transactionalId !== undefined) {
      this.checkFenced();
      if (this.state !== 'in-transaction' || this.txn === null) {
        throw new Error(`Transactional producer ${this.options.clientId} must begin a transaction before sending`);
      }
      if (this.txn.status !== 'open') {
        this.state = 'fenced';
        throw new ProducerFencedError(`Transaction of "${this.options.transactionalId}" was aborted by the coordinator`);
      }
      txn = this.txn;
    }
    const topic = this.log.partitionForWrite(record.topic, record.partition);
    const key = record.key;
    const partition =
      record.partition ??
      this.partitioner.partition(topic.name, key, topic.partitions.length, (key?.length ?? 0) + (record.value?.length ?? 0));
    const p = topic.partitions[partition]!;
    const headers = record.headers === undefined ? undefined : toBufferHeaders(record.headers);
    const offset = p.append(key, record.value, this.log.timestampFor(topic, record.timestamp), headers, txn);
    this.lastOffsets.set(p, offset);
    this.log.signal.notify();
  }

  async flush(): Promise<TopicPartitionOffset[]> {
    const written = this.lastOffsets;
    this.lastOffsets = new Map();
    if (this.options.transactionalId !== undefined && this.state === 'fenced') {
      throw new ProducerFencedError(`Producer with transactional id "${this.options.transactionalId}" has been fenced`);
    }
    await this.log.sync(written.keys());
    return [...written].map(([p, offset]) => ({ topic: p.topic, partition: p.partition, offset }));
  }

  async initTransactions(): Promise<void> {
    const id = this.requireTransactional();
    this.epoch = this.log.initProducer(id);
    this.state = 'ready';
    this.txn = null;
  }

  async beginTransaction(): Promise<void> {
    this.requireTransactional();
    this.checkFenced();
    if (this.state !== 'ready') throw new Error(`Cannot begin a transaction in state ${this.state}`);
    this.txn = this.log.beginTransaction(
      this.options.transactionalId!,
      this.epoch,
      this.options.transactionTimeoutMs ?? DEFAULT_TRANSACTION_TIMEOUT_MS,
    );
    this.state = 'in-transaction';
  }

  async sendOffsetsToTransaction(offsets: ReadonlyArray<TopicPartitionOffset>, group: ConsumerGroupMetadata): Promise<void> {
    const txn = this.requireOpenTransaction();
    const g = this.log.group(group.groupId);
    // KIP-447: offsets from a member of an older generation would overwrite its successor's progress.
    if (!g.isCurrent(group.memberId, group.generationId)) {
      throw new ProducerFencedError(
        `Group "${group.groupId}" member ${group.memberId} generation ${group.generationId} is stale (current ${g.generationId})`,
      );
    }
    let pending = txn.pendingOffsets.get(group.groupId);
    if (pending === undefined) {
      pending = { groupId: group.groupId, offsets: new Map() };
      txn.pendingOffsets.set(group.groupId, pending);
    }
    for (const o of offsets) pending.offsets.set(offsetKey(o.topic, o.partition), o.offset);
  }

  async commitTransaction(): Promise<void> {
    const txn = this.requireOpenTransaction();
    this.lastOffsets = new Map();
    try {
      await this.log.commit(txn);
    } catch (err) {
      if (err instanceof ProducerFencedError) {
        this.state = 'fenced';
      } else if (txn.status === 'aborted') {
        // The log aborted it (a failed write): the transaction is over, the producer may begin the next one.
        this.txn = null;
        this.state = 'ready';
      }
      throw err;
    }
    this.txn = null;
    this.state = 'ready';
  }

  async abortTransaction(): Promise<void> {
    this.requireTransactional();
    this.checkFenced();
    if (this.state !== 'in-transaction' || this.txn === null) throw new Error(`No transaction to abort (state ${this.state})`);
    this.log.abort(this.txn);
    this.lastOffsets = new Map();
    this.txn = null;
    this.state = 'ready';
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Kafka aborts nothing on close; the coordinator aborts at the transaction timeout or when the id is re-initialised.
    if (!this.log.isClosed) await this.log.sync(this.lastOffsets.keys());
  }

  private requireTransactional(): string {
    if (this.closed) throw new Error(`Producer ${this.options.clientId} is closed`);
    const id = this.options.transactionalId;
    if (id === undefined) throw new Error(`Producer ${this.options.clientId} has no transactionalId`);
    return id;
  }

  private requireOpenTransaction(): Txn {
    this.requireTransactional();
    this.checkFenced();
    if (this.state !== 'in-transaction' || this.txn === null) throw new Error(`No open transaction (state ${this.state})`);
    if (this.txn.status !== 'open') {
      this.state = 'fenced';
      throw new ProducerFencedError(`Transaction of "${this.options.transactionalId}" was aborted by the coordinator`);
    }
    return this.txn;
  }

  private checkFenced(): void {
    if (this.state === 'uninitialized') throw new Error('initTransactions() has not been called');
    if (this.state === 'fenced') {
      throw new ProducerFencedError(`Producer with transactional id "${this.options.transactionalId}" has been fenced`);
    }
    try {
      this.log.checkEpoch(this.options.transactionalId!, this.epoch);
    } catch (err) {
      this.state = 'fenced';
      throw err;
    }
  }
}

/**
 * The last headers object seen empty and frozen: records passed through a topology mostly carry the one shared
 * empty object they were consumed with, which then needs no walk per record (frozen, it cannot gain headers later).
 */
let knownEmpty: Headers | undefined;

function toBufferHeaders(headers: Headers): Readonly<Record<string, Buffer>> | undefined {
  if (headers === knownEmpty) return undefined;
  // Most records have none: no object per record then (the log stores its shared empty headers).
  let out: Record<string, Buffer> | undefined;
  for (const name in headers) {
    const v = headers[name]!;
    out ??= {};
    out[name] = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
  }
  if (out === undefined && Object.isFrozen(headers)) knownEmpty = headers;
  return out;
}
