/**
 * Writes a logical graph into a physical topology. Nodes are written in the order the DSL created them, which is
 * also the order Kafka Streams writes them, so the resulting sub-topology numbering matches.
 */
import type { GraphNode } from '../graph/nodes.js';
import type { StreamRecord } from '../api/record.js';
import type { ProcessorSupplier } from '../api/processor.js';
import { Topology } from './topology.js';

export const REPARTITION_TOPIC_CONFIG: Readonly<Record<string, string>> = {
  'cleanup.policy': 'delete',
  'segment.bytes': '52428800',
  'retention.ms': '-1',
};

function nullKeyFilter(): ProcessorSupplier<unknown, unknown, unknown, unknown> {
  return () => {
    let forward: (r: StreamRecord<unknown, unknown>) => void = () => undefined;
    return {
      init(context) {
        forward = (r) => context.forward(r);
      },
      process(record) {
        if (record.key !== null && record.key !== undefined) forward(record);
      },
    };
  };
}

export function compile(nodes: ReadonlyArray<GraphNode>): Topology {
  const topology = new Topology();
  const b = topology.builder;
  const sourceTopics = new Map<string, ReadonlyArray<string>>();
  // Stores first: processors connect to them as they are added.
  for (const node of nodes) if (node.kind === 'state-store') b.addStateStore(node.builder);
  for (const node of nodes) {
    if (node.kind === 'internal-topic') b.addInternalTopic({ name: node.name, type: 'repartition', config: REPARTITION_TOPIC_CONFIG });
  }
  for (const node of nodes) {
    switch (node.kind) {
      case 'source':
        b.addSource(node.name, node.topics, {
          keySerde: node.keySerde,
          valueSerde: node.valueSerde,
          timestampExtractor: node.timestampExtractor,
          offsetReset: node.offsetReset,
        });
        if (!(node.topics instanceof RegExp)) sourceTopics.set(node.name, node.topics);
        break;
      case 'processor':
        b.addProcessor(node.name, node.supplier, ...node.parents);
        for (const store of node.stores) b.connectProcessorAndStore(node.name, store);
        break;
      case 'sink':
        b.addSink(node.name, node.topic, { keySerde: node.keySerde, valueSerde: node.valueSerde, partitioner: node.partitioner }, node.parent);
        break;
      case 'repartition':
        b.addInternalTopic({
          name: node.topic,
          type: 'repartition',
          ...(node.numberOfPartitions !== undefined ? { numPartitions: node.numberOfPartitions } : {}),
          config: REPARTITION_TOPIC_CONFIG,
        });
        b.addProcessor(node.filterName, nullKeyFilter(), node.parent);
        b.addSink(node.sinkName, node.topic, { keySerde: node.keySerde, valueSerde: node.valueSerde, partitioner: node.partitioner }, node.filterName);
        b.addSource(node.sourceName, [node.topic], { keySerde: node.keySerde, valueSerde: node.valueSerde });
        sourceTopics.set(node.sourceName, [node.topic]);
        break;
      case 'global-store':
        b.addGlobalStore(
          node.builder,
          node.sourceName,
          node.topic,
          { keySerde: node.keySerde, valueSerde: node.valueSerde },
          node.processorName,
          node.supplier,
        );
        break;
      case 'copartition':
        b.copartition(node.sourceNodes.flatMap((s) => sourceTopics.get(s) ?? []));
        break;
      case 'state-store':
      case 'internal-topic':
        break;
    }
  }
  return topology;
}
