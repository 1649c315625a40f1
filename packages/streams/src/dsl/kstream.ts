/**
 * `KStream<K, V>`: an immutable view of a record stream. Each operation names itself, adds a node to the logical
 * graph and returns a new view (Kafka Streams' `KStreamImpl`).
 */
import type { FixedKeyProcessorSupplier, ProcessorSupplier } from '../api/processor.js';
import type { Serde } from '../serde/serde.js';
import type { TopicNameExtractor } from '../api/sink.js';
import {
  branchProcessor,
  filterProcessor,
  flatMapProcessor,
  flatMapValuesProcessor,
  mapProcessor,
  mapValuesProcessor,
  passThroughProcessor,
  peekProcessor,
  selectKeyProcessor,
} from '../processor/stream-stateless.js';
import { streamTableJoinProcessor } from '../processor/stream-table-join.js';
import { tableSourceProcessor } from '../processor/table-source.js';
import { storeValueGetter } from '../processor/value-getter.js';
import type { DslContext } from './dsl-context.js';
import { serdeOrFallback } from './dsl-context.js';
import type { GlobalKTable } from './global-ktable.js';
import { KGroupedStream } from './kgrouped-stream.js';
import { KTable } from './ktable.js';
import { streamStreamJoin, type StreamJoinKind, type StreamJoinedOptions } from './stream-stream-join.js';
import type { JoinWindows } from './windows.js';
import { keyValueStoreBuilderFor, materializedStoreName } from './materialize.js';
import type {
  GroupedOptions,
  JoinedOptions,
  NamedOptions,
  ProducedOptions,
  RepartitionedOptions,
  ToTableOptions,
  TopicOrExtractor,
} from './options.js';

type AnySupplier = ProcessorSupplier<unknown, unknown, unknown, unknown>;

export interface StreamState<K, V> {
  readonly ctx: DslContext;
  /** The graph node whose output this stream is. */
  readonly name: string;
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V> | undefined;
  /** A key-changing operation happened upstream: grouping or joining must repartition first. */
  readonly repartitionRequired: boolean;
  /** Source nodes feeding this stream (for co-partitioning checks). */
  readonly sourceNodes: ReadonlyArray<string>;
}

export class KStream<K, V> {
  /** @internal The stream's place in the graph, which the DSL's operations build on (not for applications). */
  readonly state: StreamState<K, V>;

  /** @internal */
  constructor(state: StreamState<K, V>) {
    this.state = state;
  }

  filter(predicate: (key: K, value: V) => boolean, named?: NamedOptions): KStream<K, V> {
    return this.stateless('KSTREAM-FILTER-', filterProcessor(predicate, false), named, {});
  }

  filterNot(predicate: (key: K, value: V) => boolean, named?: NamedOptions): KStream<K, V> {
    return this.stateless('KSTREAM-FILTER-', filterProcessor(predicate, true), named, {});
  }

  map<K2, V2>(mapper: (key: K, value: V) => readonly [K2, V2], named?: NamedOptions): KStream<K2, V2> {
    return this.stateless('KSTREAM-MAP-', mapProcessor(mapper), named, { keySerde: undefined, valueSerde: undefined, repartitionRequired: true });
  }

  mapValues<V2>(mapper: (value: V, key: K) => V2, named?: NamedOptions): KStream<K, V2> {
    return this.stateless('KSTREAM-MAPVALUES-', mapValuesProcessor(mapper), named, { valueSerde: undefined });
  }

  selectKey<K2>(selector: (key: K, value: V) => K2, named?: NamedOptions): KStream<K2, V> {
    return this.stateless('KSTREAM-KEY-SELECT-', selectKeyProcessor(selector), named, { keySerde: undefined, repartitionRequired: true });
  }

  flatMap<K2, V2>(mapper: (key: K, value: V) => Iterable<readonly [K2, V2]>, named?: NamedOptions): KStream<K2, V2> {
    return this.stateless('KSTREAM-FLATMAP-', flatMapProcessor(mapper), named, {
      keySerde: undefined,
      valueSerde: undefined,
      repartitionRequired: true,
    });
  }

