/**
 * `Topology.describe()`: the same structure and text as Kafka Streams' `TopologyDescription`, because users paste
 * it into visualisers and compare it with their JVM topologies.
 */
import type { PhysicalTopology } from './physical.js';

export interface NodeDescription {
  readonly kind: 'source' | 'processor' | 'sink';
  readonly name: string;
  readonly predecessors: ReadonlyArray<string>;
  readonly successors: ReadonlyArray<string>;
  /** Sources: topics (or the pattern); sinks: the topic, or undefined with an extractor. */
  readonly topics?: ReadonlyArray<string>;
  readonly topicPattern?: RegExp;
  readonly topic?: string;
  readonly stores?: ReadonlyArray<string>;
}

export interface SubtopologyDescription {
  readonly id: number;
  readonly nodes: ReadonlyArray<NodeDescription>;
}

export interface GlobalStoreDescription {
  readonly id: number;
  readonly source: NodeDescription;
  readonly processor: NodeDescription;
}

export class TopologyDescription {
  constructor(
    readonly subtopologies: ReadonlyArray<SubtopologyDescription>,
    readonly globalStores: ReadonlyArray<GlobalStoreDescription>,
  ) {}

  /** @internal Describes a compiled topology; applications get one from `Topology.describe()`. */
  static of(topology: PhysicalTopology): TopologyDescription {
    const predecessors = new Map<string, string[]>();
    for (const node of topology.nodes.values()) {
      if (node.kind === 'sink') continue;
      for (const child of node.children) predecessors.set(child, [...(predecessors.get(child) ?? []), node.name]);
    }
    const describeNode = (name: string): NodeDescription => {
      const node = topology.nodes.get(name);
      if (!node) throw new Error(`unknown node ${name}`);
      const preds = predecessors.get(name) ?? [];
      switch (node.kind) {
        case 'source':
          return {
            kind: 'source',
            name,
            predecessors: preds,
            successors: node.children,
            topics: node.topics,
            ...(node.pattern ? { topicPattern: node.pattern } : {}),
          };
        case 'processor':
          return { kind: 'processor', name, predecessors: preds, successors: node.children, stores: node.stores };
        case 'sink':
          return {
            kind: 'sink',
            name,
            predecessors: preds,
            successors: [],
            ...(typeof node.topic === 'string' ? { topic: node.topic } : {}),
          };
      }
    };
    const subtreeSize = new Map<string, number>();
    const size = (name: string): number => {
      const known = subtreeSize.get(name);
      if (known !== undefined) return known;
      const node = topology.nodes.get(name);
      const children = node && node.kind !== 'sink' ? node.children : [];
      const total = 1 + children.reduce((sum, c) => sum + size(c), 0);
      subtreeSize.set(name, total);
      return total;
    };
    const subtopologies = topology.subtopologies.map((st) => ({
      id: st.id,
      // Kafka orders nodes by the size of their sub-tree (sources first), then by name.
      nodes: [...st.nodes]
        .sort((a, b) => size(b) - size(a) || (a < b ? -1 : a > b ? 1 : 0))
        .map(describeNode),
    }));
    const globalStores = topology.globalStores.map((g) => ({
      id: topology.globalSubtopologyIds.get(g.sourceName) ?? -1,
      source: { kind: 'source' as const, name: g.sourceName, predecessors: [], successors: [g.processorName], topics: [g.topic] },
      processor: {
        kind: 'processor' as const,
        name: g.processorName,
        predecessors: [g.sourceName],
        successors: [],
        stores: [g.storeName],
      },
    }));
    return new TopologyDescription(subtopologies, globalStores);
  }

  toString(): string {
    const entries: Array<{ id: number; text: string }> = [
      ...this.subtopologies.map((s) => ({
        id: s.id,
        text: `Sub-topology: ${s.id}\n${s.nodes.map((n) => `    ${nodeText(n)}\n`).join('')}\n`,
      })),
      ...this.globalStores.map((g) => ({
        id: g.id,
        text: `Sub-topology: ${g.id} for global store (will not generate tasks)\n    ${nodeText(g.source)}\n    ${nodeText(g.processor)}\n`,
      })),
    ].sort((a, b) => a.id - b.id);
    return `Topologies:\n ${entries.map((e) => `  ${e.text}`).join('')}`;
  }
}

function names(list: ReadonlyArray<string>): string {
  return list.length === 0 ? 'none' : list.join(', ');
}

function nodeText(node: NodeDescription): string {
  switch (node.kind) {
    case 'source': {
      const topics = node.topicPattern ? String(node.topicPattern) : `[${(node.topics ?? []).join(', ')}]`;
      return `Source: ${node.name} (topics: ${topics})\n      --> ${names(node.successors)}`;
    }
    case 'processor':
      return `Processor: ${node.name} (stores: [${(node.stores ?? []).join(', ')}])\n      --> ${names(node.successors)}\n      <-- ${names(node.predecessors)}`;
    case 'sink':
      return `Sink: ${node.name} (${node.topic !== undefined ? `topic: ${node.topic}` : 'extractor class: TopicNameExtractor'})\n      <-- ${names(node.predecessors)}`;
  }
}
