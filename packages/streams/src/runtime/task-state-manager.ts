/**
 * The stores of one task: creates them, hands them a `StateStoreContext`, routes their change-log writes to the
 * changelog partition of this task, and keeps what restore needs (changelog partitions, restore callbacks,
 * checkpointed offsets).
 */
import type { RestoreRecord, StateStore, StateStoreContext } from '../state/store.js';
import type { PhysicalTopology } from '../topology/physical.js';
import { internalTopicName } from '../topology/physical.js';
import { StreamsError } from './errors.js';
import type { RecordCollector } from './record-collector.js';

export interface ChangelogInfo {
  readonly storeName: string;
  /** Real topic name. */
  readonly topic: string;
  readonly partition: number;
  readonly persistent: boolean;
  restore(batch: ReadonlyArray<RestoreRecord>): void;
}

export class TaskStateManager {
  private readonly stores = new Map<string, StateStore>();
  private readonly restorers = new Map<string, (batch: ReadonlyArray<RestoreRecord>) => void>();

  constructor(
    private readonly options: {
      readonly taskId: string;
      readonly partition: number;
      readonly applicationId: string;
      readonly taskDir: string;
      readonly topology: PhysicalTopology;
      readonly storeNames: ReadonlyArray<string>;
      readonly collector: RecordCollector;
      readonly currentTimestamp: () => number;
    },
  ) {}

  initializeStores(): void {
    const { topology, applicationId, taskId, taskDir, collector, partition } = this.options;
    for (const name of this.options.storeNames) {
      const spec = topology.stores.get(name);
      if (!spec) throw new StreamsError(`State store "${name}" is not defined in the topology`);
      const changelog = spec.changelogTopic ? internalTopicName(applicationId, spec.changelogTopic) : undefined;
      const context: StateStoreContext = {
        applicationId,
        taskId,
        taskDir,
        logChange: (_storeName, key, value, timestamp) => {
          if (!changelog) return;
          collector.send({ topic: changelog, partition, key, value, timestamp, headers: {} });
        },
        register: (store, restore) => {
          this.restorers.set(store.name, restore);
        },
        currentTimestamp: this.options.currentTimestamp,
      };
      const store = spec.builder.build();
      store.init(context);
      this.stores.set(name, store);
    }
  }

  store(name: string): StateStore | undefined {
    return this.stores.get(name);
  }

  allStores(): ReadonlyMap<string, StateStore> {
    return this.stores;
  }

  /** Logged stores with their changelog partition and restore callback. */
  changelogs(): ChangelogInfo[] {
    const out: ChangelogInfo[] = [];
    for (const [name, store] of this.stores) {
      const spec = this.options.topology.stores.get(name);
      const restore = this.restorers.get(name);
      if (!spec?.changelogTopic || !restore) continue;
      out.push({
        storeName: name,
        topic: internalTopicName(this.options.applicationId, spec.changelogTopic),
        partition: this.options.partition,
        persistent: store.persistent,
        restore,
      });
    }
    return out;
  }

  flush(): void {
    for (const store of this.stores.values()) store.flush();
  }

  close(): void {
    let first: unknown;
    for (const store of this.stores.values()) {
      try {
        if (store.isOpen()) {
          store.flush();
          store.close();
        }
      } catch (error) {
        first ??= error;
      }
    }
    if (first) throw first;
  }
}