  flatMapValues<V2>(mapper: (value: V, key: K) => Iterable<V2>, named?: NamedOptions): KStream<K, V2> {
    return this.stateless('KSTREAM-FLATMAPVALUES-', flatMapValuesProcessor(mapper), named, { valueSerde: undefined });
  }

  peek(action: (key: K, value: V) => void, named?: NamedOptions): KStream<K, V> {
    return this.stateless('KSTREAM-PEEK-', peekProcessor(action), named, {});
  }

  foreach(action: (key: K, value: V) => void, named?: NamedOptions): void {
    this.stateless('KSTREAM-FOREACH-', peekProcessor(action), named, {});
  }

  merge(other: KStream<K, V>, named?: NamedOptions): KStream<K, V> {
    const { ctx } = this.state;
    const name = named?.name ?? ctx.graph.newProcessorName('KSTREAM-MERGE-');
    ctx.graph.add({ kind: 'processor', name, parents: [this.state.name, other.state.name], supplier: passThroughProcessor() as AnySupplier, stores: [] });
    return new KStream({
      ...this.state,
      name,
      keySerde: this.state.keySerde ?? other.state.keySerde,
      valueSerde: this.state.valueSerde ?? other.state.valueSerde,
      repartitionRequired: this.state.repartitionRequired || other.state.repartitionRequired,
      sourceNodes: [...this.state.sourceNodes, ...other.state.sourceNodes],
    });
  }

  /** Routes each record to the first branch whose predicate matches (Kafka Streams' `split()`). */
  split(named?: NamedOptions): BranchedKStream<K, V> {
    const name = named?.name ?? this.state.ctx.graph.newProcessorName('KSTREAM-BRANCH-');
    return new BranchedKStream(this, name, named?.name ?? '');
  }

  to(topic: TopicOrExtractor<K, V>, options: ProducedOptions<K, V> = {}): void {
    const { ctx } = this.state;
    const name = options.name ?? ctx.graph.newProcessorName('KSTREAM-SINK-');
    ctx.graph.add({
      kind: 'sink',
      name,
      parent: this.state.name,
      topic: topic as string | TopicNameExtractor,
      keySerde: (options.keySerde ?? this.state.keySerde) as Serde<unknown> | undefined,
      valueSerde: (options.valueSerde ?? this.state.valueSerde) as Serde<unknown> | undefined,
      partitioner: options.partitioner as ProducedOptions<unknown, unknown>['partitioner'],
    });
  }

  /** Writes through an internal topic, so the key decides the partition again (Kafka Streams' `repartition()`). */
  repartition(options: RepartitionedOptions<K, V> = {}): KStream<K, V> {
    const { ctx } = this.state;
    const prefix = options.name ?? ctx.graph.newProcessorName('KSTREAM-REPARTITION-');
    const keySerde = options.keySerde ?? this.state.keySerde;
    const valueSerde = options.valueSerde ?? this.state.valueSerde;
    const node = ctx.repartition(this.state.name, prefix, {
      keySerde: keySerde as Serde<unknown> | undefined,
      valueSerde: valueSerde as Serde<unknown> | undefined,
      numberOfPartitions: options.numberOfPartitions,
      partitioner: options.partitioner as RepartitionedOptions<unknown, unknown>['partitioner'],
      userNamed: options.name !== undefined,
    });
    return new KStream({ ctx, name: node.sourceName, keySerde, valueSerde, repartitionRequired: false, sourceNodes: [node.sourceName] });
  }

