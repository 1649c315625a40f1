/**
 * A topology as a graph the browser lays out (with dagre): processor nodes from `Topology.describe()`, plus one
 * node per topic and per store so reads, writes and state are visible; internal topics (repartition, changelog)
 * are marked and named as the broker knows them (`<applicationId>-<name>`).
 */
import type { NodeDescription, TopologyDescription } from '@tributary/streams';

export interface GraphNode {
  readonly id: string;
  readonly label: string;
  readonly kind: 'source' | 'processor' | 'sink' | 'topic' | 'internal-topic' | 'store';
  /** Sub-topology id, for processor nodes. */
  readonly subtopology?: number | undefined;
}

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
}

export interface TopologyGraph {
  readonly applicationId: string;
  readonly nodes: ReadonlyArray<GraphNode>;
  readonly edges: ReadonlyArray<GraphEdge>;
  readonly subtopologies: ReadonlyArray<{ readonly id: number; readonly global: boolean; readonly nodes: ReadonlyArray<string> }>;
  readonly stores: ReadonlyArray<{ readonly name: string; readonly changelog: string }>;
  readonly internalTopics: ReadonlyArray<string>;
  /** Kafka's text form, for those who paste it into other tools. */
  readonly text: string;
}

function isInternal(topic: string): boolean {
  return topic.endsWith('-repartition') || topic.endsWith('-changelog') || topic.endsWith('-topic');
}

export function topologyGraph(applicationId: string, description: TopologyDescription): TopologyGraph {
  const nodes = new Map<string, GraphNode>();
  const edges: GraphEdge[] = [];
  const stores = new Map<string, string>();
  const internal = new Set<string>();
  const topicNode = (topic: string): string => {
    const name = isInternal(topic) ? `${applicationId}-${topic}` : topic;
    if (isInternal(topic)) internal.add(name);
    const id = `topic:${name}`;
    if (!nodes.has(id)) nodes.set(id, { id, label: name, kind: isInternal(topic) ? 'internal-topic' : 'topic' });
    return id;
  };
  const add = (node: NodeDescription, subtopology: number): void => {
    const id = `node:${node.name}`;
    nodes.set(id, { id, label: node.name, kind: node.kind, subtopology });
    for (const next of node.successors) edges.push({ from: id, to: `node:${next}` });
    if (node.kind === 'source') for (const t of node.topics ?? []) edges.push({ from: topicNode(t), to: id });
    if (node.kind === 'sink' && node.topic !== undefined) edges.push({ from: id, to: topicNode(node.topic) });
    for (const store of node.stores ?? []) {
      const storeId = `store:${store}`;
      if (!nodes.has(storeId)) nodes.set(storeId, { id: storeId, label: store, kind: 'store' });
      stores.set(store, `${applicationId}-${store}-changelog`);
      edges.push({ from: id, to: storeId });
    }
  };
  const subtopologies: Array<{ id: number; global: boolean; nodes: string[] }> = [];
  for (const st of description.subtopologies) {
    for (const n of st.nodes) add(n, st.id);
    subtopologies.push({ id: st.id, global: false, nodes: st.nodes.map((n) => n.name) });
  }
  for (const g of description.globalStores) {
    add(g.source, g.id);
    add(g.processor, g.id);
    subtopologies.push({ id: g.id, global: true, nodes: [g.source.name, g.processor.name] });
  }
  return {
    applicationId,
    nodes: [...nodes.values()],
    edges,
    subtopologies: subtopologies.sort((a, b) => a.id - b.id),
    stores: [...stores].map(([name, changelog]) => ({ name, changelog })).sort((a, b) => a.name.localeCompare(b.name)),
    internalTopics: [...internal].sort(),
    text: description.toString(),
  };
}
