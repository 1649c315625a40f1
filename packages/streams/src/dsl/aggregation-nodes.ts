/**
 * What every KGroupedStream aggregation adds to the graph, windowed or not: its names (store before processor, as
 * Kafka Streams counts them), a repartition when the key changed upstream, the store node and the processor node.
 */
import type { ProcessorSupplier } from '../api/processor.js';
import type { Serde } from '../serde/serde.js';
import type { StateStore, StoreBuilder } from '../state/store.js';
import type { StreamState } from './kstream.js';
import type { MaterializedOptions, NamedOptions } from './options.js';
import { materializedStoreName } from './materialize.js';

type AnySupplier = ProcessorSupplier<unknown, unknown, unknown, unknown>;

export interface GroupedStreamInput<K, V> {
  readonly stream: StreamState<K, V>;
  readonly repartitionName: string | undefined;
}

export interface AggregationNodes<K> {
  readonly name: string;
  readonly storeName: string;
  readonly keySerde: Serde<K> | undefined;
  /** Read by the processor at run time; set by downstream operations that need old values. */
  readonly sendOldValues: { value: boolean };
  readonly sourceNodes: ReadonlyArray<string>;
}

export function addAggregationNodes<K, V, A>(
  input: GroupedStreamInput<K, V>,
  prefix: string,
  materialized: (MaterializedOptions<K, A> & NamedOptions) | undefined,
  storeBuilder: (storeName: string, keySerde: Serde<K> | undefined) => StoreBuilder<StateStore>,
  supplier: (storeName: string, sendOldValues: () => boolean) => AnySupplier,
): AggregationNodes<K> {
  const { stream, repartitionName } = input;
  const { ctx } = stream;
  const storeName = materializedStoreName(materialized) ?? ctx.graph.newStoreName(prefix);
  const name = materialized?.name ?? ctx.graph.newProcessorName(prefix);
  const keySerde = materialized?.keySerde ?? stream.keySerde;
  let source: { name: string; sourceNodes: ReadonlyArray<string> } = stream;
  if (stream.repartitionRequired) {
    const node = ctx.repartition(stream.name, repartitionName ?? storeName, {
      keySerde: keySerde as Serde<unknown> | undefined,
      valueSerde: stream.valueSerde as Serde<unknown> | undefined,
      userNamed: repartitionName !== undefined,
    });
    source = { name: node.sourceName, sourceNodes: [node.sourceName] };
  }
  ctx.graph.add({ kind: 'state-store', builder: storeBuilder(storeName, keySerde) });
  const sendOldValues = { value: false };
  ctx.graph.add({
    kind: 'processor',
    name,
    parents: [source.name],
    supplier: supplier(storeName, () => sendOldValues.value),
    stores: [storeName],
  });
  return { name, storeName, keySerde, sendOldValues, sourceNodes: source.sourceNodes };
}
