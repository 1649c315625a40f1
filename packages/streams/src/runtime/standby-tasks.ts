/**
 * Standby replicas (Kafka Streams' standby tasks): warm copies of other instances' task stores, kept current by
 * reading their changelogs. When a task moves here, its persistent stores are already on disk with a checkpoint,
 * so the new active task restores only the tail instead of the whole changelog.
 */
import { join } from 'node:path';
import type { Backend, Consumer, TopicPartitionOffset } from '../backend/port.js';
import type { PhysicalTopology } from '../topology/physical.js';
import { checkpointKey, readCheckpoint, writeCheckpoint } from './checkpoint.js';
import type { Logger, ResolvedConfig } from './config.js';
import { StreamTask } from './stream-task.js';
import type { ChangelogInfo } from './task-state-manager.js';

interface Standby {
  readonly task: StreamTask;
  readonly changelogs: ReadonlyArray<ChangelogInfo>;
  /** Next changelog offset to apply, per changelog partition. */
  readonly positions: Map<string, number>;
}

export class StandbyTasks {
  private consumer: Consumer | undefined;
  private readonly standbys = new Map<string, Standby>();
  private readonly byPartition = new Map<string, ChangelogInfo>();
  /** Changelog records applied to standbys since start. */
  applied = 0;

  constructor(
    private readonly backend: Backend,
    private readonly topology: PhysicalTopology,
    private readonly config: ResolvedConfig,
    private readonly logger: Logger,
    private readonly clientId: string,
  ) {}

  get taskIds(): string[] {
    return [...this.standbys.keys()];
  }

  /** Stateful task ids of this topology, for `partitions` tasks per sub-topology. */
  static statefulTaskIds(topology: PhysicalTopology, tasksPerSubtopology: ReadonlyMap<number, number>): string[] {
    const ids: string[] = [];
    for (const st of topology.subtopologies) {
      if (!st.stores.some((s) => topology.stores.get(s)?.changelogTopic)) continue;
      for (let p = 0; p < (tasksPerSubtopology.get(st.id) ?? 0); p++) ids.push(`${st.id}_${p}`);
    }
    return ids;
  }

  /** Opens standbys for `wanted` and closes the others; returns whether anything changed. */
  async sync(wanted: ReadonlyArray<string>): Promise<boolean> {
    const want = new Set(wanted);
    let changed = false;
    for (const id of [...this.standbys.keys()]) {
      if (!want.has(id)) {
        this.closeOne(id);
        changed = true;
      }
    }
    for (const id of want) {
      if (this.standbys.has(id)) continue;
      this.open(id);
      changed = true;
    }
    if (changed) await this.reassign();
    return changed;
  }

  /** Applies what the changelogs have gained since the last call; never blocks. */
  async poll(): Promise<void> {
    if (!this.consumer || this.standbys.size === 0) return;
    const records = await this.consumer.poll(this.config.maxPollRecords, 0);
    const batches = new Map<string, Array<{ key: Buffer; value: Buffer | null; timestamp: number }>>();
    for (const r of records) {
      const key = checkpointKey(r.topic, r.partition);
      if (!this.byPartition.has(key)) continue;
      let batch = batches.get(key);
      if (!batch) batches.set(key, (batch = []));
      if (r.key !== null) batch.push({ key: r.key, value: r.value, timestamp: r.timestamp });
    }
    for (const [key, batch] of batches) {
      this.byPartition.get(key)?.restore(batch);
      this.applied += batch.length;
    }
    for (const s of this.standbys.values()) {
      for (const c of s.changelogs) {
        const tp = { topic: c.topic, partition: c.partition };
        s.positions.set(checkpointKey(c.topic, c.partition), this.consumer.position(tp));
      }
    }
  }

  /** Makes standby stores durable and checkpoints them (called with each commit). */
  checkpoint(): void {
    for (const [id, s] of this.standbys) this.flushAndCheckpoint(id, s);
  }

  /** Hands a standby's files over to the active task that replaces it: flush, checkpoint, close. */
  async release(taskId: string): Promise<boolean> {
    if (!this.standbys.has(taskId)) return false;
    this.closeOne(taskId);
    await this.reassign();
    return true;
  }

  async close(): Promise<void> {
    for (const id of [...this.standbys.keys()]) this.closeOne(id);
    await this.consumer?.close();
    this.consumer = undefined;
  }

  private open(id: string): void {
    const [stId, partition] = id.split('_').map(Number);
    const st = this.topology.subtopologies.find((s) => s.id === stId);
    if (!st || partition === undefined || Number.isNaN(partition)) return;
    const taskDir = join(this.config.stateDir, this.config.applicationId, id);
    const task = new StreamTask({
      taskId: id,
      subtopology: st,
      partition,
      topology: this.topology,
      config: this.config,
      // Standby stores are written only by their changelogs; nothing they do is logged again.
      collector: { send: () => undefined, partitionsFor: () => undefined },
      globalStores: new Map(),
      wallClock: () => Date.now(),
      logger: this.logger,
      taskDir,
    });
    task.initializeStores();
    const changelogs = task.stateManager.changelogs();
    const checkpoint = readCheckpoint(taskDir);
    const positions = new Map<string, number>();
    for (const c of changelogs) {
      const key = checkpointKey(c.topic, c.partition);
      // In-memory stores start empty, so they start from the beginning; persistent ones from their checkpoint.
      positions.set(key, c.persistent ? (checkpoint.get(key) ?? 0) : 0);
      this.byPartition.set(key, c);
    }
    this.standbys.set(id, { task, changelogs, positions });
    this.logger.info({ task: id }, 'standby replica opened');
  }

  private closeOne(id: string): void {
    const s = this.standbys.get(id);
    if (!s) return;
    this.flushAndCheckpoint(id, s);
    s.task.close();
    for (const c of s.changelogs) this.byPartition.delete(checkpointKey(c.topic, c.partition));
    this.standbys.delete(id);
  }

  private flushAndCheckpoint(id: string, s: Standby): void {
    s.task.flushState();
    const persistent = s.changelogs.filter((c) => c.persistent).map((c) => checkpointKey(c.topic, c.partition));
    if (persistent.length === 0) return;
    writeCheckpoint(
      join(this.config.stateDir, this.config.applicationId, id),
      new Map(persistent.map((k) => [k, s.positions.get(k) ?? 0])),
    );
  }

  private async reassign(): Promise<void> {
    this.consumer ??= await this.backend.createConsumer({
      clientId: `${this.clientId}-standby-consumer`,
      isolationLevel: 'read_committed',
      autoOffsetReset: 'earliest',
    });
    const assignment: TopicPartitionOffset[] = [];
    for (const s of this.standbys.values()) {
      for (const c of s.changelogs) assignment.push({ topic: c.topic, partition: c.partition, offset: s.positions.get(checkpointKey(c.topic, c.partition)) ?? 0 });
    }
    if (assignment.length === 0) await this.consumer.unassign();
    else await this.consumer.assign(assignment);
  }
}
