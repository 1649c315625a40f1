/**
 * The slice of `@confluentinc/kafka-javascript` (its node-rdkafka-style API) this backend uses, declared locally:
 * the package is an optional native dependency, so the library must type-check and run without it, and its own
 * typings use `any` in places we would rather not leak.
 */

/** Errors the client hands to callbacks (a `LibrdKafkaError`). */
export interface NativeError extends Error {
  readonly code: number;
  readonly origin?: string;
  readonly isFatal?: boolean;
  readonly isRetriable?: boolean;
  readonly isTxnRequiresAbort?: boolean;
}

export type NativeCallback<T> = (err: NativeError | null | undefined, result: T) => void;
export type NativeDoneCallback = (err: NativeError | null | undefined) => void;

export interface NativeTopicPartition {
  topic: string;
  partition: number;
  /** Absent when the client has no offset (e.g. `position()` before the first fetch). */
  offset?: number;
  error?: NativeError;
}

export type NativeHeaders = Array<Record<string, Buffer | string>>;

export interface NativeMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key?: Buffer | string | null;
  readonly value: Buffer | null;
  readonly timestamp?: number;
  readonly headers?: NativeHeaders;
}

export interface NativeDeliveryReport {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

export interface NativeMetadata {
  readonly topics: ReadonlyArray<{
    readonly name: string;
    readonly partitions: ReadonlyArray<{ readonly id: number }>;
  }>;
}

export type NativeConfig = Record<string, string | number | boolean | ((...args: never[]) => void)>;

interface NativeClient {
  connect(options: { timeout?: number; allTopics?: boolean }, cb: NativeCallback<NativeMetadata>): unknown;
  isConnected(): boolean;
  getMetadata(options: { topic?: string; allTopics?: boolean; timeout?: number }, cb: NativeCallback<NativeMetadata>): void;
  on(event: 'event.error', listener: (err: NativeError) => void): unknown;
}

export interface NativeKafkaConsumer extends NativeClient {
  disconnect(cb: (err: unknown) => void): unknown;
  subscribe(topics: string[]): unknown;
  unsubscribe(): unknown;
  assign(partitions: NativeTopicPartition[]): unknown;
  unassign(): unknown;
  assignmentLost(): boolean;
  consume(maxMessages: number, cb: NativeCallback<NativeMessage[]>): void;
  setDefaultConsumeTimeout(timeoutMs: number): void;
  /** Not in the package's typings: makes `consume(n)` wait `timeout` for the first message only. */
  setDefaultIsTimeoutOnlyForFirstMessage?(value: boolean): void;
  seek(position: NativeTopicPartition, timeoutMs: number, cb: NativeDoneCallback): unknown;
  position(partitions: NativeTopicPartition[]): NativeTopicPartition[];
  pause(partitions: NativeTopicPartition[]): unknown;
  resume(partitions: NativeTopicPartition[]): unknown;
  committed(partitions: NativeTopicPartition[], timeoutMs: number, cb: NativeCallback<NativeTopicPartition[]>): unknown;
  commitCb(offsets: NativeTopicPartition[], cb: NativeDoneCallback): unknown;
}

export interface NativeProducer extends NativeClient {
  disconnect(timeoutMs: number, cb: (err: unknown) => void): unknown;
  on(event: 'event.error', listener: (err: NativeError) => void): unknown;
  on(event: 'delivery-report', listener: (err: NativeError | null | undefined, report: NativeDeliveryReport) => void): unknown;
  produce(
    topic: string,
    partition: number | null,
    value: Buffer | null,
    key: Buffer | null,
    timestamp: number | null,
    opaque: undefined,
    headers: NativeHeaders | undefined,
  ): unknown;
  setPollInBackground(enabled: boolean): unknown;
  flush(timeoutMs: number, cb: NativeDoneCallback): unknown;
  initTransactions(timeoutMs: number, cb: NativeDoneCallback): void;
  beginTransaction(cb: NativeDoneCallback): void;
  commitTransaction(timeoutMs: number, cb: NativeDoneCallback): void;
  abortTransaction(timeoutMs: number, cb: NativeDoneCallback): void;
  sendOffsetsToTransaction(
    offsets: NativeTopicPartition[],
    consumer: NativeKafkaConsumer,
    timeoutMs: number,
    cb: NativeDoneCallback,
  ): void;
}

/** An opaque `OffsetSpec` value of the client (EARLIEST / LATEST). */
export type NativeOffsetSpec = { readonly __offsetSpec: never };

export interface NativeAdminClient {
  createTopic(
    topic: { topic: string; num_partitions: number; replication_factor: number; config?: Record<string, string> },
    timeoutMs: number,
    cb: NativeDoneCallback,
  ): void;
  deleteTopic(topic: string, timeoutMs: number, cb: NativeDoneCallback): void;
  listTopics(options: { timeout?: number }, cb: NativeCallback<string[]>): void;
  describeTopics(
    topics: string[],
    options: { timeout?: number },
    cb: NativeCallback<Array<{ name: string; partitions: unknown[]; error?: NativeError }>>,
  ): void;
  listOffsets(
    partitions: Array<{ topic: string; partition: number; offset: NativeOffsetSpec }>,
    options: { timeout?: number; isolationLevel?: number },
    cb: NativeCallback<Array<{ topic: string; partition: number; offset: number; error?: NativeError }>>,
  ): void;
  deleteRecords(
    records: Array<{ topic: string; partition: number; offset: number }>,
    options: { timeout?: number; operationTimeout?: number },
    cb: NativeCallback<Array<{ topic: string; partition: number; lowWatermark: number; error?: { code?: number; message?: string } }>>,
  ): void;
  disconnect(): void;
}

export interface NativeModule {
  readonly KafkaConsumer: new (conf: NativeConfig, topicConf?: NativeConfig) => NativeKafkaConsumer;
  readonly Producer: new (conf: NativeConfig, topicConf?: NativeConfig) => NativeProducer;
  readonly AdminClient: {
    create(conf: NativeConfig): NativeAdminClient;
  };
  readonly OffsetSpec: { readonly EARLIEST: NativeOffsetSpec; readonly LATEST: NativeOffsetSpec };
  readonly IsolationLevel: { readonly READ_UNCOMMITTED: number; readonly READ_COMMITTED: number };
  readonly librdkafkaVersion: string;
}

const MODULE_NAME = '@confluentinc/kafka-javascript';

let loading: Promise<NativeModule> | undefined;

/**
 * Loads the native client on first use only, so that everything else (the embedded backend, the test driver)
 * works on machines where the native build is missing or failed.
 */
export function loadNativeModule(): Promise<NativeModule> {
  loading ??= importNative().catch((cause: unknown) => {
    loading = undefined;
    throw cause;
  });
  return loading;
}

async function importNative(): Promise<NativeModule> {
  let namespace: unknown;
  try {
    // A variable specifier keeps TypeScript from resolving the package's own typings (it may not be installed).
    const specifier: string = MODULE_NAME;
    namespace = await import(specifier);
  } catch (cause) {
    throw new Error(
      `The Kafka backend needs the native client ${MODULE_NAME}, which could not be loaded ` +
        `(${cause instanceof Error ? cause.message : String(cause)}). Install it with ` +
        `\`npm install ${MODULE_NAME}\`; it builds librdkafka from source when no prebuilt binary fits, which ` +
        'needs a C/C++ toolchain (make, g++, python3). Without a broker, omit bootstrapServers to use the embedded log.',
      { cause },
    );
  }
  const mod = interopDefault(namespace);
  if (!isNativeModule(mod)) {
    throw new Error(`${MODULE_NAME} loaded but does not look like the node-rdkafka-style API this backend expects`);
  }
  return mod;
}

function interopDefault(namespace: unknown): unknown {
  if (typeof namespace === 'object' && namespace !== null && 'default' in namespace) {
    const inner: unknown = namespace.default;
    if (typeof inner === 'object' && inner !== null) return inner;
  }
  return namespace;
}

function isNativeModule(mod: unknown): mod is NativeModule {
  if (typeof mod !== 'object' || mod === null) return false;
  return (
    'KafkaConsumer' in mod &&
    typeof mod.KafkaConsumer === 'function' &&
    'Producer' in mod &&
    typeof mod.Producer === 'function' &&
    'AdminClient' in mod &&
    typeof mod.AdminClient === 'object' &&
    'OffsetSpec' in mod &&
    'IsolationLevel' in mod
  );
}
