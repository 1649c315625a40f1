import type { ChangelogRetention, StateStore, StoreBuilder, StoreType } from './store.js';

export interface StoreBuilderSettings {
  readonly loggingEnabled: boolean;
  readonly logConfig: Readonly<Record<string, string>>;
  readonly changelogRetention?: ChangelogRetention;
  readonly cachingEnabled: boolean;
  /** The record cache's budget (the app's `statestoreCacheMaxBytes`); absent: Kafka's default, 10 MiB. */
  readonly cacheMaxBytes?: number;
}

/**
 * An immutable StoreBuilder: every `with...` returns a new builder, and `build()` assembles a fresh stack of
 * layers from the settings (one store per task). Logging is on and caching off by default, as in Kafka Streams.
 */
export class LayeredStoreBuilder<S extends StateStore> implements StoreBuilder<S> {
  constructor(
    readonly name: string,
    readonly type: StoreType,
    readonly persistent: boolean,
    private readonly settings: StoreBuilderSettings,
    private readonly assemble: (settings: StoreBuilderSettings) => S,
  ) {}

  get loggingEnabled(): boolean {
    return this.settings.loggingEnabled;
  }
  get logConfig(): Readonly<Record<string, string>> {
    return this.settings.logConfig;
  }
  get changelogRetention(): ChangelogRetention | undefined {
    return this.settings.changelogRetention;
  }
  get cachingEnabled(): boolean {
    return this.settings.cachingEnabled;
  }

  withLoggingDisabled(): StoreBuilder<S> {
    return this.with({ loggingEnabled: false });
  }

  /** Replaces the extra changelog configs with `config` (Kafka's `withLoggingEnabled(Map)`), keeping store defaults. */
  withLoggingEnabled(config: Record<string, string> = {}): StoreBuilder<S> {
    return this.with({ loggingEnabled: true, logConfig: { ...this.settings.logConfig, ...config } });
  }

  withCachingEnabled(): StoreBuilder<S> {
    return this.with({ cachingEnabled: true });
  }

  withCachingDisabled(): StoreBuilder<S> {
    return this.with({ cachingEnabled: false });
  }

  /**
   * @internal The runtime applies the app's `statestoreCacheMaxBytes`: 0 turns caching off, as a zero-byte cache
   * in Kafka forwards every write at once.
   */
  withCacheMaxBytes(bytes: number): StoreBuilder<S> {
    return bytes === 0 ? this.with({ cachingEnabled: false }) : this.with({ cacheMaxBytes: bytes });
  }

  build(): S {
    return this.assemble(this.settings);
  }

  private with(change: Partial<StoreBuilderSettings>): LayeredStoreBuilder<S> {
    return new LayeredStoreBuilder(this.name, this.type, this.persistent, { ...this.settings, ...change }, this.assemble);
  }
}
