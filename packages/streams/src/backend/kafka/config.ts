import type { ConsumerOptions, ProducerOptions } from '../port.js';
import type { NativeConfig } from './native.js';

/** What the caller may add or override: any librdkafka property except the protected ones (below). */
export type ClientConfig = Readonly<Record<string, string | number | boolean>>;

/** A setting of the Kafka backend that cannot work (named in the message); thrown when the backend is created. */
export class KafkaConfigError extends Error {
  override readonly name = 'KafkaConfigError';
}

/**
 * librdkafka properties the runtime sets itself and that exactly-once processing, offset management or key
 * placement depend on. Overriding one through `clientConfig` would silently break those guarantees (a consumer
 * reading uncommitted data, offsets committed behind the runtime's back, keys on other partitions than the Java
 * client puts them), so `clientConfig` may not name them.
 */
export const PROTECTED_CLIENT_KEYS: ReadonlySet<string> = new Set([
  'bootstrap.servers',
  'client.id',
  'enable.idempotence',
  'acks',
  'max.in.flight.requests.per.connection',
  'max.in.flight',
  'transactional.id',
  'transaction.timeout.ms',
  'partitioner',
  'isolation.level',
  'group.id',
  'group.instance.id',
  'group.protocol',
  'partition.assignment.strategy',
  'enable.auto.commit',
  'enable.auto.offset.store',
  'auto.offset.reset',
  'enable.partition.eof',
  'allow.auto.create.topics',
]);

const isSecurityKey = (key: string): boolean => key === 'security.protocol' || key.startsWith('sasl.') || key.startsWith('ssl.');

/**
 * Throws `KafkaConfigError` naming the first protected key `extra` sets, or a security key when the typed `security`
 * settings are given too (a secret and the protocol have one place, checked together).
 */
export function checkClientConfig(extra: ClientConfig, withSecurity = false): void {
  for (const key of Object.keys(extra)) {
    if (PROTECTED_CLIENT_KEYS.has(key)) {
      throw new KafkaConfigError(`clientConfig may not set '${key}' (the runtime sets it; exactly-once and offset management depend on it)`);
    }
    if (withSecurity && isSecurityKey(key)) {
      throw new KafkaConfigError(`clientConfig may not set '${key}' together with the \`security\` option; give it there`);
    }
  }
}

export type SecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
export type SaslMechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

/** How the clients reach a secured cluster: TLS, SASL, or both (Kafka's `security.protocol`). */
export interface KafkaSecurity {
  readonly protocol: SecurityProtocol;
  /** Required with SASL_PLAINTEXT and SASL_SSL. */
  readonly sasl?: {
    readonly mechanism: SaslMechanism;
    readonly username: string;
    readonly password: string;
  };
  /** With SSL and SASL_SSL; omitted fields keep librdkafka's defaults (the system's CA store, no client certificate). */
  readonly ssl?: {
    /** PEM file of the CA certificate(s) that signed the brokers' certificates. */
    readonly caLocation?: string;
    /** PEM files of a client certificate and its key (mutual TLS). */
    readonly certificateLocation?: string;
    readonly keyLocation?: string;
    readonly keyPassword?: string;
    /** Check that the broker's certificate names its host (default true, as in Kafka 2.0+). */
    readonly verifyHostname?: boolean;
  };
}

