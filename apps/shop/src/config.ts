/**
 * Process configuration from the environment, validated once at start-up so a typo fails loudly with the name of
 * the variable instead of surfacing later as a strange runtime error.
 */
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { DEFAULT_EMAIL_FILE_LIMITS } from './email/email-sender.js';
import { DEFAULT_LONG_POLL_LIMITS } from './http/long-poll-limits.js';
import { KAFKA_SECURITY_VARIABLES, kafkaSecurityFromEnv, type KafkaSecurity } from './kafka-security.js';
import { DEFAULT_SETTLED_RETENTION_MS } from './services/retention.js';
import { DEFAULT_EXACTLY_ONCE_COMMIT_INTERVAL_MS } from './services/service-runtime.js';
import { parseLogTopicDefaults } from './log-topic-defaults.js';

export interface ShopConfig {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  /** Absent: every service runs on the embedded log, durable in `<dataDir>/log`. */
  readonly kafkaBootstrapServers: string | undefined;
  /** Where the embedded log keeps its files. */
  readonly logDir: string;
  /** Where streams apps keep their state stores. */
  readonly stateDir: string;
  readonly commitIntervalMs: number | undefined;
  /** Commit interval of the exactly-once apps (see `EXACTLY_ONCE_COMMIT_INTERVAL_MS`). */
  readonly exactlyOnceCommitIntervalMs: number;
  readonly logLevel: string;
  /**
   * `host:port` other orders instances reach this one's HTTP API on. Set it when several orders instances run:
   * each then forwards requests for ids whose partition another instance owns.
   */
  readonly applicationServer: string | undefined;
  /** Shared by every orders instance of a deployment to sign forwarded requests (required with `applicationServer`). */
  readonly forwardSecret: string | undefined;
  /** How long settled orders' per-order entries are kept (event time). */
  readonly settledRetentionMs: number;
  /** TLS/SASL settings for Kafka (`kafka-security.ts`); undefined: PLAINTEXT. */
  readonly kafkaSecurity: KafkaSecurity | undefined;
  /** Long polls held at once: in total and per client address. */
  readonly longPollMaxTotal: number;
  readonly longPollMaxPerClient: number;
  /** PostgreSQL of the database hybrid; undefined: the hybrid is off. */
  readonly databaseUrl: string | undefined;
  /** Topic configs the embedded log gives topics that do not set them (`LOG_TOPIC_DEFAULTS`); empty: Kafka's defaults. */
  readonly logTopicDefaults: Readonly<Record<string, string>>;
  /**
   * How much longer than their stores the windowed changelogs keep records (`WINDOW_CHANGELOG_ADDITIONAL_RETENTION_MS`,
   * the library's `windowStoreChangeLogAdditionalRetentionMs`); undefined: Kafka Streams' one day.
   */
  readonly windowChangelogAdditionalRetentionMs: number | undefined;
  /** The default email sender's file (`<dataDir>/emails.jsonl`) is rotated at this size… */
  readonly emailFileMaxBytes: number;
  /** …and this many rotated files are kept. */
  readonly emailFilesKept: number;
}

const EnvSchema = z
  .object({
    PORT: z.coerce
      .number({ message: 'PORT must be a number' })
      .int('PORT must be an integer')
      .min(0, 'PORT must be between 0 and 65535')
      .max(65535, 'PORT must be between 0 and 65535')
      .default(8080),
    HOST: z.string().min(1, 'HOST must not be empty').default('127.0.0.1'),
    DATA_DIR: z.string().min(1, 'DATA_DIR must not be empty').default('./data'),
    KAFKA_BOOTSTRAP_SERVERS: z
      .string()
      .regex(/^[^\s,:]+:\d{1,5}(,[^\s,:]+:\d{1,5})*$/, 'KAFKA_BOOTSTRAP_SERVERS must be host:port[,host:port...]')
      .optional(),
    COMMIT_INTERVAL_MS: z.coerce.number({ message: 'COMMIT_INTERVAL_MS must be a number' }).int().min(0).optional(),
    EXACTLY_ONCE_COMMIT_INTERVAL_MS: z.coerce.number({ message: 'EXACTLY_ONCE_COMMIT_INTERVAL_MS must be a number' }).int().min(0).optional(),
    APPLICATION_SERVER: z
      .string()
      .regex(/^[^\s,:]+:\d{1,5}$/, 'APPLICATION_SERVER must be host:port (how other instances reach this one)')
      .optional(),
    FORWARD_SECRET: z.string().min(16, 'FORWARD_SECRET must have at least 16 characters').optional(),
    ORDER_RETENTION_MS: z.coerce
      .number({ message: 'ORDER_RETENTION_MS must be a number' })
      .int()
      .min(60_000, 'ORDER_RETENTION_MS must be at least 60000 (one minute)')
      .default(DEFAULT_SETTLED_RETENTION_MS),
    LONG_POLL_MAX: z.coerce.number({ message: 'LONG_POLL_MAX must be a number' }).int().min(1).default(DEFAULT_LONG_POLL_LIMITS.maxTotal),
    LONG_POLL_MAX_PER_CLIENT: z.coerce
      .number({ message: 'LONG_POLL_MAX_PER_CLIENT must be a number' })
      .int()
      .min(1)
      .default(DEFAULT_LONG_POLL_LIMITS.maxPerClient),
    DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\/\S+$/, 'DATABASE_URL must be a postgres:// URL').optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    LOG_TOPIC_DEFAULTS: z.string().optional(),
    WINDOW_CHANGELOG_ADDITIONAL_RETENTION_MS: z.coerce
      .number({ message: 'WINDOW_CHANGELOG_ADDITIONAL_RETENTION_MS must be a number' })
      .int('WINDOW_CHANGELOG_ADDITIONAL_RETENTION_MS must be an integer')
      .min(0, 'WINDOW_CHANGELOG_ADDITIONAL_RETENTION_MS must be 0 or more')
      .optional(),
    EMAIL_FILE_MAX_BYTES: z.coerce
      .number({ message: 'EMAIL_FILE_MAX_BYTES must be a number' })
      .int()
      .min(1024, 'EMAIL_FILE_MAX_BYTES must be at least 1024')
      .default(DEFAULT_EMAIL_FILE_LIMITS.maxBytes),
    EMAIL_FILES_KEPT: z.coerce
      .number({ message: 'EMAIL_FILES_KEPT must be a number' })
      .int()
      .min(0, 'EMAIL_FILES_KEPT must be 0 or more')
      .default(DEFAULT_EMAIL_FILE_LIMITS.keep),
  })
  // Several instances forward requests to each other; without a shared secret they could not tell a forwarded
  // request from a client's.
  .refine((e) => e.APPLICATION_SERVER === undefined || e.FORWARD_SECRET !== undefined, {
    path: ['FORWARD_SECRET'],
    message: 'FORWARD_SECRET is required with APPLICATION_SERVER (the same secret on every orders instance)',
  });

