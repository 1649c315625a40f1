/**
 * `KafkaStreams` configuration: Kafka Streams' settings as an options object, validated once at construction so a
 * bad setting fails loudly before anything runs.
 */
import type { Headers, TimestampExtractor } from '../api/record.js';
import type { Backend } from '../backend/port.js';
import type { KafkaSecurity } from '../backend/kafka/config.js';
import { checkClientConfig } from '../backend/kafka/config.js';
import type { Serde } from '../serde/serde.js';
import { StreamsConfigError } from './errors.js';

/** What an error handler learns about the failing record. */
export interface ErrorHandlerContext {
  readonly taskId: string;
  readonly topic: string | undefined;
  readonly partition: number | undefined;
  readonly offset: number | undefined;
  readonly timestamp: number;
  /** The processor that threw (processing errors) or the source node (deserialization errors). */
  readonly processorName: string | undefined;
  /**
   * The failing record (Kafka's `Record` given to `ProcessingExceptionHandler.handle`): for processing errors the
   * record as the failing processor received it; for deserialization errors the raw bytes.
   */
  readonly key?: unknown;
  readonly value?: unknown;
  readonly headers?: Headers;
}

export type ErrorHandlerResponse = 'continue' | 'fail';
export type ErrorHandler = (error: Error, context: ErrorHandlerContext) => ErrorHandlerResponse;

/** `fail` stops the app (Kafka's default); `logAndContinue` skips the record; a function decides per record. */
export type ErrorHandlerSetting = 'fail' | 'logAndContinue' | ErrorHandler;

export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export interface StreamsConfig {
  readonly applicationId: string;
  /** Kafka's `bootstrap.servers`. Omitted (and no `backend`): the embedded log. */
  readonly bootstrapServers?: string;
  /** A backend instance to run on (overrides `bootstrapServers`); mainly for tests and embedding. */
  readonly backend?: Backend;
  /** Where the embedded log keeps its data; omitted: in memory only. */
  readonly embeddedDataDir?: string;
  readonly processingGuarantee?: 'at_least_once' | 'exactly_once_v2';
  /** Default `./state`... as Kafka uses a temp dir; we keep it in the working directory so restarts find it. */
  readonly stateDir?: string;
  /** `host:port` this instance serves interactive queries on. */
  readonly applicationServer?: string;
  /** Default 30000 (at-least-once) or 100 (exactly-once), as in Kafka Streams. */
  readonly commitIntervalMs?: number;
  readonly defaultKeySerde?: Serde<unknown>;
  readonly defaultValueSerde?: Serde<unknown>;
  readonly defaultTimestampExtractor?: TimestampExtractor;
  readonly deserializationExceptionHandler?: ErrorHandlerSetting;
  readonly processingExceptionHandler?: ErrorHandlerSetting;
  /** What to do when the broker rejects a record the app produced. */
  readonly productionExceptionHandler?: ErrorHandlerSetting;
  /**
   * Kafka's `errors.dead.letter.queue.topic.name`: records an error handler skips are written here, raw, with the
   * error in `__streams.errors.*` headers.
   */
  readonly deadLetterQueueTopic?: string;
  /** Records a poll may return (Kafka's `max.poll.records`). */
  readonly maxPollRecords?: number;
  /**
   * Exactly-once: how long the broker lets a transaction stay open before aborting it (Kafka Streams' default
   * 10000). It bounds how long a crashed instance's open transaction holds back read_committed readers.
   */
  readonly transactionTimeoutMs?: number;
  /**
   * Kafka's `task.timeout.ms` (KIP-572), default 300000: how long the runtime keeps retrying retriable errors (a
   * broker restarting, leaders or coordinators moving, timeouts) without making progress before it raises the error.
   * 0 raises at the first one.
   */
  readonly taskTimeoutMs?: number;
  /**
   * Kafka's `repartition.purge.interval.ms` (default 30000): how often records of repartition topics that were
   * consumed and committed are deleted (`deleteRecords`), so the application's own plumbing does not grow.
   */
  readonly repartitionPurgeIntervalMs?: number;
  /** Consumer group session timeout (Kafka's `session.timeout.ms`, default 45000): how soon a dead instance's tasks move. */
  readonly sessionTimeoutMs?: number;
  /** Static membership (`group.instance.id`). */
  readonly groupInstanceId?: string;
  /**
   * Warm copies of each stateful task on other instances (Kafka's `num.standby.replicas`, default 0). They help
   * persistent stores: a task that moves to an instance with a standby restores only the changelog's tail.
   */
  readonly numStandbyReplicas?: number;
  /**
   * Kafka's `num.stream.threads` (default 1): stream threads this instance runs. Each is a member of the
   * application's consumer group with its own clients, so the group spreads the tasks over them; queries and
   * metrics cover all of them. On Kafka (from `bootstrapServers`) threads 2..n run in worker threads that run the
   * entry module again (guard once-per-process code with `isStreamThreadWorker()`); on the embedded log, or with a
   * `backend` object, all run in this thread. See the package README's "Stream threads". Not combinable with
   * `numStandbyReplicas` yet.
   */
  readonly numStreamThreads?: number;
  /** How the Kafka backend reaches a secured cluster (TLS, SASL); see the Kafka backend's `KafkaSecurity`. */
  readonly security?: KafkaSecurity;
  /**
   * Kafka's `statestore.cache.max.bytes` (default 10 MiB): the record cache of stores with caching on, which
   * coalesces updates of a key between commits so DSL aggregations forward one update per key per commit. 0 turns
   * caching off: every update is forwarded. Split evenly over the stream threads; each thread's share bounds all the
   * cached stores of its tasks together, as Kafka's ThreadCache.
   */
  readonly statestoreCacheMaxBytes?: number;
  /**
   * Kafka's `windowstore.changelog.additional.retention.ms` (default one day): how much longer than its store a
   * window or session store's changelog keeps records (`retention.ms`), and a versioned store's changelog keeps
   * history from compaction (`min.compaction.lag.ms`), so that a restore still finds them despite clock drift. It
   * applies when the changelog is created; a topic that exists keeps its settings.
   */
  readonly windowStoreChangeLogAdditionalRetentionMs?: number;
  /** Extra librdkafka settings for the Kafka backend. */
  readonly clientConfig?: Readonly<Record<string, string | number | boolean>>;
  /** A pino-compatible logger; default: pino at `info` (TRIBUTARY_LOG_LEVEL overrides). */
  readonly logger?: Logger;
}