  toTable(options: ToTableOptions<K, V> = {}): KTable<K, V> {
    const { ctx } = this.state;
    const name = ctx.graph.newProcessorName('KSTREAM-TOTABLE-');
    const storeName = options.storeSupplier?.name ?? options.storeName ?? ctx.graph.newStoreName('KSTREAM-TOTABLE-');
    const keySerde = options.keySerde ?? this.state.keySerde;
    const valueSerde = options.valueSerde ?? this.state.valueSerde;
    const input = this.state.repartitionRequired
      ? this.repartitionFor(options.storeName ?? name, keySerde, valueSerde, options.storeName !== undefined)
      : this.state;
    ctx.graph.add({
      kind: 'state-store',
      builder: keyValueStoreBuilderFor(storeName, options, serdeOrFallback(keySerde), serdeOrFallback(valueSerde), true),
    });
    const sendOld = { value: false };
    ctx.graph.add({
      kind: 'processor',
      name,
      parents: [input.name],
      supplier: tableSourceProcessor<K, V>(storeName, () => sendOld.value) as AnySupplier,
      stores: [storeName],
    });
    return new KTable<K, V>({
      ctx,
      name,
      keySerde,
      valueSerde,
      storeName,
      queryable: materializedStoreName(options) !== undefined,
      valueGetter: storeValueGetter<K, V>(storeName),
      sendOldValues: sendOld,
      enableParentOldValues: undefined,
      sourceNodes: input.sourceNodes,
    });
  }

  groupByKey(options: GroupedOptions<K, V> = {}): KGroupedStream<K, V> {
    return new KGroupedStream<K, V>({
      stream: {
        ...this.state,
        keySerde: options.keySerde ?? this.state.keySerde,
        valueSerde: options.valueSerde ?? this.state.valueSerde,
      },
      repartitionName: options.name,
    });
  }

  groupBy<K2>(selector: (key: K, value: V) => K2, options: GroupedOptions<K2, V> = {}): KGroupedStream<K2, V> {
    const selected = this.selectKey(selector);
    return new KGroupedStream<K2, V>({
      stream: { ...selected.state, keySerde: options.keySerde, valueSerde: options.valueSerde ?? this.state.valueSerde },
      repartitionName: options.name,
    });
  }

  /** Processor API: the processor may forward any key, so downstream grouping or joining repartitions. */
  process<KOut, VOut>(supplier: ProcessorSupplier<K, V, KOut, VOut>, ...storeNames: string[]): KStream<KOut, VOut> {
    const { ctx } = this.state;
    const name = ctx.graph.newProcessorName('KSTREAM-PROCESSOR-');
    ctx.graph.add({ kind: 'processor', name, parents: [this.state.name], supplier: supplier as unknown as AnySupplier, stores: storeNames });
    return new KStream<KOut, VOut>({ ...this.state, name, keySerde: undefined, valueSerde: undefined, repartitionRequired: true });
  }

  /** Processor API that keeps the key: no repartition downstream. */
  processValues<VOut>(supplier: FixedKeyProcessorSupplier<K, V, VOut>, ...storeNames: string[]): KStream<K, VOut> {
    const { ctx } = this.state;
    const name = ctx.graph.newProcessorName('KSTREAM-PROCESSVALUES-');
    ctx.graph.add({ kind: 'processor', name, parents: [this.state.name], supplier: supplier as unknown as AnySupplier, stores: storeNames });
    return new KStream<K, VOut>({ ...this.state, name, valueSerde: undefined });
  }

  /** Stream-table join: each stream record looks up the table's current value for its key. */
  join<TV, R>(table: KTable<K, TV>, joiner: (value: V, tableValue: TV, key: K) => R, joined?: JoinedOptions<K, V, TV>): KStream<K, R>;
  /** Stream-global-table join: `keySelector` maps each stream record to the global table's key. */
  join<GK, GV, R>(
    globalTable: GlobalKTable<GK, GV>,
    keySelector: (key: K, value: V) => GK,
    joiner: (value: V, globalValue: GV, key: K) => R,
    named?: NamedOptions,
  ): KStream<K, R>;
  /** Windowed stream-stream join: records of both streams with equal keys and timestamps within `windows`. */
  join<VO, R>(
    otherStream: KStream<K, VO>,
    joiner: (value: V, otherValue: VO, key: K) => R,
    windows: JoinWindows,
    options?: StreamJoinedOptions<K, V, VO>,
  ): KStream<K, R>;
  join(...args: unknown[]): KStream<K, unknown> {
    if (args[0] instanceof KStream) return this.windowedJoin('inner', args);
    return this.lookupJoin(false, args);
  }

