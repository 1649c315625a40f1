import type { RecordMetadata, StreamRecord } from './record.js';
import type { StateStore } from './state-store.js';

export type PunctuationType = 'STREAM_TIME' | 'WALL_CLOCK_TIME';

/** Returned by `context.schedule()`. */
export interface Cancellable {
  cancel(): void;
}

/** What a processor sees of its task (Kafka Streams' `api.ProcessorContext`). */
export interface ProcessorContext<KOut = unknown, VOut = unknown> {
  readonly applicationId: string;
  /** `<subtopologyId>_<partition>`, as in Kafka Streams. */
  readonly taskId: string;
  /** Sends a record to all children, or only to the named child. */
  forward<K extends KOut, V extends VOut>(record: StreamRecord<K, V>, childName?: string): void;
  getStateStore<S extends StateStore = StateStore>(name: string): S;
  schedule(intervalMs: number, type: PunctuationType, punctuator: (timestamp: number) => void): Cancellable;
  /** Requests a commit as soon as possible (after the current record). */
  commit(): void;
  /** Metadata of the input record being processed; undefined inside a punctuation. */
  recordMetadata(): RecordMetadata | undefined;
  /** The largest timestamp this task has seen (-1 before the first record). */
  currentStreamTimeMs(): number;
  currentSystemTimeMs(): number;
}

export interface Processor<KIn = unknown, VIn = unknown, KOut = unknown, VOut = unknown> {
  init?(context: ProcessorContext<KOut, VOut>): void;
  process(record: StreamRecord<KIn, VIn>): void;
  close?(): void;
}

/** Called once per task: every task owns fresh processor instances. */
export type ProcessorSupplier<KIn = unknown, VIn = unknown, KOut = unknown, VOut = unknown> = () => Processor<
  KIn,
  VIn,
  KOut,
  VOut
>;

/** `processValues()`: may not change the key, so no repartition is ever needed downstream. */
export interface FixedKeyProcessor<K = unknown, VIn = unknown, VOut = unknown> {
  init?(context: ProcessorContext<K, VOut>): void;
  process(record: StreamRecord<K, VIn>): void;
  close?(): void;
}
export type FixedKeyProcessorSupplier<K = unknown, VIn = unknown, VOut = unknown> = () => FixedKeyProcessor<K, VIn, VOut>;
