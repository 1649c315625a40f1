/**
 * The owning side of `PortBackend`: runs the calls of one worker thread's clients on a real backend in this thread.
 * Rebalance callbacks of a consumer are called back in the worker (and awaited) from inside that consumer's poll,
 * as the port requires. `close()` closes whatever the worker left open (it may have died).
 */
import type { AdminClient, Backend, Consumer, Producer, TopicPartition } from '../port.js';
import type { ConsumerMirror, TopicsArg } from './port-backend.js';
import { Transfer, type PortRpc } from './port-rpc.js';
import { decodeProduced, encodeRecords, type RecordBatch } from './record-batch.js';

const ADMIN_OPS = new Set(['createTopics', 'describeTopics', 'listTopics', 'deleteTopics', 'deleteRecords', 'close']);
const PRODUCER_OPS = new Set(['flush', 'initTransactions', 'beginTransaction', 'commitTransaction', 'abortTransaction', 'close']);
const CONSUMER_OPS = new Set(['committed', 'commit', 'beginningOffsets', 'endOffsets']);

export class BackendServer {
  private readonly admins = new Map<number, AdminClient>();
  private readonly producers = new Map<number, Producer>();
  /** A send the backend refused at once; the next call on that producer reports it, as `flush()` would. */
  private readonly sendErrors = new Map<number, unknown>();
  private readonly consumers = new Map<number, Consumer>();

  constructor(
    private readonly backend: Backend,
    private readonly rpc: () => PortRpc,
  ) {}

  /** Answers one call of the worker; unknown methods are refused. */
  async handle(method: string, args: unknown[]): Promise<unknown> {
    const [handle, op, ...rest] = args as [number, string, ...unknown[]];
    switch (method) {
      case 'admin':
        return this.admin(handle, op, rest);
      case 'producer.create':
        this.producers.set(handle, await this.backend.createProducer(args[1] as Parameters<Backend['createProducer']>[0]));
        return undefined;
      case 'producer.send':
        return this.send(handle, args[1] as RecordBatch);
      case 'producer':
        return this.producer(handle, op, rest);
      case 'consumer.create':
        this.consumers.set(handle, await this.backend.createConsumer(args[1] as Parameters<Backend['createConsumer']>[0]));
        return undefined;
      case 'consumer.seek':
        return this.consumerOf(handle).seek(args[1] as Parameters<Consumer['seek']>[0]);
      case 'consumer.pause':
        return this.consumerOf(handle).pause(args[1] as TopicPartition[]);
      case 'consumer.resume':
        return this.consumerOf(handle).resume(args[1] as TopicPartition[]);
      case 'consumer':
        return this.consumer(handle, op, rest);
      default:
        throw new Error(`backend bridge: unknown call ${method}`);
    }
  }

  /** Closes every client the worker still has open. */
  async close(): Promise<void> {
    const all = [...this.consumers.values(), ...this.producers.values(), ...this.admins.values()];
    this.consumers.clear();
    this.producers.clear();
    this.admins.clear();
    await Promise.allSettled(all.map((c) => c.close()));
  }

  private async admin(handle: number, op: string, args: unknown[]): Promise<unknown> {
    if (!ADMIN_OPS.has(op)) throw new Error(`backend bridge: unknown admin call ${op}`);
    let admin = this.admins.get(handle);
    if (!admin) {
      if (op === 'close') return undefined;
      this.admins.set(handle, (admin = this.backend.admin()));
    }
    if (op === 'close') this.admins.delete(handle);
    return (admin[op as keyof AdminClient] as (...a: unknown[]) => Promise<unknown>).apply(admin, args);
  }

  private send(handle: number, batch: RecordBatch): void {
    const producer = this.producers.get(handle);
    if (!producer) return;
    for (const record of decodeProduced(batch)) {
      try {
        producer.send(record);
      } catch (error) {
        if (!this.sendErrors.has(handle)) this.sendErrors.set(handle, error);
      }
    }
  }

  private async producer(handle: number, op: string, args: unknown[]): Promise<unknown> {
    const producer = this.producers.get(handle);
    if (!producer) throw new Error(`backend bridge: no producer ${handle}`);
    if (this.sendErrors.has(handle)) {
      const error = this.sendErrors.get(handle);
      this.sendErrors.delete(handle);
      throw error;
    }
    if (op === 'sendOffsetsToTransaction') {
      const [offsets, consumerHandle] = args as [Parameters<Producer['sendOffsetsToTransaction']>[0], number];
      return producer.sendOffsetsToTransaction(offsets, this.consumerOf(consumerHandle).groupMetadata());
    }
    if (!PRODUCER_OPS.has(op)) throw new Error(`backend bridge: unknown producer call ${op}`);
    if (op === 'close') this.producers.delete(handle);
    return (producer[op as keyof Producer] as () => Promise<unknown>).call(producer);
  }

  private async consumer(handle: number, op: string, args: unknown[]): Promise<unknown> {
    const consumer = this.consumerOf(handle);
    switch (op) {
      case 'subscribe': {
        const arg = args[0] as TopicsArg;
        const topics = Array.isArray(arg) ? (arg as string[]) : new RegExp((arg as { source: string }).source, (arg as { flags: string }).flags);
        const relay = (kind: 'revoked' | 'assigned' | 'lost') => (partitions: ReadonlyArray<TopicPartition>) =>
          this.rpc().call<void>('rebalance', [handle, kind, [...partitions], mirror(consumer)]);
        await consumer.subscribe(topics, { onPartitionsRevoked: relay('revoked'), onPartitionsAssigned: relay('assigned'), onPartitionsLost: relay('lost') });
        return mirror(consumer);
      }
      case 'assign':
        await consumer.assign(args[0] as Parameters<Consumer['assign']>[0]);
        return mirror(consumer);
      case 'unassign':
        await consumer.unassign();
        return mirror(consumer);
      case 'poll': {
        const records = await consumer.poll(args[0] as number, args[1] as number);
        const batch = encodeRecords(records);
        return new Transfer({ batch: batch.value, mirror: mirror(consumer) }, batch.transfer);
      }
      case 'close':
        this.consumers.delete(handle);
        return consumer.close();
      default:
        if (!CONSUMER_OPS.has(op)) throw new Error(`backend bridge: unknown consumer call ${op}`);
        return (consumer[op as keyof Consumer] as (...a: unknown[]) => Promise<unknown>).apply(consumer, args);
    }
  }

  private consumerOf(handle: number): Consumer {
    const consumer = this.consumers.get(handle);
    if (!consumer) throw new Error(`backend bridge: no consumer ${handle}`);
    return consumer;
  }
}

function mirror(consumer: Consumer): ConsumerMirror {
  const assignment = consumer.assignment();
  const positions: ConsumerMirror['positions'] = [];
  for (const tp of assignment) {
    try {
      positions.push([tp.topic, tp.partition, consumer.position(tp)]);
    } catch {
      // No position yet: the mirror answers -1, as a consumer does before its first fetch.
    }
  }
  let group: ConsumerMirror['group'];
  try {
    group = { ...consumer.groupMetadata() };
  } catch {
    group = undefined;
  }
  return { assignment, positions, group };
}
