/**
 * Standby replicas (Kafka Streams' standby tasks): warm copies of other instances' task stores, kept current by
 * reading their changelogs. When a task moves here, its persistent stores are already on disk with a checkpoint,
 * so the new active task restores only the tail instead of the whole changelog.
 */
import type { Backend, Consumer, TopicPartitionOffset } from '../backend/port.js';
import { tpKey } from '../backend/topic-partition.js';
import type { PhysicalTopology } from '../topology/physical.js';
import type { Logger, ResolvedConfig } from './config.js';
import type { InstanceMetadata } from './instance-metadata.js';
import type { TopicLayout } from './internal-topics.js';
import { parseTaskId, taskDirectory, taskIdOf } from './task-directory.js';
import { TaskStateManager, type ChangelogInfo } from './task-state-manager.js';

interface Standby {
  /** The standby's stores, changelog positions and checkpoint: the same state manager an active task has. */
  readonly state: TaskStateManager;
  readonly changelogs: ReadonlyArray<ChangelogInfo>;
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
      for (let p = 0; p < (tasksPerSubtopology.get(st.id) ?? 0); p++) ids.push(taskIdOf(st.id, p));
    }
    return ids;
  }

  /**
   * Keeps standbys where the instances' announcements say they belong (a ring over process ids, see
   * `InstanceMetadata.standbyTasksFor`), never of a task active here; announces the change.
   */
  async place(metadata: InstanceMetadata, processId: string, active: ReadonlyMap<string, unknown>, layout: TopicLayout): Promise<void> {
    const wanted = metadata
      .standbyTasksFor(processId, StandbyTasks.statefulTaskIds(this.topology, layout.tasksPerSubtopology), this.config.numStandbyReplicas)
      .filter((id) => !active.has(id));
    if (await this.sync(wanted)) await metadata.publish([...active.keys()], this.taskIds);
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
      const key = tpKey(r.topic, r.partition);
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
      for (const c of s.changelogs) s.state.setPosition(c.topic, c.partition, this.consumer.position(c));
    }
  }

  /**
   * Called with each commit: flushes the standby stores, and checkpoints those whose changelogs moved far enough
   * since their last checkpoint (as an active task's commit does).
   */
  checkpoint(): void {
    for (const s of this.standbys.values()) {
      s.state.flush();
      s.state.maybeCheckpoint();
    }
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
    const parsed = parseTaskId(id);
    const st = parsed && this.topology.subtopologies.find((s) => s.id === parsed.subtopologyId);
    if (!parsed || !st) return;
    const state = new TaskStateManager({
      taskId: id,
      partition: parsed.partition,
      applicationId: this.config.applicationId,
      taskDir: taskDirectory(this.config, id),
      topology: this.topology,
      storeNames: st.stores,
      // Standby stores are written only by their changelogs; nothing they do is logged again.
      collector: { send: () => undefined, partitionsFor: () => undefined },
      currentTimestamp: () => -1,
      deferSync: this.config.processingGuarantee === 'exactly_once_v2',
    });
    state.initializeStores();
    state.startPositions();
    const changelogs = state.changelogs();
    for (const c of changelogs) this.byPartition.set(tpKey(c.topic, c.partition), c);
    this.standbys.set(id, { state, changelogs });
    this.logger.info({ task: id }, 'standby replica opened');
  }

  private closeOne(id: string): void {
    const s = this.standbys.get(id);
    if (!s) return;
    this.flushAndCheckpoint(s);
    s.state.close();
    for (const c of s.changelogs) this.byPartition.delete(tpKey(c.topic, c.partition));
    this.standbys.delete(id);
  }

  private flushAndCheckpoint(s: Standby): void {
    s.state.flush();
    s.state.checkpoint();
  }

  private async reassign(): Promise<void> {
    this.consumer ??= await this.backend.createConsumer({
      clientId: `${this.clientId}-standby-consumer`,
      isolationLevel: 'read_committed',
      autoOffsetReset: 'earliest',
    });
    const assignment: TopicPartitionOffset[] = [];
    for (const s of this.standbys.values()) {
      for (const c of s.changelogs) assignment.push({ topic: c.topic, partition: c.partition, offset: s.state.position(c.topic, c.partition) ?? 0 });
    }
    if (assignment.length === 0) await this.consumer.unassign();
    else await this.consumer.assign(assignment);
  }
}