export interface ResolvedConfig {
  readonly applicationId: string;
  readonly processingGuarantee: 'at_least_once' | 'exactly_once_v2';
  readonly stateDir: string;
  readonly commitIntervalMs: number;
  readonly maxPollRecords: number;
  readonly deserializationExceptionHandler: ErrorHandlerSetting;
  readonly processingExceptionHandler: ErrorHandlerSetting;
  readonly productionExceptionHandler: ErrorHandlerSetting;
  readonly deadLetterQueueTopic: string | undefined;
  readonly defaultKeySerde: Serde<unknown> | undefined;
  readonly defaultValueSerde: Serde<unknown> | undefined;
  readonly defaultTimestampExtractor: TimestampExtractor | undefined;
  readonly applicationServer: { host: string; port: number } | undefined;
  readonly sessionTimeoutMs: number | undefined;
  readonly numStandbyReplicas: number;
  readonly numStreamThreads: number;
  readonly transactionTimeoutMs: number;
  readonly taskTimeoutMs: number;
  readonly repartitionPurgeIntervalMs: number;
  readonly statestoreCacheMaxBytes: number;
  readonly windowStoreChangeLogAdditionalRetentionMs: number;
  /** Set for the process-wide embedded log only (see `KafkaStreams`). */
  readonly createMissingSourceTopics: boolean;
}

const APP_ID = /^[a-zA-Z0-9._-]+$/;

