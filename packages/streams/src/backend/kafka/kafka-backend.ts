import type { AdminClient, Backend, Consumer, ConsumerOptions, Producer, ProducerOptions } from '../port.js';
import {
  type ClientConfig,
  type KafkaSecurity,
  checkClientConfig,
  commonConfig,
  consumerConfig,
  producerConfig,
  securityConfig,
} from './config.js';
import type { NativeConfig } from './native.js';
import { AdminHandle } from './admin-handle.js';
import { KafkaAdmin } from './kafka-admin.js';
import { KafkaConsumer } from './kafka-consumer.js';
import { KafkaOffsets } from './kafka-offsets.js';
import { KafkaProducer } from './kafka-producer.js';
import { type NativeAdminClient, type NativeModule, loadNativeModule } from './native.js';

export interface KafkaBackendOptions {
  /** Comma-separated `host:port` list. */
  readonly bootstrapServers: string;
  /** TLS and SASL settings for a secured cluster; omitted: PLAINTEXT. */
  readonly security?: KafkaSecurity;
  /**
   * librdkafka properties added to (and overriding the defaults of) every client's configuration. The settings
   * exactly-once and offset management depend on cannot be set here (`KafkaConfigError`), nor security ones when
   * `security` is given.
   */
  readonly clientConfig?: ClientConfig;
}

/**
 * The backend on Apache Kafka. Checks the settings here (`KafkaConfigError` names a bad one) and loads the native
 * client only when the first client (admin, producer, consumer) is used, so creating one — as `KafkaStreams` does in
 * its constructor — costs nothing and works where the native build is missing; a missing client is a clear error
 * at that first use.
 */
export function createKafkaBackend(options: KafkaBackendOptions): Backend {
  checkClientConfig(options.clientConfig ?? {}, options.security !== undefined);
  return new KafkaBackend(options, securityConfig(options.security));
}

/** What exists once the native module is loaded. */
interface Loaded {
  readonly mod: NativeModule;
  readonly offsets: KafkaOffsets;
}

class KafkaBackend implements Backend {
  readonly kind = 'kafka' as const;
  private sharedAdmin: AdminHandle | undefined;
  /** Admin clients replaced after stale metadata, until their last call has answered and they are disconnected. */
  private readonly staleAdmins = new Set<AdminHandle>();
  private loaded: Loaded | undefined;
  private readonly clients = new Set<{ close(): Promise<void> }>();
  private closed = false;

  constructor(
    private readonly options: KafkaBackendOptions,
    private readonly security: NativeConfig,
  ) {}

  admin(): AdminClient {
    this.requireOpen();
    // Admin handles share one librdkafka client; closing a handle leaves it to the backend's close().
    return new KafkaAdmin(async () => this.nativeAdmin((await this.load()).mod));
  }

  async createProducer(options: ProducerOptions): Promise<Producer> {
    this.requireOpen();
    const config = producerConfig(this.options.bootstrapServers, options, this.options.clientConfig ?? {}, this.security);
    const { mod, offsets } = await this.load();
    return this.track(await KafkaProducer.create(mod, options, config, offsets));
  }

  async createConsumer(options: ConsumerOptions): Promise<Consumer> {
    this.requireOpen();
    const config = consumerConfig(this.options.bootstrapServers, options, this.options.clientConfig ?? {}, this.security);
    const { mod, offsets } = await this.load();
    return this.track(await KafkaConsumer.create(mod, options, offsets, config));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.clients].map((client) => client.close()));
    this.clients.clear();
    this.sharedAdmin?.disconnect();
    this.sharedAdmin = undefined;
    for (const stale of this.staleAdmins) stale.disconnect();
    this.staleAdmins.clear();
  }

  /** Loads the native module (once per process, `loadNativeModule`) and what depends on it (once per backend). */
  private async load(): Promise<Loaded> {
    const mod = await loadNativeModule();
    this.requireOpen();
    this.loaded ??= {
      mod,
      offsets: new KafkaOffsets(
        mod,
        () => this.nativeAdmin(mod),
        () => {
          // The next call gets a new client with fresh metadata. The old one is disconnected once its last call in
          // flight has answered (admin-handle.ts: sooner would block the event loop), or when the backend closes.
          const stale = this.sharedAdmin;
          if (stale === undefined) return;
          this.sharedAdmin = undefined;
          this.staleAdmins.add(stale);
          stale.retire(() => this.staleAdmins.delete(stale));
        },
      ),
    };
    return this.loaded;
  }

  private nativeAdmin(mod: NativeModule): NativeAdminClient {
    this.requireOpen();
    this.sharedAdmin ??= new AdminHandle(
      mod.AdminClient.create({
        ...commonConfig(this.options.bootstrapServers, this.security),
        'client.id': 'tributary-admin',
        ...(this.options.clientConfig ?? {}),
      }),
    );
    return this.sharedAdmin;
  }

  private track<T extends { close(): Promise<void> }>(client: T): T {
    this.clients.add(client);
    const close = client.close.bind(client);
    client.close = async () => {
      this.clients.delete(client);
      await close();
    };
    return client;
  }

  private requireOpen(): void {
    if (this.closed) throw new Error('the Kafka backend is closed');
  }
}
