/**
 * Interactive queries of a `KafkaStreams` instance: read-only views of its stores across its tasks (in every stream
 * thread, worker threads included), and where a key lives among the application's instances, for routing a query.
 */
import { partitionForKey } from '../backend/partitioner.js';
import type { Serde } from '../serde/serde.js';
import type { QueryableStoreType } from '../state/queryable-store-types.js';
import type { ReadOnlyKeyValueStore, ReadOnlySessionStore, ReadOnlyWindowStore, StateStore } from '../state/store.js';
import { readOnlyWindowFacade } from '../state/timestamped-window-store.js';
import { isTimestampedStore, readOnlyKeyValueFacade } from '../state/timestamped-key-value-store.js';
import type { ValueAndTimestamp } from '../state/value-and-timestamp.js';
import { realTopicName } from '../topology/physical.js';
import type { Topology } from '../topology/topology.js';
import { compositeKeyValueStore, compositeSessionStore, compositeWindowStore } from './composite-stores.js';
import { InvalidStateStoreError } from './errors.js';
import { remoteStoreView } from './remote-store-view.js';
import type { StreamThreads } from './stream-threads.js';

export interface HostInfo {
  readonly host: string;
  readonly port: number;
}

export interface KeyQueryMetadata {
  readonly activeHost: HostInfo;
  readonly standbyHosts: ReadonlyArray<HostInfo>;
  readonly partition: number;
}

/** Kafka's `HostInfo.unavailable()`: the owner of the key is not known (yet). */
export const UNAVAILABLE_HOST: HostInfo = Object.freeze({ host: 'unavailable', port: -1 });

/** A read-only view of `storeName` across the tasks of `threads` (the caller has checked the instance's state). */
export function storeView<T>(threads: StreamThreads, topology: Topology, params: { storeName: string; type: QueryableStoreType<T> }): T {
  const { storeName, type } = params;
  const global = threads.globalStore(storeName);
  const find = (): StateStore[] => {
    if (global) return [global];
    const out: StateStore[] = [];
    for (const task of threads.activeTasks.values()) {
      const s = task.store(storeName);
      if (s) out.push(s);
    }
    return out;
  };
  const exists = global !== undefined || topology.physical().stores.has(storeName);
  if (!exists) throw new InvalidStateStoreError(`No state store named "${storeName}" in this topology`);
  // Stores of tasks in worker threads answer from there (each worker keeps its own copy of the global stores).
  const remote = global ? [] : threads.queryWorkers({ storeName, storeType: type.storeType, timestamps: type.timestamps });
  /**
   * This thread's stores, then the workers' views. A store that keeps timestamps the query does not ask for is seen
   * through `plainValues` (its values without their timestamps).
   */
  const viewsOf = <S extends object>(plainValues: (timestamped: StateStore) => S): (() => S[]) => {
    const remoteViews = remote.map((call) => remoteStoreView<S>(call));
    return () => [...find().map((s) => (isTimestampedStore(s) && !type.timestamps ? plainValues(s) : (s as unknown as S))), ...remoteViews];
  };
  if (type.storeType === 'window') {
    return compositeWindowStore(
      viewsOf((s) => readOnlyWindowFacade(s as unknown as ReadOnlyWindowStore<unknown, ValueAndTimestamp<unknown>>)),
    ) as T;
  }
  if (type.storeType === 'session') {
    // Session stores keep no timestamps beside their values.
    return compositeSessionStore(viewsOf<ReadOnlySessionStore<unknown, unknown>>((s) => s as unknown as ReadOnlySessionStore<unknown, unknown>)) as T;
  }
  return compositeKeyValueStore(
    viewsOf((s) => readOnlyKeyValueFacade(s as unknown as ReadOnlyKeyValueStore<unknown, ValueAndTimestamp<unknown>>)),
  ) as T;
}

/**
 * Which partition and which instance hold `key` in `storeName`. Owners are known from the instances' announcements
 * (see `instance-metadata.ts`); an owner not known yet is `UNAVAILABLE_HOST`, as in Kafka Streams during a rebalance.
 */
export function keyQueryMetadata<K>(
  threads: StreamThreads,
  topology: Topology,
  app: { readonly applicationId: string; readonly applicationServer: HostInfo | undefined },
  query: { readonly storeName: string; readonly key: K; readonly keySerde: Serde<K> },
): KeyQueryMetadata {
  const { storeName, key, keySerde } = query;
  const physical = topology.physical();
  const st = physical.subtopologies.find((s) => s.stores.includes(storeName));
  if (!st) throw new InvalidStateStoreError(`No state store named "${storeName}" in this topology`);
  const sourceTopic = st.sourceTopics[0];
  const real = sourceTopic !== undefined ? realTopicName(physical, app.applicationId, sourceTopic) : undefined;
  const count = (real && threads.topicLayout?.partitions.get(real)) || 1;
  const bytes = keySerde.serialize(real ?? '', key);
  const partition = bytes ? partitionForKey(bytes, count) : 0;
  const taskId = `${st.id}_${partition}`;
  const local = threads.taskIds().includes(taskId);
  const standbyHosts = threads.instances.standbyHostsOf(taskId);
  if (local && app.applicationServer) return { activeHost: app.applicationServer, standbyHosts, partition };
  const owner = threads.instances.ownerOf(taskId);
  return { activeHost: owner && owner.port > 0 ? { host: owner.host, port: owner.port } : UNAVAILABLE_HOST, standbyHosts, partition };
}

/** Every instance that announced itself, with its tasks (Kafka's `metadataForAllStreamsClients`). */
export function allInstances(threads: StreamThreads): Array<{ hostInfo: HostInfo; processId: string; activeTasks: ReadonlyArray<string> }> {
  return threads.instances.all().map((i) => ({ hostInfo: { host: i.host, port: i.port }, processId: i.processId, activeTasks: i.activeTasks }));
}