  leftJoin<TV, R>(table: KTable<K, TV>, joiner: (value: V, tableValue: TV | null, key: K) => R, joined?: JoinedOptions<K, V, TV>): KStream<K, R>;
  leftJoin<GK, GV, R>(
    globalTable: GlobalKTable<GK, GV>,
    keySelector: (key: K, value: V) => GK,
    joiner: (value: V, globalValue: GV | null, key: K) => R,
    named?: NamedOptions,
  ): KStream<K, R>;
  /** Windowed stream-stream left join: unmatched records of this stream are emitted once their window closed. */
  leftJoin<VO, R>(
    otherStream: KStream<K, VO>,
    joiner: (value: V, otherValue: VO | null, key: K) => R,
    windows: JoinWindows,
    options?: StreamJoinedOptions<K, V, VO>,
  ): KStream<K, R>;
  leftJoin(...args: unknown[]): KStream<K, unknown> {
    if (args[0] instanceof KStream) return this.windowedJoin('left', args);
    return this.lookupJoin(true, args);
  }

  /** Windowed stream-stream outer join: unmatched records of either stream are emitted once their window closed. */
  outerJoin<VO, R>(
    otherStream: KStream<K, VO>,
    joiner: (value: V | null, otherValue: VO | null, key: K) => R,
    windows: JoinWindows,
    options?: StreamJoinedOptions<K, V, VO>,
  ): KStream<K, R> {
    return this.windowedJoin('outer', [otherStream, joiner, windows, options]) as KStream<K, R>;
  }

  private windowedJoin(kind: StreamJoinKind, args: unknown[]): KStream<K, unknown> {
    const other = args[0] as KStream<K, unknown>;
    const joiner = args[1] as (v: V | null, o: unknown, k: K) => unknown;
    const windows = args[2] as JoinWindows;
    if (windows === undefined || windows === null) throw new TypeError('A stream-stream join needs JoinWindows');
    const options = (args[3] ?? {}) as StreamJoinedOptions<K, V, unknown>;
    return new KStream(streamStreamJoin(this, other, joiner, windows, options, kind));
  }

  private lookupJoin(left: boolean, args: unknown[]): KStream<K, unknown> {
    const { ctx } = this.state;
    const other = args[0];
    const prefix = left ? 'KSTREAM-LEFTJOIN-' : 'KSTREAM-JOIN-';
    if (other instanceof KTable) {
      const table = other as KTable<K, unknown>;
      const joiner = args[1] as (v: V, t: unknown, k: K) => unknown;
      const named = args[2] as JoinedOptions<K, V, unknown> | undefined;
      // As Kafka: the Joined serdes win over the ones the stream carries, for the repartition topic and downstream.
      const keySerde = named?.keySerde ?? this.state.keySerde ?? table.state.keySerde;
      const input = this.state.repartitionRequired
        ? this.repartitionFor(named?.name ?? this.state.name, keySerde, named?.valueSerde ?? this.state.valueSerde, named?.name !== undefined)
        : { ...this.state, keySerde };
      const name = named?.name ?? ctx.graph.newProcessorName(prefix);
      const getter = table.state.valueGetter;
      ctx.graph.add({
        kind: 'processor',
        name,
        parents: [input.name],
        supplier: streamTableJoinProcessor<K, V, K, unknown, unknown>(getter, (k) => k, joiner, left) as AnySupplier,
        stores: getter.storeNames,
      });
      ctx.graph.add({ kind: 'copartition', sourceNodes: [...input.sourceNodes, ...table.state.sourceNodes] });
      return new KStream({ ...input, name, valueSerde: undefined, keySerde: input.keySerde ?? table.state.keySerde });
    }
    const global = other as GlobalKTable<unknown, unknown>;
    const selector = args[1] as (k: K, v: V) => unknown;
    const joiner = args[2] as (v: V, g: unknown, k: K) => unknown;
    const named = args[3] as NamedOptions | undefined;
    const name = named?.name ?? ctx.graph.newProcessorName(prefix);
    ctx.graph.add({
      kind: 'processor',
      name,
      parents: [this.state.name],
      supplier: streamTableJoinProcessor<K, V, unknown, unknown, unknown>(storeValueGetter(global.storeName), selector, joiner, left) as AnySupplier,
      stores: [],
    });
    return new KStream({ ...this.state, name, valueSerde: undefined });
  }

