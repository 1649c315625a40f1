/**
 * What every shop service needs to run as a KafkaStreams app: the log it runs on, where its state lives, and the
 * settings all services share. Services take this instead of reading the environment, so tests and `main.ts`
 * can run all of them in one process on one embedded log.
 */
import { join } from 'node:path';
import type { ShopConfig } from '../config.js';
import type { ShopOptions } from '../shop.js';
import { fileEmailSender, type EmailSender } from '../email/email-sender.js';
import { deadLetterTopic } from '../topics.js';
import { rememberApp } from '../console/topology-registry.js';
import { KafkaStreams, type Backend, type Logger, type StreamsConfig, type Topology } from '@tributary/streams';

export interface ServiceRuntime {
  readonly backend: Backend;
  readonly stateDir: string;
  readonly logger: Logger;
  /** Shorter than Kafka's default keeps end-to-end latency low; undefined keeps the library default. */
  readonly commitIntervalMs?: number | undefined;
  /** Commit interval of the exactly-once apps; undefined: `commitIntervalMs`, else `DEFAULT_EXACTLY_ONCE_COMMIT_INTERVAL_MS`. */
  readonly exactlyOnceCommitIntervalMs?: number | undefined;
  /** Where the email service sends; absent: to the log. */
  readonly emailSender?: EmailSender | undefined;
  /** How long settled orders' per-order entries are kept, in event time (default 7 days; see `retention.ts`). */
  readonly settledRetentionMs?: number | undefined;
  /** Added to windowed changelogs' retention (`windowStoreChangeLogAdditionalRetentionMs`); undefined: one day. */
  readonly windowChangelogAdditionalRetentionMs?: number | undefined;
  /**
   * `host:port` of the HTTP API of this process, announced by every app it runs so that any instance can route a
   * store lookup (`/v1/stores`) or an order request to the owner. Leave it unset in processes without the API.
   */
  readonly applicationServer?: string | undefined;
}

/** The runtime a process builds from its configuration (main.ts and services/run.ts alike). */
export function runtimeFromConfig(
  config: ShopConfig,
  backend: Backend,
  logger: Logger,
): ServiceRuntime & Pick<ShopOptions, 'applicationServer' | 'forwardSecret' | 'longPollLimits'> {
  return {
    backend,
    stateDir: config.stateDir,
    logger,
    commitIntervalMs: config.commitIntervalMs,
    exactlyOnceCommitIntervalMs: config.exactlyOnceCommitIntervalMs,
    emailSender: fileEmailSender(join(config.dataDir, 'emails.jsonl'), { maxBytes: config.emailFileMaxBytes, keep: config.emailFilesKept }),
    settledRetentionMs: config.settledRetentionMs,
    windowChangelogAdditionalRetentionMs: config.windowChangelogAdditionalRetentionMs,
    applicationServer: config.applicationServer,
    forwardSecret: config.forwardSecret,
    longPollLimits: { maxTotal: config.longPollMaxTotal, maxPerClient: config.longPollMaxPerClient },
  };
}

/**
 * The exactly-once apps' commit interval unless configured. Their output becomes visible to the next app only when
 * they commit, and an order crosses four of them before its outcome (inventory's command, event and validation
 * steps, then the aggregator): at Kafka Streams' 100 ms an outcome takes ≈ 200 ms at rest and its p99 at 200 orders/s
 * is over 400 ms. Commits this often cost CPU (measured in bench/results/2026-11-30-shop-latency.md), not correctness.
 */
export const DEFAULT_EXACTLY_ONCE_COMMIT_INTERVAL_MS = 25;

export type ServiceOverrides = Partial<Pick<StreamsConfig, 'processingGuarantee' | 'commitIntervalMs' | 'applicationServer'>>;

/**
 * Creates (does not start) `topology` as application `applicationId`; a `SupervisedApp` starts it and replaces it
 * after a failure.
 *
 * A record a service cannot read (malformed JSON, a foreign producer's shape) or cannot process (a value its
 * rules or its stores cannot hold) is set aside rather than stopping the service for good: it goes, as it was read,
 * to the app's dead-letter topic with the reason in Kafka's `__streams.errors.*` headers, and is logged.
 */
export function createService(topology: Topology, applicationId: string, runtime: ServiceRuntime, overrides: ServiceOverrides = {}): KafkaStreams {
  const exactlyOnce = overrides.processingGuarantee === 'exactly_once_v2';
  const commitIntervalMs =
    overrides.commitIntervalMs ??
    (exactlyOnce ? (runtime.exactlyOnceCommitIntervalMs ?? runtime.commitIntervalMs ?? DEFAULT_EXACTLY_ONCE_COMMIT_INTERVAL_MS) : runtime.commitIntervalMs);
  const applicationServer = overrides.applicationServer ?? runtime.applicationServer;
  const app = new KafkaStreams(topology, {
    applicationId,
    backend: runtime.backend,
    stateDir: runtime.stateDir,
    logger: runtime.logger,
    deserializationExceptionHandler: 'logAndContinue',
    processingExceptionHandler: 'logAndContinue',
    deadLetterQueueTopic: deadLetterTopic(applicationId),
    ...(commitIntervalMs !== undefined ? { commitIntervalMs } : {}),
    ...(overrides.processingGuarantee !== undefined ? { processingGuarantee: overrides.processingGuarantee } : {}),
    ...(applicationServer !== undefined ? { applicationServer } : {}),
    ...(runtime.windowChangelogAdditionalRetentionMs !== undefined
      ? { windowStoreChangeLogAdditionalRetentionMs: runtime.windowChangelogAdditionalRetentionMs }
      : {}),
  });
  // The console draws the app's topology and names its topics by application id.
  return rememberApp(app, { applicationId, topology: topology.describe() });
}
