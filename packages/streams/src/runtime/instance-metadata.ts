/**
 * Who hosts which task, shared between the instances of one application so interactive queries can find a key's
 * owner. Kafka Streams carries this in its assignor's user data; librdkafka offers no custom assignor data, so each
 * instance publishes `{ host, port, activeTasks }` under its process id to a compacted internal topic
 * (`<applicationId>-instance-metadata`) after every assignment, and every instance reads that topic. A task's owner
 * is the most recent claim, so entries of crashed instances are superseded as soon as the new owner publishes.
 * An instance with several stream threads announces once per thread (key `<processId>#<n>` for threads after the
 * first, whose key stays the process id), so threads never overwrite each other's tasks; readers merge them by process.
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

/**
 * The key under which an instance asks the whole application to shut down (KIP-671's SHUTDOWN_APPLICATION). Kafka
 * Streams carries that request in its assignor's error code; here it travels in the same topic as the announcements.
 */
const SHUTDOWN_KEY = '__shutdown_application__';

interface ShutdownRequest {
  readonly processId: string;
  readonly reason: string;
  readonly requestedAt: number;
}

export function metadataTopic(applicationId: string): string {
  return `${applicationId}-instance-metadata`;
}

export class InstanceMetadata {
  private producer: Producer | undefined;
  private consumer: Consumer | undefined;
  private readonly instances = new Map<string, InstanceInfo>();
  private readonly topic: string;
  /** Where this thread's announcement lives in the topic (and in `instances`). */
  private readonly memberKey: string;
  private shutdown: ShutdownRequest | undefined;

  constructor(
    private readonly backend: Backend,
    applicationId: string,
    private readonly processId: string,
    private readonly server: { host: string; port: number } | undefined,
    private readonly logger: Logger,
    /** Instances that keep standby replicas announce themselves even without a server, so peers can place them. */
    private readonly announce: boolean,
    threadIndex = 1,
  ) {
    this.topic = metadataTopic(applicationId);
    this.memberKey = threadIndex === 1 ? processId : `${processId}#${threadIndex}`;
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
    if (this.server || this.announce) this.producer = await this.backend.createProducer({ clientId: `${this.processId}-metadata-producer` });
  }

  /**
   * Announces this instance's tasks (instances with an `applicationServer`, or with standby replicas). Without a
   * server the port is -1: peers never route queries there.
   */
  async publish(activeTasks: ReadonlyArray<string>, standbyTasks: ReadonlyArray<string> = []): Promise<void> {
    if (!this.producer) return;
    const info: InstanceInfo = {
      processId: this.processId,
      host: this.server?.host ?? '',
      port: this.server?.port ?? -1,
      activeTasks: [...activeTasks],
      standbyTasks: [...standbyTasks],
      updatedAt: Date.now(),
    };
    this.instances.set(this.memberKey, info);
    this.producer.send({ topic: this.topic, partition: 0, key: Buffer.from(this.memberKey), value: Buffer.from(JSON.stringify(info)) });
    await this.producer.flush();
  }

  /** Reads what other instances announced since the last call; never blocks. */
  async refresh(): Promise<void> {
    if (!this.consumer) return;
    const records = await this.consumer.poll(1000, 0);
    for (const r of records) {
      const id = r.key?.toString() ?? '';
      if (!id) continue;
      if (id === SHUTDOWN_KEY) {
        this.readShutdownRequest(r.value);
        continue;
      }
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

  /**
   * Where standby replicas of `taskIds` belong, as the tasks this instance should keep warm: for each task, the
   * `replicas` instances after its owner in process-id order (a ring), skipping the owner. Every instance computes
   * the same placement from the same announcements, so no coordination is needed.
   */
  standbyTasksFor(processId: string, taskIds: ReadonlyArray<string>, replicas: number): string[] {
    const ring = [...new Set([...this.instances.values()].map((i) => i.processId))].sort();
    if (replicas < 1 || ring.length < 2 || !ring.includes(processId)) return [];
    const mine: string[] = [];
    for (const taskId of taskIds) {
      const owner = this.ownerOf(taskId);
      if (!owner || owner.processId === processId) continue;
      const start = ring.indexOf(owner.processId);
      for (let i = 1; i <= Math.min(replicas, ring.length - 1); i++) {
        if (ring[(start + i) % ring.length] === processId) mine.push(taskId);
      }
    }
    return mine;
  }

  /** Query addresses of the instances keeping a standby of `taskId` (those with an `applicationServer`). */
  standbyHostsOf(taskId: string): Array<{ host: string; port: number }> {
    return [...this.instances.values()]
      .filter((i) => i.port > 0 && (i.standbyTasks ?? []).includes(taskId))
      .map((i) => ({ host: i.host, port: i.port }));
  }

  /** The instance that most recently claimed `taskId`. */
  ownerOf(taskId: string): InstanceInfo | undefined {
    let best: InstanceInfo | undefined;
    for (const info of this.instances.values()) {
      if (info.activeTasks.includes(taskId) && (!best || info.updatedAt > best.updatedAt)) best = info;
    }
    return best;
  }

  /** The reason of a shutdown request made after `sinceMs` (wall clock), if one was read. */
  shutdownRequestedAfter(sinceMs: number): string | undefined {
    const r = this.shutdown;
    return r && r.requestedAt >= sinceMs ? `${r.reason} (from ${r.processId})` : undefined;
  }

  /** Asks every instance of the application to shut down; each sees it on its next `refresh()`. */
  async requestShutdown(reason: string): Promise<void> {
    const request: ShutdownRequest = { processId: this.processId, reason, requestedAt: Date.now() };
    const producer = this.producer ?? (await this.backend.createProducer({ clientId: `${this.processId}-shutdown-producer` }));
    try {
      producer.send({ topic: this.topic, partition: 0, key: Buffer.from(SHUTDOWN_KEY), value: Buffer.from(JSON.stringify(request)) });
      await producer.flush();
    } finally {
      if (producer !== this.producer) await producer.close();
    }
  }

  private readShutdownRequest(value: Buffer | null): void {
    if (value === null) return;
    try {
      const r = JSON.parse(value.toString()) as ShutdownRequest;
      if (typeof r.requestedAt === 'number' && (!this.shutdown || r.requestedAt > this.shutdown.requestedAt)) this.shutdown = r;
    } catch (error) {
      this.logger.warn({ err: String(error) }, 'ignoring a malformed shutdown request');
    }
  }

  /** One entry per instance: the announcements of its threads merged (their tasks together, the newest time). */
  all(): InstanceInfo[] {
    const byProcess = new Map<string, InstanceInfo>();
    for (const info of this.instances.values()) {
      const seen = byProcess.get(info.processId);
      byProcess.set(
        info.processId,
        seen === undefined
          ? info
          : {
              ...seen,
              activeTasks: [...seen.activeTasks, ...info.activeTasks],
              standbyTasks: [...(seen.standbyTasks ?? []), ...(info.standbyTasks ?? [])],
              updatedAt: Math.max(seen.updatedAt, info.updatedAt),
            },
      );
    }
    return [...byProcess.values()];
  }

  /** Removes this instance's entry (clean shutdown) and closes the clients. */
  async close(): Promise<void> {
    if (this.producer) {
      this.producer.send({ topic: this.topic, partition: 0, key: Buffer.from(this.memberKey), value: null });
      await this.producer.flush().catch(() => undefined);
      await this.producer.close();
    }
    await this.consumer?.close();
  }
}
