import { resolve } from 'node:path';
import type { AdminClient, Backend, Consumer, ConsumerOptions, Producer, ProducerOptions } from '../port.js';
import { EmbeddedAdmin } from './embedded-admin.js';
import { EmbeddedConsumer } from './embedded-consumer.js';
import { EmbeddedLog } from './embedded-log.js';
import { EmbeddedProducer } from './embedded-producer.js';

export interface EmbeddedBackendOptions {
  /**
   * Makes the log durable: topics, records, committed offsets and transaction outcomes survive a restart.
   * Backends opened on the same directory in one process share one log. Absent: in memory only.
   */
  readonly dataDir?: string;
  /** In-memory logs are private to their backend unless opened under the same name. Ignored with `dataDir`. */
  readonly name?: string;
  /**
   * Producing to a missing topic creates it with this many partitions, as a broker with
   * `auto.create.topics.enable=true` (Kafka's default) does. `false`: `send` throws `UnknownTopicError`.
   * Consumers never create topics. Default: `{ partitions: 1 }`.
   */
  readonly autoCreateTopics?: { readonly partitions: number } | false;
  /**
   * Topic configs for every topic that does not set them itself, as a Kafka broker's `log.*` settings are
   * (`log.retention.ms` → `retention.ms`, `log.segment.bytes` → `segment.bytes`, `log.roll.ms` → `segment.ms`,
   * `log.roll.jitter.ms` → `segment.jitter.ms`, `log.cleaner.delete.retention.ms` → `delete.retention.ms`). Applied when the log uses a topic's config, never
   * written into it: they apply to existing topics too, and change with the next open. With `dataDir` only (retention
   * and compaction run on data directories); the first backend opened on a directory in a process sets them.
   */
  readonly topicDefaults?: Readonly<Record<string, string>>;
}

const shared = new Map<string, EmbeddedLog>();

/**
 * The embedded log: topics, partitions, consumer groups and transactions in this process, with Kafka's semantics,
 * optionally durable in a data directory. One data directory must be used by one process at a time.
 */
export function createEmbeddedBackend(options: EmbeddedBackendOptions = {}): Backend {
  const autoCreate = options.autoCreateTopics === false ? undefined : (options.autoCreateTopics?.partitions ?? 1);
  const registryKey =
    options.dataDir !== undefined ? `dir:${resolve(options.dataDir)}` : options.name !== undefined ? `mem:${options.name}` : undefined;
  let log = registryKey === undefined ? undefined : shared.get(registryKey);
  if (log === undefined || log.isClosed) {
    log = new EmbeddedLog(options.dataDir === undefined ? undefined : resolve(options.dataDir), autoCreate, undefined, options.topicDefaults);
    if (registryKey !== undefined) shared.set(registryKey, log);
  }
  log.references++;
  return new EmbeddedBackend(log, registryKey);
}

class EmbeddedBackend implements Backend {
  readonly kind = 'embedded' as const;
  private closed = false;

  constructor(
    private readonly log: EmbeddedLog,
    private readonly registryKey: string | undefined,
  ) {}

  admin(): AdminClient {
    this.ensureOpen();
    return new EmbeddedAdmin(this.log);
  }

  async createProducer(options: ProducerOptions): Promise<Producer> {
    this.ensureOpen();
    return new EmbeddedProducer(this.log, options);
  }

  async createConsumer(options: ConsumerOptions): Promise<Consumer> {
    this.ensureOpen();
    return new EmbeddedConsumer(this.log, options);
  }

  /** Releases this handle; the last handle on a log closes it (syncing and closing its files). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.log.references--;
    if (this.log.references > 0) return;
    if (this.registryKey !== undefined && shared.get(this.registryKey) === this.log) shared.delete(this.registryKey);
    try {
      await this.log.flushAll();
    } finally {
      // Closed even when a partition failed: its files are let go, and no clean-shutdown marker is written.
      this.log.close();
    }
  }

  private ensureOpen(): void {
    if (this.closed) throw new Error('The embedded backend is closed');
  }
}
