/**
 * Decides partition counts for internal topics and checks source topics, before an application starts:
 * repartition topics get the largest partition count among the source topics of the sub-topology that writes them
 * (resolved to a fixed point, since those may be repartition topics too), changelogs get one partition per task,
 * and co-partitioned groups must agree. Then it creates what is missing.
 */
import type { AdminClient, NewTopic } from '../backend/port.js';
import type { InternalTopicSpec, PhysicalTopology, SubtopologySpec } from '../topology/physical.js';
import { realTopicName } from '../topology/physical.js';
import type { ResolvedConfig } from './config.js';
import { StreamsError, TopologyMismatchError } from './errors.js';

export interface TopicLayout {
  /** Partition count by real topic name, for every topic the topology reads or writes that is known. */
  readonly partitions: Map<string, number>;
  /** Task count per sub-topology. */
  readonly tasksPerSubtopology: Map<number, number>;
}

export async function prepareTopics(
  admin: AdminClient,
  topology: PhysicalTopology,
  /**
   * `createMissingSourceTopics`: the process-wide embedded log creates missing source topics (one partition), as a
   * broker with auto-creation would. `windowStoreChangeLogAdditionalRetentionMs` is added to window, session and
   * versioned stores' changelog retention.
   */
  config: Pick<ResolvedConfig, 'applicationId' | 'createMissingSourceTopics' | 'windowStoreChangeLogAdditionalRetentionMs'>,
): Promise<TopicLayout> {
  const applicationId = config.applicationId;
  const real = (t: string): string => realTopicName(topology, applicationId, t);
  const userSources = new Set<string>();
  for (const st of topology.subtopologies) for (const t of st.sourceTopics) if (!topology.internalTopics.has(t)) userSources.add(t);
  for (const g of topology.globalStores) userSources.add(g.topic);
  const sinkTopics = new Set<string>();
  for (const node of topology.nodes.values()) {
    if (node.kind === 'sink' && typeof node.topic === 'string' && !topology.internalTopics.has(node.topic)) sinkTopics.add(node.topic);
  }
  const existing = await admin.describeTopics([...userSources, ...sinkTopics, ...[...topology.internalTopics.keys()].map(real)]);
  const missing = [...userSources].filter((t) => !existing.has(t));
  if (missing.length > 0 && config.createMissingSourceTopics) {
    await admin.createTopics(missing.map((name) => ({ name, numPartitions: 1 })));
    for (const name of missing) existing.set(name, 1);
  } else if (missing.length > 0) {
    throw new TopologyMismatchError(`Source topics do not exist: ${missing.join(', ')}. Create them before starting the application.`);
  }
  const partitions = new Map<string, number>(existing);

  // Which sub-topology writes each repartition topic.
  const writerOf = new Map<string, SubtopologySpec>();
  for (const st of topology.subtopologies) {
    for (const name of st.nodes) {
      const node = topology.nodes.get(name);
      if (node?.kind === 'sink' && typeof node.topic === 'string' && topology.internalTopics.get(node.topic)?.type === 'repartition') {
        writerOf.set(node.topic, st);
      }
    }
  }
  const repartitionCount = new Map<string, number>();
  for (const spec of topology.internalTopics.values()) {
    if (spec.type === 'repartition' && spec.numPartitions !== undefined) repartitionCount.set(spec.name, spec.numPartitions);
  }
  const sourceCount = (st: SubtopologySpec): number | undefined => {
    let max: number | undefined;
    for (const t of st.sourceTopics) {
      const n = topology.internalTopics.has(t) ? repartitionCount.get(t) : partitions.get(t);
      if (n === undefined) return undefined;
      max = Math.max(max ?? 0, n);
    }
    return max;
  };
  const countOf = (t: string): number | undefined => (topology.internalTopics.has(t) ? repartitionCount.get(t) : partitions.get(t));
  for (let changed = true; changed; ) {
    changed = false;
    // An internal topic that must be co-partitioned with others (joins) takes their partition count, before the
    // count of the sub-topology that writes it: a foreign-key join's subscription topic follows the right table.
    for (const st of topology.subtopologies) {
      for (const group of st.copartitionGroups) {
        const known = group.map(countOf).filter((n): n is number => n !== undefined);
        if (known.length === 0) continue;
        const n = Math.max(...known);
        for (const t of group) {
          if (topology.internalTopics.get(t)?.type === 'repartition' && !repartitionCount.has(t)) {
            repartitionCount.set(t, n);
            changed = true;
          }
        }
      }
    }
    for (const [topic, writer] of writerOf) {
      if (repartitionCount.has(topic)) continue;
      const n = sourceCount(writer);
      if (n !== undefined) {
        repartitionCount.set(topic, n);
        changed = true;
      }
    }
  }
  const tasksPerSubtopology = new Map<number, number>();
  for (const st of topology.subtopologies) {
    const n = sourceCount(st);
    if (n === undefined) {
      throw new TopologyMismatchError(`Cannot determine the partition count of sub-topology ${st.id} (topics ${st.sourceTopics.join(', ')})`);
    }
    tasksPerSubtopology.set(st.id, n);
    for (const group of st.copartitionGroups) {
      const counts = group.map((t) => ({ t, n: topology.internalTopics.has(t) ? repartitionCount.get(t) : partitions.get(t) }));
      if (new Set(counts.map((c) => c.n)).size > 1) {
        throw new TopologyMismatchError(
          `Topics joined together must have the same number of partitions: ${counts.map((c) => `${c.t} has ${c.n}`).join(', ')}. ` +
            'Repartition one side (repartition({ numberOfPartitions })) to match.',
        );
      }
    }
  }
  const toCreate: NewTopic[] = [];
  for (const spec of topology.internalTopics.values()) {
    let n: number | undefined;
    if (spec.type === 'repartition') n = repartitionCount.get(spec.name);
    else {
      const owner = topology.subtopologies.find((st) =>
        st.stores.some((s) => topology.stores.get(s)?.changelogTopic === spec.name),
      );
      n = owner ? tasksPerSubtopology.get(owner.id) : undefined;
    }
    if (n === undefined) continue;
    const name = real(spec.name);
    const have = partitions.get(name);
    if (have !== undefined && have !== n) {
      throw new TopologyMismatchError(`Internal topic ${name} has ${have} partitions but the topology needs ${n}`);
    }
    partitions.set(name, n);
    if (have === undefined) toCreate.push({ name, numPartitions: n, config: creationConfig(spec, config.windowStoreChangeLogAdditionalRetentionMs) });
  }
  if (toCreate.length > 0) await admin.createTopics(toCreate);
  return { partitions, tasksPerSubtopology };
}

/** An internal topic's configs at creation: a changelog's retention margin is added unless its store's config sets it. */
function creationConfig(spec: InternalTopicSpec, additionalRetentionMs: number): Readonly<Record<string, string>> {
  const retention = spec.retention;
  if (!retention || spec.config[retention.config] !== undefined) return spec.config;
  return { ...spec.config, [retention.config]: String(retention.baseMs + additionalRetentionMs) };
}

/** What the main consumer subscribes to: the source topics of every sub-topology (real names), or its one pattern. */
export function subscriptionOf(topology: PhysicalTopology, applicationId: string): string[] | RegExp {
  const topics = new Set<string>();
  let pattern: RegExp | undefined;
  for (const st of topology.subtopologies) {
    for (const t of st.sourceTopics) topics.add(realTopicName(topology, applicationId, t));
    if (st.sourcePattern) pattern = st.sourcePattern;
  }
  if (pattern && topics.size > 0) {
    throw new StreamsError('A topology that subscribes to a pattern cannot also read named topics in this version');
  }
  return pattern ?? [...topics];
}
