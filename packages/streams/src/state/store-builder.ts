import type { ChangelogRetention, StateStore, StoreBuilder, StoreType } from './store.js';
import { ThreadCache } from './thread-cache.js';

export interface StoreBuilderSettings {
  readonly loggingEnabled: boolean;
  readonly logConfig: Readonly<Record<string, string>>;
  readonly changelogRetention?: ChangelogRetention;
  readonly cachingEnabled: boolean;
  /** The memory the record cache counts against (its stream thread's); absent: a budget of its own, 10 MiB. */
  readonly cache?: ThreadCache;
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
   * @internal The runtime applies its thread's cache (the app's `statestoreCacheMaxBytes` over the thread count):
   * stores built from the result count their cached entries against it. A budget of 0 turns caching off, as a
   * zero-byte cache in Kafka forwards every write at once.
   */
  withThreadCache(cache: ThreadCache): StoreBuilder<S> {
    return cache.maxBytes === 0 ? this.with({ cachingEnabled: false }) : this.with({ cache });
  }

  /** @internal A budget of `bytes` for the stores built from the result together (tests; the runtime shares its thread's). */
  withCacheMaxBytes(bytes: number): StoreBuilder<S> {
    return this.withThreadCache(new ThreadCache(bytes));
  }

  build(): S {
    return this.assemble(this.settings);
  }

  private with(change: Partial<StoreBuilderSettings>): LayeredStoreBuilder<S> {
    return new LayeredStoreBuilder(this.name, this.type, this.persistent, { ...this.settings, ...change }, this.assemble);
  }
}