export function resolveConfig(config: StreamsConfig): ResolvedConfig {
  if (typeof config.applicationId !== 'string' || !APP_ID.test(config.applicationId)) {
    throw new StreamsConfigError(
      `applicationId must be a non-empty string of letters, digits, '.', '_' or '-' (got ${JSON.stringify(config.applicationId)})`,
    );
  }
  const guarantee = config.processingGuarantee ?? 'at_least_once';
  if (guarantee !== 'at_least_once' && guarantee !== 'exactly_once_v2') {
    throw new StreamsConfigError(`processingGuarantee must be 'at_least_once' or 'exactly_once_v2' (got ${JSON.stringify(guarantee)})`);
  }
  const commitIntervalMs = config.commitIntervalMs ?? (guarantee === 'exactly_once_v2' ? 100 : 30_000);
  if (!Number.isFinite(commitIntervalMs) || commitIntervalMs < 0) {
    throw new StreamsConfigError(`commitIntervalMs must be a number >= 0 (got ${String(config.commitIntervalMs)})`);
  }
  const maxPollRecords = config.maxPollRecords ?? 1000;
  if (!Number.isInteger(maxPollRecords) || maxPollRecords < 1) {
    throw new StreamsConfigError(`maxPollRecords must be an integer >= 1 (got ${String(config.maxPollRecords)})`);
  }
  for (const key of ['deserializationExceptionHandler', 'processingExceptionHandler', 'productionExceptionHandler'] as const) {
    const v = config[key];
    if (v !== undefined && v !== 'fail' && v !== 'logAndContinue' && typeof v !== 'function') {
      throw new StreamsConfigError(`${key} must be 'fail', 'logAndContinue' or a function (got ${JSON.stringify(v)})`);
    }
  }
  // A clientConfig overriding what exactly-once and offsets depend on fails here, at construction, naming the key.
  if (config.clientConfig !== undefined) checkClientConfig(config.clientConfig);
  const numStandbyReplicas = config.numStandbyReplicas ?? 0;
  if (!Number.isInteger(numStandbyReplicas) || numStandbyReplicas < 0) {
    throw new StreamsConfigError(`numStandbyReplicas must be an integer >= 0 (got ${String(config.numStandbyReplicas)})`);
  }
  const numStreamThreads = config.numStreamThreads ?? 1;
  if (!Number.isInteger(numStreamThreads) || numStreamThreads < 1) {
    throw new StreamsConfigError(`numStreamThreads must be an integer >= 1 (got ${String(config.numStreamThreads)})`);
  }
  // Each thread would place the same standbys of this instance in the same task folders: refused until standbys are
  // placed per instance rather than per thread.
  if (numStreamThreads > 1 && numStandbyReplicas > 0) {
    throw new StreamsConfigError('numStreamThreads > 1 cannot be combined with numStandbyReplicas > 0 yet');
  }
  const taskTimeoutMs = config.taskTimeoutMs ?? 300_000;
  if (!Number.isFinite(taskTimeoutMs) || taskTimeoutMs < 0) {
    throw new StreamsConfigError(`taskTimeoutMs must be a number >= 0 (got ${String(config.taskTimeoutMs)})`);
  }
  const repartitionPurgeIntervalMs = config.repartitionPurgeIntervalMs ?? 30_000;
  if (!Number.isFinite(repartitionPurgeIntervalMs) || repartitionPurgeIntervalMs < 0) {
    throw new StreamsConfigError(`repartitionPurgeIntervalMs must be a number >= 0 (got ${String(config.repartitionPurgeIntervalMs)})`);
  }
  const statestoreCacheMaxBytes = config.statestoreCacheMaxBytes ?? 10 * 1024 * 1024;
  if (!Number.isSafeInteger(statestoreCacheMaxBytes) || statestoreCacheMaxBytes < 0) {
    throw new StreamsConfigError(`statestoreCacheMaxBytes must be an integer >= 0 (got ${String(config.statestoreCacheMaxBytes)})`);
  }
  const windowStoreChangeLogAdditionalRetentionMs = config.windowStoreChangeLogAdditionalRetentionMs ?? 24 * 60 * 60 * 1000;
  if (!Number.isSafeInteger(windowStoreChangeLogAdditionalRetentionMs) || windowStoreChangeLogAdditionalRetentionMs < 0) {
    throw new StreamsConfigError(
      `windowStoreChangeLogAdditionalRetentionMs must be an integer >= 0 (got ${String(config.windowStoreChangeLogAdditionalRetentionMs)})`,
    );
  }
  let applicationServer: { host: string; port: number } | undefined;
  if (config.applicationServer !== undefined) {
    const m = /^(.+):(\d{1,5})$/.exec(config.applicationServer);
    const port = m ? Number(m[2]) : NaN;
    if (!m || !m[1] || port < 1 || port > 65535) {
      throw new StreamsConfigError(`applicationServer must be "host:port" (got ${JSON.stringify(config.applicationServer)})`);
    }
    applicationServer = { host: m[1], port };
  }
  return {
    applicationId: config.applicationId,
    processingGuarantee: guarantee,
    stateDir: config.stateDir ?? './state',
    commitIntervalMs,
    maxPollRecords,
    deserializationExceptionHandler: config.deserializationExceptionHandler ?? 'fail',
    processingExceptionHandler: config.processingExceptionHandler ?? 'fail',
    productionExceptionHandler: config.productionExceptionHandler ?? 'fail',
    deadLetterQueueTopic: config.deadLetterQueueTopic,
    defaultKeySerde: config.defaultKeySerde,
    defaultValueSerde: config.defaultValueSerde,
    defaultTimestampExtractor: config.defaultTimestampExtractor,
    applicationServer,
    sessionTimeoutMs: config.sessionTimeoutMs,
    numStandbyReplicas,
    numStreamThreads,
    transactionTimeoutMs: config.transactionTimeoutMs ?? 10_000,
    taskTimeoutMs,
    repartitionPurgeIntervalMs,
    statestoreCacheMaxBytes,
    windowStoreChangeLogAdditionalRetentionMs,
    createMissingSourceTopics: false,
  };
}