  /** @internal */
  repartitionFor(
    prefix: string,
    keySerde: Serde<K> | undefined,
    valueSerde: Serde<V> | undefined,
    userNamed: boolean,
  ): StreamState<K, V> {
    const node = this.state.ctx.repartition(this.state.name, prefix, {
      keySerde: keySerde as Serde<unknown> | undefined,
      valueSerde: valueSerde as Serde<unknown> | undefined,
      userNamed,
    });
    return {
      ctx: this.state.ctx,
      name: node.sourceName,
      keySerde,
      valueSerde,
      repartitionRequired: false,
      sourceNodes: [node.sourceName],
    };
  }

  private stateless<K2, V2>(
    prefix: string,
    supplier: ProcessorSupplier<K, V, unknown, unknown>,
    named: NamedOptions | undefined,
    changes: { keySerde?: undefined; valueSerde?: undefined; repartitionRequired?: boolean },
  ): KStream<K2, V2> {
    const { ctx } = this.state;
    const name = named?.name ?? ctx.graph.newProcessorName(prefix);
    ctx.graph.add({ kind: 'processor', name, parents: [this.state.name], supplier: supplier as unknown as AnySupplier, stores: [] });
    return new KStream<K2, V2>({
      ...(this.state as unknown as StreamState<K2, V2>),
      name,
      ...('keySerde' in changes ? { keySerde: undefined } : {}),
      ...('valueSerde' in changes ? { valueSerde: undefined } : {}),
      repartitionRequired: this.state.repartitionRequired || changes.repartitionRequired === true,
    });
  }
}

/** `split()`: add branches in order; the result maps `<splitName><branchName>` to each branch's stream. */
export class BranchedKStream<K, V> {
  private readonly branches: Array<{ predicate: (key: K, value: V) => boolean; name: string }> = [];
  private done = false;

  /** @internal */
  constructor(
    private readonly parent: KStream<K, V>,
    private readonly splitterName: string,
    private readonly prefix: string,
  ) {}

  branch(predicate: (key: K, value: V) => boolean, branchName: string): this {
    if (this.done) throw new Error('split() is already finished by defaultBranch()/noDefaultBranch()');
    const name = this.prefix + branchName;
    if (this.branches.some((b) => b.name === name)) throw new Error(`Branch "${name}" is defined twice`);
    this.branches.push({ predicate, name });
    return this;
  }

  defaultBranch(branchName = '0'): Record<string, KStream<K, V>> {
    return this.finish(this.prefix + branchName);
  }

  noDefaultBranch(): Record<string, KStream<K, V>> {
    return this.finish(undefined);
  }

  private finish(defaultName: string | undefined): Record<string, KStream<K, V>> {
    if (this.done) throw new Error('split() is already finished');
    this.done = true;
    const { ctx } = this.parent.state;
    // Branch node names must be unique in the topology; generated splits prefix them with the splitter's name.
    const nodeName = (branch: string): string => (this.prefix ? branch : `${this.splitterName}-${branch}`);
    const children = this.branches.map((b) => ({ predicate: b.predicate, child: nodeName(b.name) }));
    ctx.graph.add({
      kind: 'processor',
      name: this.splitterName,
      parents: [this.parent.state.name],
      supplier: branchProcessor(children, defaultName === undefined ? undefined : nodeName(defaultName)) as AnySupplier,
      stores: [],
    });
    const out: Record<string, KStream<K, V>> = {};
    for (const name of [...this.branches.map((b) => b.name), ...(defaultName === undefined ? [] : [defaultName])]) {
      ctx.graph.add({ kind: 'processor', name: nodeName(name), parents: [this.splitterName], supplier: passThroughProcessor() as AnySupplier, stores: [] });
      out[name] = new KStream<K, V>({ ...this.parent.state, name: nodeName(name) });
    }
    return out;
  }
}
