/**
 * The StreamsConfig settings the benchmark matrix varies for Tributary (both children: tributary-app.mjs on Kafka,
 * tributary-embedded.mjs), set exactly as the JVM program sets their Kafka Streams equivalents.
 *
 * `numStreamThreads` may not exist in the build under test. A setting the build does not know would be ignored
 * silently (StreamsConfig is a plain object) and the row would measure one thread under a two-thread label, so the
 * build's own declaration of StreamsConfig (dist/runtime/config.d.ts) decides: not declared and more than one thread
 * asked for, the case is reported "not supported". Likewise the record cache: a cache budget that no store of the
 * topology would use is "not supported" rather than a cached row that measures uncached work. Which stores cache is
 * asked of the build itself (a store it builds takes a flush listener only when it has a cache layer): builds
 * before window and session caching cached key-value stores only, and their window cache rows are "not supported".
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function declaresStreamThreads() {
  const index = fileURLToPath(import.meta.resolve('@tributary/streams'));
  const declaration = join(dirname(index), 'runtime', 'config.d.ts');
  return existsSync(declaration) && /\bnumStreamThreads\??:/.test(readFileSync(declaration, 'utf8'));
}

/**
 * `args`: `{cacheBytes?, commitIntervalMs?, threads?}` as the harness passes them. Returns the settings to spread into
 * the StreamsConfig, or `{unsupported}` with the reason.
 */
function matrixSettings(args) {
  const threads = args.threads ?? 1;
  const declared = declaresStreamThreads();
  if (threads > 1 && !declared) {
    return { unsupported: `numStreamThreads ${threads}: not supported (this build's StreamsConfig has no numStreamThreads)` };
  }
  return {
    settings: {
      statestoreCacheMaxBytes: args.cacheBytes ?? 0,
      ...(args.commitIntervalMs !== undefined ? { commitIntervalMs: args.commitIntervalMs } : {}),
      ...(declared ? { numStreamThreads: threads } : {}),
    },
  };
}

/** A StreamsConfigError about numStreamThreads (the build declares it but refuses the value): "not supported". */
function rejectedThreads(err) {
  const message = err instanceof Error ? err.message : String(err);
  return /numStreamThreads/.test(message) ? `numStreamThreads: not supported (${message})` : undefined;
}

/**
 * Whether the stores `builder` makes really cache: a builder may take `withCachingEnabled()` for a store type the
 * build cannot cache, so one store is built (not opened: no files, nothing to close) and asked to take a flush
 * listener, which only a store with a cache layer does.
 */
function buildsCachingStore(builder) {
  if (!builder.cachingEnabled) return false;
  const store = builder.build();
  return typeof store.setFlushListener === 'function' && store.setFlushListener(() => undefined, false) === true;
}

/**
 * A cache budget no store of `topology` uses (the stores of the case cannot cache): the reason, else undefined.
 * Reads the compiled topology's store builders (`physical()`, internal API: the benchmark's probe only).
 */
function cacheUnsupported(topology, args) {
  if ((args.cacheBytes ?? 0) === 0 || typeof topology.physical !== 'function') return undefined;
  const stores = [...topology.physical().stores.values()];
  if (stores.length === 0 || stores.some((s) => buildsCachingStore(s.builder))) return undefined;
  return `record cache: not supported for the ${args.case} case's store in this build (${stores.map((s) => s.builder.name).join(', ')} cannot cache; every update would be forwarded)`;
}

/**
 * The app for one benchmark run: `builder`'s topology with `config` plus the row's settings (`args`). Returns
 * `{app}`, or `{unavailable}` with the reason when this build cannot run the row as asked.
 */
export function createBenchApp(lib, builder, args, config) {
  const topology = builder.build();
  const { settings, unsupported } = matrixSettings(args);
  if (unsupported !== undefined) return { unavailable: unsupported };
  const uncached = cacheUnsupported(topology, args);
  if (uncached !== undefined) return { unavailable: uncached };
  try {
    return { app: new lib.KafkaStreams(topology, { ...config, ...settings }) };
  } catch (err) {
    const rejected = rejectedThreads(err);
    if (rejected === undefined) throw err;
    return { unavailable: rejected };
  }
}