const ENV_KEYS = [
  'PORT',
  'HOST',
  'DATA_DIR',
  'KAFKA_BOOTSTRAP_SERVERS',
  'COMMIT_INTERVAL_MS',
  'EXACTLY_ONCE_COMMIT_INTERVAL_MS',
  'APPLICATION_SERVER',
  'FORWARD_SECRET',
  'ORDER_RETENTION_MS',
  'LONG_POLL_MAX',
  'LONG_POLL_MAX_PER_CLIENT',
  'DATABASE_URL',
  'LOG_LEVEL',
  'LOG_TOPIC_DEFAULTS',
  'WINDOW_CHANGELOG_ADDITIONAL_RETENTION_MS',
  'EMAIL_FILE_MAX_BYTES',
  'EMAIL_FILES_KEPT',
] as const;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Reads the shop's settings; empty variables count as unset. Throws `ConfigError` listing every bad variable. */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): ShopConfig {
  const present: Record<string, string> = {};
  for (const key of ENV_KEYS) {
    const v = env[key];
    if (v !== undefined && v.trim() !== '') present[key] = v.trim();
  }
  const parsed = EnvSchema.safeParse(present);
  const securityEnv: Record<string, string> = {};
  for (const key of KAFKA_SECURITY_VARIABLES) {
    const v = env[key];
    if (v !== undefined && v.trim() !== '') securityEnv[key] = key.endsWith('PASSWORD') ? v : v.trim();
  }
  const security = kafkaSecurityFromEnv(securityEnv);
  const topicDefaults = parseLogTopicDefaults(present['LOG_TOPIC_DEFAULTS'] ?? '');
  const problems = [...security.problems, ...topicDefaults.problems.map((p) => `LOG_TOPIC_DEFAULTS: ${p}`)];
  if (present['LOG_TOPIC_DEFAULTS'] !== undefined && present['KAFKA_BOOTSTRAP_SERVERS'] !== undefined) {
    problems.push("LOG_TOPIC_DEFAULTS: is for the embedded log; on Kafka the brokers' own log.* settings apply");
  }
  if (security.security !== undefined && present['KAFKA_BOOTSTRAP_SERVERS'] === undefined) {
    problems.push('KAFKA_SECURITY_PROTOCOL: is set but KAFKA_BOOTSTRAP_SERVERS is not (the embedded log needs no security)');
  }
  if (!parsed.success || problems.length > 0) {
    const lines = [...(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`)), ...problems];
    throw new ConfigError(`Invalid configuration:\n${lines.map((l) => `  ${l}`).join('\n')}`);
  }
  const e = parsed.data;
  const dataDir = resolve(e.DATA_DIR);
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    kafkaBootstrapServers: e.KAFKA_BOOTSTRAP_SERVERS,
    logDir: join(dataDir, 'log'),
    stateDir: join(dataDir, 'state'),
    commitIntervalMs: e.COMMIT_INTERVAL_MS,
    exactlyOnceCommitIntervalMs: e.EXACTLY_ONCE_COMMIT_INTERVAL_MS ?? e.COMMIT_INTERVAL_MS ?? DEFAULT_EXACTLY_ONCE_COMMIT_INTERVAL_MS,
    logLevel: e.LOG_LEVEL,
    applicationServer: e.APPLICATION_SERVER,
    forwardSecret: e.FORWARD_SECRET,
    settledRetentionMs: e.ORDER_RETENTION_MS,
    kafkaSecurity: security.security,
    longPollMaxTotal: e.LONG_POLL_MAX,
    longPollMaxPerClient: e.LONG_POLL_MAX_PER_CLIENT,
    databaseUrl: e.DATABASE_URL,
    logTopicDefaults: topicDefaults.defaults,
    windowChangelogAdditionalRetentionMs: e.WINDOW_CHANGELOG_ADDITIONAL_RETENTION_MS,
    emailFileMaxBytes: e.EMAIL_FILE_MAX_BYTES,
    emailFilesKept: e.EMAIL_FILES_KEPT,
  };
}
