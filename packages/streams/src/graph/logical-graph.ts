/**
 * The logical graph a `StreamsBuilder` accumulates, plus the naming counter. Names come from one counter per
 * builder in call order, exactly like Kafka Streams, so generated processor, store and internal topic names are
 * stable across restarts of the same program.
 */
import type { GraphNode } from './nodes.js';

export class LogicalGraph {
  private readonly list: GraphNode[] = [];
  private index = 0;

  add<N extends GraphNode>(node: N): N {
    this.list.push(node);
    return node;
  }

  get nodes(): ReadonlyArray<GraphNode> {
    return this.list;
  }

  /** `KSTREAM-FILTER-0000000003`. */
  newProcessorName(prefix: string): string {
    return `${prefix}${String(this.index++).padStart(10, '0')}`;
  }

  /** `KSTREAM-AGGREGATE-STATE-STORE-0000000002`, or `<topic>-STATE-STORE-…` for table sources. */
  newStoreName(prefix: string): string {
    return `${prefix}STATE-STORE-${String(this.index++).padStart(10, '0')}`;
  }
}
