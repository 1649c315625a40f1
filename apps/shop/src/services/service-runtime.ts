/**
 * What every shop service needs to run as a KafkaStreams app: the log it runs on, where its state lives, and the
 * settings all services share. Services take this instead of reading the environment, so tests and `main.ts`
 * can run all of them in one process on one embedded log.
 */
import { join } from 'node:path';
import type { ShopConfig } from '../config.js';
import { fileEmailSender, type EmailSender } from '../email/email-sender.js';
import { KafkaStreams, type Backend, type Logger, type StreamsConfig, type Topology } from '@tributary/streams';

export interface ServiceRuntime {
  readonly backend: Backend;
  readonly stateDir: string;
  readonly logger: Logger;
  /** Shorter than Kafka's default keeps end-to-end latency low; undefined keeps the library default. */
  readonly commitIntervalMs?: number | undefined;
  /** Where the email service sends; absent: to the log. */
  readonly emailSender?: EmailSender | undefined;
}

/** The runtime a process builds from its configuration (main.ts and services/run.ts alike). */
export function runtimeFromConfig(
  config: ShopConfig,
  backend: Backend,
  logger: Logger,
): ServiceRuntime & { readonly applicationServer: string | undefined } {
  return {
    backend,
    stateDir: config.stateDir,
    logger,
    commitIntervalMs: config.commitIntervalMs,
    emailSender: fileEmailSender(join(config.dataDir, 'emails.jsonl')),
    applicationServer: config.applicationServer,
  };
}

export type ServiceOverrides = Partial<Pick<StreamsConfig, 'processingGuarantee' | 'commitIntervalMs' | 'applicationServer'>>;

/** Starts `topology` as application `applicationId` and resolves once it has joined its group. */
export async function startService(
  topology: Topology,
  applicationId: string,
  runtime: ServiceRuntime,
  overrides: ServiceOverrides = {},
): Promise<KafkaStreams> {
  const commitIntervalMs = overrides.commitIntervalMs ?? runtime.commitIntervalMs;
  const app = new KafkaStreams(topology, {
    applicationId,
    backend: runtime.backend,
    stateDir: runtime.stateDir,
    logger: runtime.logger,
    // A record nobody can read (foreign producer, old schema) is logged and skipped rather than stopping the shop.
    deserializationExceptionHandler: 'logAndContinue',
    ...(commitIntervalMs !== undefined ? { commitIntervalMs } : {}),
    ...(overrides.processingGuarantee !== undefined ? { processingGuarantee: overrides.processingGuarantee } : {}),
    ...(overrides.applicationServer !== undefined ? { applicationServer: overrides.applicationServer } : {}),
  });
  await app.start();
  return app;
}
