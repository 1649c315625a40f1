/**
 * Who hosts which task, shared between the instances of one application so interactive queries can find a key's
 * owner. Kafka Streams carries this in its assignor's user data; librdkafka offers no custom assignor data, so each
 * instance publishes `{ host, port, activeTasks }` under its process id to a compacted internal topic
 * (`<applicationId>-instance-metadata`) after every assignment, and every instance reads that topic. A task's owner
 * is the most recent claim, so entries of crashed instances are superseded as soon as the new owner publishes.
 */
import type { Backend, Consumer, Producer } from '../backend/port.js';
import type { Logger } from './config.js';

export interface InstanceInfo {
  readonly processId: string;
  readonly host: string;
  readonly port: number;
  readonly activeTasks: ReadonlyArray<string>;
  readonly standbyTasks: ReadonlyArray<string>;
  /** Wall-clock ms of the claim; the newest claim of a task wins. */
  readonly updatedAt: number;
}

export function metadataTopic(applicationId: string): string {
  return `${applicationId}-instance-metadata`;
}

export class InstanceMetadata {
  private producer: Producer | undefined;
  private consumer: Consumer | undefined;
  private readonly instances = new Map<string, InstanceInfo>();
  private readonly topic: string;

  constructor(
    private readonly backend: Backend,
    applicationId: string,
    private readonly processId: string,
    private readonly server: { host: string; port: number } | undefined,
    private readonly logger: Logger,
  ) {
    this.topic = metadataTopic(applicationId);
  }

  async start(): Promise<void> {
    const admin = this.backend.admin();
    try {
      await admin.createTopics([{ name: this.topic, numPartitions: 1, config: { 'cleanup.policy': 'compact' } }]);
    } finally {
      await admin.close();
    }
    this.consumer = await this.backend.createConsumer({
      clientId: `${this.processId}-metadata-consumer`,
      isolationLevel: 'read_uncommitted',
      autoOffsetReset: 'earliest',
    });
    await this.consumer.assign([{ topic: this.topic, partition: 0, offset: 0 }]);
    if (this.server) this.producer = await this.backend.createProducer({ clientId: `${this.processId}-metadata-producer` });
  }

  /** Announces this instance's tasks (only instances with an `applicationServer` announce). */
  async publish(activeTasks: ReadonlyArray<string>): Promise<void> {
    if (!this.producer || !this.server) return;
    const info: InstanceInfo = {
      processId: this.processId,
      host: this.server.host,
      port: this.server.port,
      activeTasks: [...activeTasks],
      standbyTasks: [],
      updatedAt: Date.now(),
    };
    this.instances.set(this.processId, info);
    this.producer.send({ topic: this.topic, partition: 0, key: Buffer.from(this.processId), value: Buffer.from(JSON.stringify(info)) });
    await this.producer.flush();
  }

  /** Reads what other instances announced since the last call; never blocks. */
  async refresh(): Promise<void> {
    if (!this.consumer) return;
    const records = await this.consumer.poll(1000, 0);
    for (const r of records) {
      const id = r.key?.toString() ?? '';
      if (!id) continue;
      if (r.value === null) {
        this.instances.delete(id);
        continue;
      }
      try {
        this.instances.set(id, JSON.parse(r.value.toString()) as InstanceInfo);
      } catch (error) {
        this.logger.warn({ err: String(error), processId: id }, 'ignoring malformed instance metadata');
      }
    }
  }

  /** The instance that most recently claimed `taskId`. */
  ownerOf(taskId: string): InstanceInfo | undefined {
    let best: InstanceInfo | undefined;
    for (const info of this.instances.values()) {
      if (info.activeTasks.includes(taskId) && (!best || info.updatedAt > best.updatedAt)) best = info;
    }
    return best;
  }

  all(): InstanceInfo[] {
    return [...this.instances.values()];
  }

  /** Removes this instance's entry (clean shutdown) and closes the clients. */
  async close(): Promise<void> {
    if (this.producer) {
      this.producer.send({ topic: this.topic, partition: 0, key: Buffer.from(this.processId), value: null });
      await this.producer.flush().catch(() => undefined);
      await this.producer.close();
    }
    await this.consumer?.close();
  }
}