const PROTOCOLS: ReadonlySet<string> = new Set(['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL']);
const MECHANISMS: ReadonlySet<string> = new Set(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']);

/** librdkafka properties for `security`; throws `KafkaConfigError` for settings that do not fit together. */
export function securityConfig(security: KafkaSecurity | undefined): NativeConfig {
  if (security === undefined) return {};
  const { protocol, sasl, ssl } = security;
  if (!PROTOCOLS.has(protocol)) throw new KafkaConfigError(`security.protocol must be one of ${[...PROTOCOLS].join(', ')} (got ${JSON.stringify(protocol)})`);
  const usesSasl = protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';
  const usesTls = protocol === 'SSL' || protocol === 'SASL_SSL';
  if (usesSasl && sasl === undefined) throw new KafkaConfigError(`security.sasl (mechanism, username, password) is required with ${protocol}`);
  if (!usesSasl && sasl !== undefined) throw new KafkaConfigError(`security.sasl is given but ${protocol} does not use SASL`);
  if (!usesTls && ssl !== undefined) throw new KafkaConfigError(`security.ssl is given but ${protocol} does not use TLS`);
  const config: NativeConfig = { 'security.protocol': protocol.toLowerCase() };
  if (sasl !== undefined) {
    if (!MECHANISMS.has(sasl.mechanism)) throw new KafkaConfigError(`security.sasl.mechanism must be one of ${[...MECHANISMS].join(', ')}`);
    // Never the password in a message: it would end up in logs.
    if (sasl.username === '' || sasl.password === '') throw new KafkaConfigError('security.sasl.username and security.sasl.password must not be empty');
    Object.assign(config, { 'sasl.mechanisms': sasl.mechanism, 'sasl.username': sasl.username, 'sasl.password': sasl.password });
  }
  if (ssl !== undefined) {
    if (ssl.caLocation !== undefined) config['ssl.ca.location'] = ssl.caLocation;
    if (ssl.certificateLocation !== undefined) config['ssl.certificate.location'] = ssl.certificateLocation;
    if (ssl.keyLocation !== undefined) config['ssl.key.location'] = ssl.keyLocation;
    if (ssl.keyPassword !== undefined) config['ssl.key.password'] = ssl.keyPassword;
    if (ssl.verifyHostname === false) config['ssl.endpoint.identification.algorithm'] = 'none';
  }
  return config;
}

/**
 * Settings shared by every client: the cluster and how to reach it securely, fast failure detection and no Nagle
 * delay (local latency matters in tests).
 */
export function commonConfig(bootstrapServers: string, security: NativeConfig = {}): NativeConfig {
  return {
    ...security,
    'bootstrap.servers': bootstrapServers,
    'socket.nagle.disable': true,
    'topic.metadata.refresh.interval.ms': 30_000,
    'reconnect.backoff.ms': 50,
    'reconnect.backoff.max.ms': 2_000,
    'retry.backoff.ms': 50,
    // librdkafka logs to stderr by default; errors reach us through callbacks.
    log_level: 3,
  };
}

/** `extra` tunes the defaults; `checkClientConfig` has made sure it names none of the protected keys. */
export function producerConfig(bootstrapServers: string, options: ProducerOptions, extra: ClientConfig, security: NativeConfig = {}): NativeConfig {
  const transactional = options.transactionalId !== undefined;
  const transactionTimeoutMs = options.transactionTimeoutMs ?? 60_000;
  return {
    ...commonConfig(bootstrapServers, security),
    'client.id': options.clientId,
    // Kafka's default partitioner (murmur2 of the key bytes), so keys land where the Java client would put them.
    partitioner: 'murmur2_random',
    acks: 'all',
    'enable.idempotence': true,
    // Short linger: batches form under load, and flush() sends at once when a commit waits.
    'linger.ms': 5,
    'batch.num.messages': 10_000,
    'batch.size': 1_000_000,
    'queue.buffering.max.messages': 1_000_000,
    'queue.buffering.max.kbytes': 1_048_576,
    'message.timeout.ms': transactional ? Math.min(120_000, transactionTimeoutMs) : 120_000,
    ...(transactional
      ? { 'transactional.id': options.transactionalId ?? '', 'transaction.timeout.ms': transactionTimeoutMs }
      : {}),
    ...extra,
  };
}

/** `extra` tunes the defaults; `checkClientConfig` has made sure it names none of the protected keys. */
export function consumerConfig(bootstrapServers: string, options: ConsumerOptions, extra: ClientConfig, security: NativeConfig = {}): NativeConfig {
  const sessionTimeoutMs = options.sessionTimeoutMs ?? 45_000;
  return {
    ...commonConfig(bootstrapServers, security),
    'client.id': options.clientId,
    // librdkafka insists on a group.id even for assign-only use; such a consumer never joins or commits to it.
    'group.id': options.groupId ?? `tributary-assign-only-${options.clientId}`,
    ...(options.groupInstanceId !== undefined ? { 'group.instance.id': options.groupInstanceId } : {}),
    // Eager rebalancing with the range assignor keeps co-partitioned topics together, as Kafka Streams needs.
    'group.protocol': 'classic',
    'partition.assignment.strategy': 'range',
    'session.timeout.ms': sessionTimeoutMs,
    'heartbeat.interval.ms': Math.max(100, Math.min(3_000, Math.floor(sessionTimeoutMs / 3))),
    'max.poll.interval.ms': options.maxPollIntervalMs ?? 300_000,
    'isolation.level': options.isolationLevel,
    'auto.offset.reset': options.autoOffsetReset,
    // The runtime decides what is committed, and when.
    'enable.auto.commit': false,
    'enable.auto.offset.store': false,
    'enable.partition.eof': false,
    'allow.auto.create.topics': false,
    // Low fetch latency for small local workloads; large fetches when there is data.
    'fetch.wait.max.ms': 100,
    'fetch.min.bytes': 1,
    'fetch.max.bytes': 52_428_800,
    'max.partition.fetch.bytes': 1_048_576,
    // librdkafka pauses fetching a partition for fetch.queue.backoff.ms (default 1 s) whenever its local queue
    // holds queued.min.messages of it: with the default back-off that caps a fast consumer near 10k records/s, so
    // the back-off is short. The depth is per partition and is memory: librdkafka's default of 100,000 let a
    // count over 8 partitions (input and repartition) prefetch ~40 MiB more than 10,000 does, at the same rate
    // (bench/results/2026-12-01-consumer-prefetch.md). 10,000 is still ten times Kafka Streams' own per-partition
    // buffer (buffered.records.per.partition): 200 ms of each partition at 200k records/s over 4 partitions.
    'queued.min.messages': 10_000,
    'fetch.queue.backoff.ms': 5,
    ...extra,
  };
}
